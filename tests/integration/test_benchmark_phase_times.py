# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The benchmark's split of a run's wall time into phases (tests/benchmarks: phase_times callback and phase_times())."""

from __future__ import annotations

import pytest

from ansible_collections.kerio.connect.tests.benchmarks.run_benchmarks import Bench, parse_args, phase_times

PLAYBOOK = """\
- name: Two tasks
  hosts: all
  gather_facts: false
  tasks:
    - name: Say something
      ansible.builtin.debug:
        msg: hello
    - name: Check something
      ansible.builtin.assert:
        that: true
"""


def test_each_second_of_the_run_lands_in_one_phase():
    times = {"play": 10.5, "recap": 12.0, "tasks": [
        {"action": "validate_argument_spec", "start": 10.6, "end": 10.7},
        {"action": "kerio_user_import", "start": 10.9, "end": 11.8},
    ]}
    phases = phase_times(times, started=10.0, wall=2.25)
    assert phases == {
        "before the play": 0.5,
        "task validate_argument_spec": 0.1,
        "task kerio_user_import": 0.9,
        "between the tasks": 0.5,  # 0.1 before the first task, 0.2 between them, 0.2 after the last
        "after the recap": 0.25,
    }
    assert sum(phases.values()) == pytest.approx(2.25)


def test_a_task_without_a_result_lasts_until_the_recap():
    times = {"play": 1.0, "recap": 3.0, "tasks": [{"action": "fail", "start": 1.5, "end": None}]}
    assert phase_times(times, started=0.0, wall=3.5) == {
        "before the play": 1.0, "task fail": 1.5, "between the tasks": 0.5, "after the recap": 0.5}


def test_a_real_playbook_run_is_split_into_its_phases(tmp_path):
    """The callback, loaded the way the benchmark loads it, reports the play, both tasks and the recap."""
    playbook = tmp_path / "two_tasks.yml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=auto_silent\n", encoding="utf-8")

    run = Bench(parse_args(["--work-dir", str(tmp_path / "bench")])).playbook(playbook, inventory)

    assert list(run.phases) == ["before the play", "task debug", "task assert", "between the tasks", "after the recap"]
    assert all(seconds >= 0 for seconds in run.phases.values())
    assert run.phases["task debug"] > 0 and run.phases["task assert"] > 0
    assert sum(run.phases.values()) == pytest.approx(run.wall, abs=0.001)  # rounded to 0.1 ms each
