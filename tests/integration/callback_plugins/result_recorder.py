# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Writes each task result and the play recap to the JSON file named by KERIO_TEST_RESULTS.

The integration tests read it to assert on what a real ansible-playbook run returned, next to
the normal output a user sees.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: result_recorder
type: aggregate
short_description: Record task results as JSON for the integration tests
description:
  - Writes every task result and the recap to the file named by the environment variable E(KERIO_TEST_RESULTS).
options: {}
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "result_recorder"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tasks = []

    def _record(self, result, status):
        # ansible-core 2.19 made the host public; the oldest core the collection supports (2.16) has it private.
        host = result.host if hasattr(result, "host") else result._host  # pylint: disable=protected-access
        self._tasks.append({
            "task": result.task_name,
            "host": host.get_name(),
            "status": status,
            "result": json.loads(json.dumps(result._result, default=str)),  # pylint: disable=protected-access
        })

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_item_on_ok(self, result):
        self._record(result, "item_ok")

    def v2_runner_item_on_failed(self, result):
        self._record(result, "item_failed")

    def v2_playbook_on_stats(self, stats):
        recap = {host: stats.summarize(host) for host in sorted(stats.processed)}
        path = os.environ.get("KERIO_TEST_RESULTS")
        if path:
            with open(path, "w", encoding="utf-8") as results_file:
                json.dump({"tasks": self._tasks, "recap": recap}, results_file)
