# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by every test folder."""

from __future__ import annotations

import itertools

import pytest

from ansible_collections.kerio.connect.tests.emulator.harness import start_emulator
from ansible_collections.kerio.connect.tests.playbook_runner import IMPORT_USERS, run_playbook


@pytest.fixture
def emulator(tmp_path):
    """A fresh Kerio emulator for one test: primary domain example.com, admin / Admin-Pa55."""
    running = start_emulator(tmp_path / "emulator")
    yield running
    running.stop()


@pytest.fixture
def emulator_factory(tmp_path):
    """start(seed=..., licence_limit=..., latency_ms=..., extra_args=..., workdir=...) -> a started emulator.

    Each call gets its own folder unless ``workdir`` is given (pass the same one to restart on the same
    state file). Everything started is stopped after the test.
    """
    started = []
    numbers = itertools.count(1)

    def start(workdir=None, **options):
        running = start_emulator(workdir or tmp_path / f"emulator-{next(numbers)}", **options)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def playbook_runner(tmp_path):
    """run(playbook=playbooks/import_users.yml, inventory=..., check=, diff=, extra_args=) -> PlaybookRun"""
    def run(playbook=IMPORT_USERS, inventory=None, **kwargs):
        return run_playbook(playbook, inventory, tmp_path, **kwargs)
    return run
