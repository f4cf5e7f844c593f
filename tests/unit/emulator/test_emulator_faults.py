# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The test-only /emulator/ endpoints: statistics, injected faults, reset."""

from __future__ import annotations

import time

import pytest
import requests

from ansible_collections.kerio.connect.tests.emulator.harness import EmulatorError


def timed_call(client, method="Session.whoAmI") -> float:
    started = time.monotonic()
    client.result(method)
    return time.monotonic() - started


def test_stats_count_calls_per_method_and_writes(client, emu):
    emu.reset_stats()
    client.logins()
    client.result("Users.create", {"users": [client.new_user("counted")]})
    client.result("Groups.addMemberList", {"groupId": client.group_id("sales"), "userList": [client.user_id("counted")]})
    client.error("No.such")
    stats = emu.stats()
    assert stats == {"Domains.get": 4, "Users.get": 2, "Users.create": 1, "Groups.get": 1, "Groups.addMemberList": 1, "No.such": 1}
    assert emu.write_calls() == 2
    assert set(emu.server_seconds()) == set(stats)
    emu.reset_stats()
    assert emu.stats() == {}


def test_latency_is_added_to_every_call(client, emu):
    emu.set_faults(latency_ms=300)
    assert timed_call(client) >= 0.3
    emu.set_faults()
    assert timed_call(client) < 0.3


def test_the_latency_option_delays_every_call(emulator_factory, client_for):
    client = client_for(emulator_factory(latency_ms=250))
    assert timed_call(client) >= 0.25


def test_the_nth_call_of_a_method_gets_http_503(client, emu):
    emu.set_faults(fail=[{"method": "Session.whoAmI", "nth": 2, "action": "http503"}])
    assert client.call("Session.whoAmI")["result"]
    response = client.post({"jsonrpc": "2.0", "id": 1, "method": "Session.whoAmI"})
    assert response.status_code == 503
    assert client.call("Session.whoAmI")["result"]
    assert emu.stats()["Session.whoAmI"] == 3


def test_a_dropped_call_closes_the_connection_without_an_answer(client, emu):
    emu.set_faults(fail=[{"method": "Users.get", "nth": 1, "action": "drop"}])
    with pytest.raises(requests.exceptions.ConnectionError):
        client.call("Users.get", {"query": {}, "domainId": client.domain_id()})
    assert client.logins()


def test_sessions_expire_after_n_more_authenticated_calls(client, make_client, emu):
    other = make_client()
    emu.set_faults(expire_session_after=2)
    client.result("Session.whoAmI")
    other.result("Session.whoAmI")
    assert client.error("Session.whoAmI")["code"] == -32001
    assert other.error("Session.whoAmI")["code"] == -32001
    client.login()
    assert client.result("Session.whoAmI")


def test_item_failures_fail_create_set_and_remove_items_of_those_users(client, emu):
    emu.set_faults(item_failures=["ASmith", "doomed"])
    created = client.result("Users.create", {"users": [client.new_user("doomed"), client.new_user("lucky")]})
    assert [(error["inputIndex"], error["code"], error["message"]) for error in created["errors"]] == [(0, 1000, "Simulated failure for %1.")]
    assert created["errors"][0]["messageParameters"]["positionalParameters"] == ["doomed"]
    updated = client.result("Users.set", {"userIds": [client.user_id("jdoe"), client.user_id("asmith")], "pattern": {"description": "x"}})
    assert [error["inputIndex"] for error in updated["errors"]] == [1]
    removed = client.result("Users.remove", {"requests": [{"userId": client.user_id("asmith"), "method": "UDeleteUser"}]})
    assert [error["code"] for error in removed["errors"]] == [1000]
    assert set(emu.users()) == {"admin", "jdoe", "asmith", "bwhite", "Carl.Young", "lucky"}


def test_atomic_batches_make_one_bad_item_fail_the_whole_call_and_undo_the_others(client, emu):
    emu.set_faults(atomic_batches=True)
    before = emu.state()
    error = client.error("Users.create", {"users": [client.new_user("first"), client.new_user("jdoe"), client.new_user("third")]})
    assert (error["code"], error["message"]) == (1001, "User %1 already exists.")
    assert error["data"]["messageParameters"]["positionalParameters"] == ["jdoe"]
    sales = client.group_id("sales")
    error = client.error("Groups.addMemberList", {"groupId": sales, "userList": [client.user_id("asmith"), "keriodb://user/none/none"]})
    assert error["code"] == 1002
    error = client.error("Users.set", {"userIds": [client.user_id("asmith"), "keriodb://user/none/none"], "pattern": {"description": "x"}})
    assert error["code"] == 1002
    assert emu.state() == before
    assert client.logins(conditions=[{"fieldName": "description", "comparator": "Eq", "value": "x"}]) == []
    # A batch without a bad item is applied as usual.
    created = client.result("Users.create", {"users": [client.new_user("first"), client.new_user("third")]})
    assert (created["errors"], [entry["inputIndex"] for entry in created["result"]]) == ([], [0, 1])


def test_a_new_fault_config_replaces_the_old_one(client, emu):
    emu.set_faults(item_failures=["lucky"])
    emu.set_faults(latency_ms=0)
    assert client.result("Users.create", {"users": [client.new_user("lucky")]})["errors"] == []


def test_a_bad_fault_config_is_refused(emu):
    with pytest.raises(EmulatorError):
        emu.set_faults(fail=[{"method": "Users.get", "nth": 1, "action": "explode"}])
    with pytest.raises(EmulatorError):
        emu.set_faults(slow=True)


def test_reset_goes_back_to_the_seed_and_ends_sessions(client, emu):
    client.result("Users.create", {"users": [client.new_user("temporary")]})
    jdoe = client.user_id("jdoe")
    emu.reset()
    assert "temporary" not in emu.users()
    assert emu.users()["jdoe"]["id"] == jdoe  # seeded ids are stable
    assert client.error("Session.whoAmI")["code"] == -32001


def test_unknown_control_endpoints_are_not_found(emu):
    response = requests.get(emu.url + "/emulator/nothing", verify=emu.ca_path, timeout=10)
    assert response.status_code == 404
