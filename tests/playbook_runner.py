# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs real ansible-playbook processes against the emulator and reads back what they returned."""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import subprocess
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[1]
CALLBACKS = pathlib.Path(__file__).resolve().parent / "integration" / "callback_plugins"
IMPORT_USERS = REPO / "playbooks" / "import_users.yml"
# The name of the role's import task, whose results the tests read.
IMPORT_TASK = "Import users into each Kerio domain"


@dataclasses.dataclass
class PlaybookRun:
    returncode: int
    output: str
    tasks: list[dict]
    recap: dict[str, dict]

    def results(self, task_name: str) -> list[dict]:
        """The results of a task: one per loop item for a looped task, else the one result."""
        # ansible-core 2.21 names a role's task "role : task"; earlier versions just "task".
        mine = [task for task in self.tasks if task["task"] == task_name or task["task"].endswith(f" : {task_name}")]
        items = [task["result"] for task in mine if task["status"].startswith("item_")]
        found = items or [task["result"] for task in mine]
        assert found, f"task {task_name!r} did not run; tasks: {[task['task'] for task in self.tasks]}\n{self.output}"
        return found

    def result(self, task_name: str) -> dict:
        (result,) = self.results(task_name)
        return result

    @property
    def changed(self) -> int:
        return sum(host["changed"] for host in self.recap.values())

    @property
    def failed(self) -> int:
        return sum(host["failures"] for host in self.recap.values())


def run_playbook(playbook, inventory, tmp_path, *, check=False, diff=False, extra_args=(), env=None) -> PlaybookRun:
    results_path = tmp_path / f"results-{len(list(tmp_path.glob('results-*')))}.json"
    command = [
        str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory), str(playbook), *extra_args,
    ]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    run_env = dict(
        os.environ,
        # The collection under test, never a copy another tool (ansible-lint) left elsewhere.
        ANSIBLE_COLLECTIONS_PATH=str(REPO / "build" / "collections"),
        ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS),
        ANSIBLE_CALLBACKS_ENABLED="result_recorder",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_HOST_KEY_CHECKING="0",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        KERIO_TEST_RESULTS=str(results_path),
    )
    run_env.update(env or {})
    completed = subprocess.run(command, capture_output=True, text=True, env=run_env, cwd=REPO, timeout=600, check=False)
    output = completed.stdout + completed.stderr
    assert "Traceback" not in output, output
    recorded = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {"tasks": [], "recap": {}}
    return PlaybookRun(completed.returncode, output, recorded["tasks"], recorded["recap"])


def write_inventory(tmp_path, emulator, domains, *, host_vars=None, name="inventory.yml") -> pathlib.Path:
    """An inventory with one Kerio server, the emulator, holding ``domains`` (user_import_domains).

    A variable that ``host_vars`` gives as None is left out.
    """
    host = {
        "ansible_connection": "local",
        "kerio_url": emulator.url,
        "kerio_user": emulator.admin_user,
        "kerio_password": emulator.admin_password,
        "kerio_ca_path": emulator.ca_path,
        "user_import_domains": domains,
    }
    host.update(host_vars or {})
    host = {name: value for name, value in host.items() if value is not None}
    inventory = {"kerio_servers": {"hosts": {"kerio-emulator": host}}}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(inventory, allow_unicode=True), encoding="utf-8")
    return path
