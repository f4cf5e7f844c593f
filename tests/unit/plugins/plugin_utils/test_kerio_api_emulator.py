# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Kerio API client against the emulator, over real HTTPS on loopback.

The ``emulator`` fixture (tests/conftest.py) starts a fresh emulator per test; its statistics
show what really reached the server, which is what retry and batching promises are about.
"""

from __future__ import annotations

import logging

import pytest

from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import (
    KerioApiError,
    KerioClient,
    KerioConnectionError,
    removal_request,
)

DOMAIN = "example.com"
USER_PASSWORD = "Us3r-Pa55word!"


def connect(emulator, **options):
    options.setdefault("ca_path", emulator.ca_path)
    options.setdefault("backoff", 0.01)
    options.setdefault("timeout", 10)
    return KerioClient(emulator.url, options.pop("user", emulator.admin_user), options.pop("password", emulator.admin_password), **options)


def calls(emulator, method):
    return emulator.stats().get(method, 0)


def new_users(domain_id, names):
    return [{"domainId": domain_id, "loginName": name, "fullName": name.title(), "password": USER_PASSWORD, "isEnabled": True}
            for name in names]


def test_login_call_logout(emulator):
    with connect(emulator) as client:
        who = client.call("Session.whoAmI")
        assert who["userDetails"]["loginName"].lower() == emulator.admin_user.lower()
        assert client.call("Version.getApiVersion")["apiVersion"]
    assert calls(emulator, "Session.login") == 1 and calls(emulator, "Session.logout") == 1
    assert client.call_counts["Session.whoAmI"] == 1


def test_logout_also_when_the_block_raises(emulator):
    with pytest.raises(RuntimeError):
        with connect(emulator):
            raise RuntimeError("the import failed")
    assert calls(emulator, "Session.logout") == 1


def test_the_session_needs_the_token_and_the_cookie(emulator):
    with connect(emulator) as client:
        session = client._session  # pylint: disable=protected-access
        token, session._token = session._token, None  # pylint: disable=protected-access
        with pytest.raises(KerioApiError) as info:
            session._call_with_retries("Session.whoAmI", None)  # pylint: disable=protected-access
        assert info.value.code == -32001, "no X-Token header"
        session._token = token  # pylint: disable=protected-access
        cookies = dict(session._http.cookies)  # pylint: disable=protected-access
        session._http.cookies.clear()  # pylint: disable=protected-access
        with pytest.raises(KerioApiError) as info:
            session._call_with_retries("Session.whoAmI", None)  # pylint: disable=protected-access
        assert info.value.code == -32001, "no session cookie"
        session._http.cookies.update(cookies)  # pylint: disable=protected-access
        assert client.call("Session.whoAmI")["userDetails"]


def test_wrong_password(emulator):
    with pytest.raises(KerioApiError) as info:
        with connect(emulator, password="Not-The-Pa55word"):
            pass
    assert info.value.method == "Session.login"
    assert "Username or password is not correct." in str(info.value)
    assert "Not-The-Pa55word" not in str(info.value) + repr(info.value)
    assert calls(emulator, "Session.logout") == 0


def test_tls_verification_against_the_emulator_ca(emulator):
    with connect(emulator, ca_path=emulator.ca_path) as client:
        assert client.find_domain(DOMAIN)


def test_tls_verification_without_the_ca_fails_clearly(emulator):
    with pytest.raises(KerioConnectionError) as info:
        with connect(emulator, ca_path=None, retries=3):
            pass
    message = str(info.value)
    assert "certificate verification failed" in message and "ca_path" in message and "validate_certs" in message
    assert emulator.url.rstrip("/") in message
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert calls(emulator, "Session.login") == 0


def test_validate_certs_false(emulator, recwarn):
    with connect(emulator, ca_path=None, validate_certs=False) as client:
        assert client.find_domain(DOMAIN)
    assert not [warning for warning in recwarn if "Unverified HTTPS" in str(warning.message)]


def test_expired_session_is_renewed(emulator):
    with connect(emulator) as client:
        domain = client.find_domain(DOMAIN)
        emulator.set_faults(expire_session_after=1)
        outcomes = client.create_users(new_users(domain["id"], ["exp1", "exp2", "exp3", "exp4"]), batch_size=1)
    assert all(outcome.ok for outcome in outcomes)
    assert calls(emulator, "Session.login") == 2
    assert {"exp1", "exp2", "exp3", "exp4"} <= set(emulator.users(DOMAIN))


def test_an_expired_session_is_renewed_for_who_am_i_too(emulator):
    with connect(emulator) as client:
        emulator.set_faults(expire_session_after=0)
        assert client.who_am_i()["loginName"] == emulator.admin_user
    assert calls(emulator, "Session.login") == 2


@pytest.mark.parametrize("action", ["http503", "drop"])
def test_reads_are_retried(emulator, action):
    with connect(emulator) as client:
        domain = client.find_domain(DOMAIN)
        emulator.reset_stats()
        emulator.set_faults(fail=[{"method": "Users.get", "nth": 1, "action": action},
                                  {"method": "Users.get", "nth": 2, "action": action}])
        users = client.list_users(domain["id"], ["loginName"])
    assert users and calls(emulator, "Users.get") == 3
    assert client.call_counts["Users.get"] == 3


def test_reads_give_up_after_the_retries(emulator):
    with connect(emulator, retries=2) as client:
        domain = client.find_domain(DOMAIN)
        emulator.set_faults(fail=[{"method": "Users.get", "nth": n, "action": "http503"} for n in (1, 2, 3)])
        with pytest.raises(KerioConnectionError, match="after 3 attempts"):
            client.list_users(domain["id"])


@pytest.mark.parametrize("action", ["http503", "drop"])
def test_writes_are_not_repeated(emulator, action):
    with connect(emulator, retries=5) as client:
        domain = client.find_domain(DOMAIN)
        emulator.reset_stats()
        emulator.set_faults(fail=[{"method": "Users.create", "nth": 1, "action": action}])
        with pytest.raises(KerioConnectionError) as info:
            client.create_users(new_users(domain["id"], ["once"]))
    assert info.value.outcome_unknown and "outcome of this write is unknown" in str(info.value)
    assert client.call_counts["Users.create"] == 1
    # Only the call the fault swallowed reached the emulator, and nothing was created.
    assert emulator.write_calls() == 1 and calls(emulator, "Users.create") == 1
    assert "once" not in emulator.users(DOMAIN)


def test_per_item_errors_map_back_to_the_inputs(emulator):
    with connect(emulator) as client:
        domain = client.find_domain(DOMAIN)
        first = client.create_users(new_users(domain["id"], ["dup1"]))
        assert first[0].ok and first[0].id
        emulator.set_faults(item_failures=["broken"])
        names = ["ok1", "dup1", "broken", "ok2", "ok2"]
        outcomes = client.create_users(new_users(domain["id"], names), batch_size=10)
    assert [outcome.index for outcome in outcomes] == [0, 1, 2, 3, 4]
    assert [outcome.ok for outcome in outcomes] == [True, False, False, True, False]
    assert outcomes[1].error.code == 1001 and "dup1" in outcomes[1].error.message and "%1" not in outcomes[1].error.message
    assert outcomes[2].error.message and outcomes[2].id is None
    assert outcomes[0].id.startswith("keriodb://user/")
    server = emulator.users(DOMAIN)
    assert {"ok1", "ok2", "dup1"} <= set(server) and "broken" not in server
    assert client.call_counts["Users.create"] == 2


def test_a_server_that_applies_batches_all_or_nothing_still_gets_the_good_items(emulator):
    emulator.set_faults(atomic_batches=True, item_failures=["broken"])
    names = [f"atom{n}" for n in range(6)] + ["broken"] + [f"atom{n}" for n in range(6, 9)]
    with connect(emulator) as client:
        domain = client.find_domain(DOMAIN)
        emulator.reset_stats()
        outcomes = client.create_users(new_users(domain["id"], names), batch_size=10)
    assert [names[outcome.index] for outcome in outcomes if not outcome.ok] == ["broken"]
    assert "broken" in outcomes[6].error.message
    assert set(emulator.users(DOMAIN)) >= set(names) - {"broken"} and "broken" not in emulator.users(DOMAIN)
    # The batch, then the halves down to the bad item: 1 + 2 * 3 calls for 10 items.
    assert calls(emulator, "Users.create") == 7


def test_two_refused_items_of_an_all_or_nothing_batch_are_both_found_whatever_the_message(emulator_factory):
    # The password policy's message names no user, so the two refusals read the same.
    seed = {"domains": [{"name": DOMAIN, "isPrimary": True, "passwordComplexityEnabled": True, "passwordMinimumLength": 8}]}
    emulator = emulator_factory(seed=seed)
    emulator.set_faults(atomic_batches=True)
    with connect(emulator) as client:
        domain = client.find_domain(DOMAIN)
        users = new_users(domain["id"], [f"pol{n}" for n in range(10)])
        users[1]["password"] = users[7]["password"] = "weak"
        outcomes = client.create_users(users, batch_size=10)
    assert [outcome.index for outcome in outcomes if not outcome.ok] == [1, 7]
    assert len([name for name in emulator.users(DOMAIN) if name.startswith("pol")]) == 8


def test_paging_across_several_pages(emulator):
    with connect(emulator) as client:
        domain = client.find_domain(DOMAIN)
        client.create_users(new_users(domain["id"], [f"page{n:02}" for n in range(23)]), batch_size=50)
        expected = set(emulator.users(DOMAIN))
        emulator.reset_stats()
        users = client.list_users(domain["id"], ["loginName", "fullName"], page_size=5)
    assert {user["loginName"] for user in users} == expected
    assert len(users) == len(expected) and all("id" in user for user in users)
    assert calls(emulator, "Users.get") == -(-len(expected) // 5)


def test_batching_counts(emulator):
    with connect(emulator) as client:
        domain = client.find_domain(DOMAIN)
        emulator.reset_stats()
        outcomes = client.create_users(new_users(domain["id"], [f"batch{n:02}" for n in range(25)]), batch_size=10)
        assert all(outcome.ok for outcome in outcomes)
        ids = [outcome.id for outcome in outcomes]
        assert all(outcome.ok for outcome in client.set_users(ids, {"description": "imported"}, batch_size=10))
    assert calls(emulator, "Users.create") == 3 and calls(emulator, "Users.set") == 3
    assert all(user["description"] == "imported" for name, user in emulator.users(DOMAIN).items() if name.startswith("batch"))


def test_group_membership(emulator):
    with connect(emulator) as client:
        domain = client.find_domain(DOMAIN)
        users = client.create_users(new_users(domain["id"], ["mem1", "mem2", "mem3"]))
        groups = client.create_groups([{"domainId": domain["id"], "name": "staff", "description": "", "emailAddresses": []}])
        assert groups[0].ok
        group_id = groups[0].id
        added = client.add_group_members(group_id, [outcome.id for outcome in users], batch_size=2)
        assert all(outcome.ok for outcome in added)
        members = client.list_users(domain["id"], ["loginName"], conditions=[{"fieldName": "userGroups", "comparator": "Eq", "value": group_id}])
        assert sorted(user["loginName"] for user in members) == ["mem1", "mem2", "mem3"]
        removed = client.remove_group_members(group_id, [users[0].id])
        assert removed[0].ok
        members = client.list_users(domain["id"], ["loginName"], conditions=[{"fieldName": "userGroups", "comparator": "Eq", "value": group_id}])
        assert sorted(user["loginName"] for user in members) == ["mem2", "mem3"]
        assert [group["name"] for group in client.list_groups(domain["id"], ["name"]) if group["name"] == "staff"] == ["staff"]
    assert calls(emulator, "Groups.addMemberList") == 2 and calls(emulator, "Groups.removeMemberList") == 1


def test_remove_users(emulator):
    with connect(emulator) as client:
        domain = client.find_domain(DOMAIN)
        created = client.create_users(new_users(domain["id"], ["gone1", "gone2"]))
        outcomes = client.remove_users([removal_request(created[0].id), removal_request(created[1].id, delete_mailbox=True)])
    assert all(outcome.ok for outcome in outcomes)
    assert not {"gone1", "gone2"} & set(emulator.users(DOMAIN))


def test_domain_and_other_helpers(emulator):
    with connect(emulator) as client:
        domain = client.find_domain(DOMAIN.upper())
        assert domain["name"] == DOMAIN and domain["id"].startswith("keriodb://domain/")
        assert client.find_domain("no-such-domain.test") is None
        assert DOMAIN in [d["name"] for d in client.list_domains()]
        assert isinstance(client.available_templates(domain["id"]), list)
        assert client.generate_password(domain["id"])
        assert "currentUsers" in client.user_count_info(domain["id"])


def test_secrets_are_absent_everywhere(emulator, caplog):
    secrets = (emulator.admin_password, USER_PASSWORD, "Wr0ng-Admin-Pa55")
    shown: list[str] = []
    messages: list[str] = []
    caplog.set_level(logging.DEBUG, logger="kerio.connect.api")

    def record(error):
        shown.extend([str(error), repr(error), repr(vars(error)), str(error.args)])

    with pytest.raises(KerioApiError) as info:
        with connect(emulator, password="Wr0ng-Admin-Pa55", log=messages.append):
            pass
    record(info.value)
    with pytest.raises(KerioConnectionError) as info:
        with connect(emulator, ca_path=None, log=messages.append):
            pass
    record(info.value)
    client = connect(emulator, log=messages.append)
    with client:
        shown.extend([repr(client), repr(vars(client)), repr(vars(client._session))])  # pylint: disable=protected-access
        domain = client.find_domain(DOMAIN)
        emulator.set_faults(item_failures=["bad"], expire_session_after=2,
                            fail=[{"method": "Users.get", "nth": 1, "action": "drop"}, {"method": "Users.set", "nth": 1, "action": "http503"}])
        outcomes = client.create_users(new_users(domain["id"], ["good", "bad", "good"]))
        shown.extend(repr(outcome) for outcome in outcomes)
        client.list_users(domain["id"])
        with pytest.raises(KerioConnectionError) as info:
            client.set_users([outcomes[0].id], {"password": USER_PASSWORD})
        record(info.value)
    shown.extend(messages)
    shown.extend(entry.getMessage() for entry in caplog.records)
    assert any("Users.create" in text for text in shown)
    for text in shown:
        for secret in secrets:
            assert secret not in text, text
