# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""When a benchmarked ansible-playbook run reaches the play, each task and the recap: for run_benchmarks.py.

The benchmark points ANSIBLE_CALLBACK_PLUGINS here and names a file in BENCH_PHASE_TIMES_FILE;
this callback writes one JSON object to it at the recap. Times are ``time.monotonic()``, the
clock the benchmark reads when it starts and reaps the process, so the two can be subtracted.
It uses the public callback API only, and runs in the controller's main process: a task's time is
from its start to its first result, the worker's fork included.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: phase_times
type: aggregate
short_description: when the play, each task and the recap happen (kerio.connect benchmark only)
description: Writes monotonic times to the file named by BENCH_PHASE_TIMES_FILE; does nothing without it.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "phase_times"
    CALLBACK_NEEDS_ENABLED = False  # the benchmark enables it by pointing ANSIBLE_CALLBACK_PLUGINS here

    def __init__(self):
        super().__init__()
        self._path = os.environ.get("BENCH_PHASE_TIMES_FILE")
        self._times = {"play": None, "tasks": [], "recap": None}

    def v2_playbook_on_play_start(self, play):
        self._times["play"] = time.monotonic()

    def v2_playbook_on_task_start(self, task, is_conditional):
        # The short action name: the role's argument check is validate_argument_spec, the import kerio_user_import.
        self._times["tasks"].append({"action": task.action.rsplit(".", 1)[-1], "start": time.monotonic(), "end": None})

    def _task_done(self, *_args, **_kwargs):
        tasks = self._times["tasks"]
        if tasks and tasks[-1]["end"] is None:
            tasks[-1]["end"] = time.monotonic()

    v2_runner_on_ok = v2_runner_on_failed = v2_runner_on_skipped = v2_runner_on_unreachable = _task_done

    def v2_playbook_on_stats(self, stats):
        self._times["recap"] = time.monotonic()
        if self._path:
            with open(self._path, "w", encoding="utf-8") as times_file:
                json.dump(self._times, times_file)
