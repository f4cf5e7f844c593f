# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""API calls grow with N / batch_size, not with N: the emulator counts them, the formula predicts them.

The formula is tests/benchmarks/api_calls.py (its docstring states it); the benchmark checks the
same formula at 1,000 to 100,000 users. Here 1,050 users go through import_users.yml with two
batch sizes: initial import, re-run, then 1% of the users changed.
"""

from __future__ import annotations

import math

import pytest

from ansible_collections.kerio.connect.tests.benchmarks.api_calls import declared_users, expected_calls
from ansible_collections.kerio.connect.tests.benchmarks.generate_users import users_with_changes, write_csv
from ansible_collections.kerio.connect.tests.playbook_runner import IMPORT_TASK, write_inventory

USERS = 1050
SEED = {"domains": [{"name": "example.com", "isPrimary": True, "userMaxCount": -1}]}


@pytest.mark.parametrize("batch_size", [100, 250])
def test_calls_per_method_follow_the_formula(batch_size, emulator_factory, tmp_path, playbook_runner):
    kerio = emulator_factory(seed=SEED)
    base, changed = users_with_changes(USERS), users_with_changes(USERS, 1)
    groups = sorted({group for user in base for group in user.groups})

    def run(users, name):
        path = tmp_path / name
        write_csv(path, users)
        inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "batch_size": batch_size, "sources": [{"type": "csv", "path": str(path)}]}])
        kerio.reset_stats()
        result = playbook_runner(inventory=inventory)
        assert result.returncode == 0, result.output
        calls = kerio.stats()
        assert result.result(IMPORT_TASK)["api_calls"] == calls  # the module counts what the server saw
        return calls

    # Initial import into a domain holding the admin only.
    calls = run(base, "users.csv")
    assert calls == expected_calls(declared_users(base), {}, batch_size=batch_size)
    assert calls["Users.create"] == math.ceil(USERS / batch_size)  # 11 or 5, not 1,050
    assert calls["Users.get"] == 1 and calls["Groups.create"] == 1
    # The checks before the first write: who holds the new users' addresses (some 2,000, one call) and the room left for them.
    assert calls["Server.findEntityByEmail"] == 1 and calls["Domains.getUserCountInfo"] == 1
    assert calls["Groups.addMemberList"] <= len(groups) + sum(len(user.groups) for user in base) / batch_size

    # Nothing changed: two pages of users (1,050 + the admin), one of groups, and not one write; no address is
    # given and nobody created, so the checks read nothing more.
    calls = run(base, "users.csv")
    assert calls == {"Session.login": 1, "Domains.get": 1, "Users.get": 2, "Groups.get": 1, "Session.logout": 1}
    assert kerio.write_calls() == 0  # the emulator's own count of state-changing calls

    # 1% changed: a department move shared by several users is one call, a new full name one call each.
    calls = run(changed, "users-changed.csv")
    assert calls == expected_calls(declared_users(changed), declared_users(base), batch_size=batch_size,
                                   existing_groups=groups)
    assert 0 < calls["Users.set"] <= math.ceil(USERS / 100)
