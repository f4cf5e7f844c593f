# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Users.create / set / remove (reference §6): what a real server refuses, per item, while the rest goes through."""

from __future__ import annotations

import hashlib
import re

import pytest

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def create(client, *users) -> dict:
    return client.result("Users.create", {"users": list(users)})


def assert_only_failure(result: dict, index: int, code: int, total: int) -> dict:
    """Exactly item ``index`` failed with ``code``; every other of the ``total`` items was created."""
    assert [error["inputIndex"] for error in result["errors"]] == [index], result
    assert [created["inputIndex"] for created in result["result"]] == [i for i in range(total) if i != index]
    error = result["errors"][0]
    assert error["code"] == code
    assert set(error["messageParameters"]) == {"positionalParameters", "plurality"}
    return error


def test_created_users_get_ids_of_the_documented_format(client, emu):
    result = create(client, client.new_user("new.one"))
    domain_id = client.domain_id()
    assert re.fullmatch(f"keriodb://domain/({UUID})", domain_id)
    domain_uuid = domain_id.rsplit("/", 1)[1]
    assert result == {"errors": [], "result": [{"inputIndex": 0, "id": result["result"][0]["id"]}]}
    assert re.fullmatch(f"keriodb://user/{domain_uuid}/{UUID}", result["result"][0]["id"])
    group = client.result("Groups.create", {"groups": [{"domainId": domain_id, "name": "new group"}]})["result"][0]["id"]
    assert re.fullmatch(f"keriodb://group/{domain_uuid}/{UUID}", group)
    assert emu.users()["new.one"]["id"] == result["result"][0]["id"]


def test_read_only_members_get_plausible_defaults(client):
    create(client, client.new_user("fresh"))
    user = client.users(conditions=[{"fieldName": "loginName", "comparator": "Eq", "value": "fresh"}])[0]
    assert user["itemSource"] == "DSInternalSource"
    assert user["authType"] == "UInternalAuth"
    assert user["role"] == {"userRole": "UserRole", "publicFolderRight": False, "archiveFolderRight": False}
    assert user["effectiveRole"]["userRole"] == "UserRole"
    assert user["consumedSize"]["value"] == 0
    assert user["diskSizeLimit"]["isActive"] is False
    assert user["isEnabled"] is True


def test_the_password_is_never_returned_but_is_set(client, emu):
    create(client, client.new_user("secretive", password="Pw-for-secretive1"))
    for fields in ([], ["loginName", "password"]):
        for user in client.users(fields=fields):
            assert "password" not in user
    stored = emu.users()["secretive"]
    assert stored["hasPassword"] is True
    assert stored["passwordSha256"] == hashlib.sha256(b"Pw-for-secretive1").hexdigest()
    assert "password" not in stored


@pytest.mark.parametrize("login_name", ["JDOE", "jdoe", "Carl.young"])
def test_login_names_are_unique_case_insensitively(client, login_name):
    result = create(client, client.new_user("ok.before"), client.new_user(login_name), client.new_user("ok.after"))
    error = assert_only_failure(result, 1, 1001, 3)
    assert error["message"] == "User %1 already exists."
    assert error["messageParameters"]["positionalParameters"] == [login_name]


def test_a_duplicate_inside_one_call_is_refused_too(client):
    result = create(client, client.new_user("twin"), client.new_user("Twin"))
    assert_only_failure(result, 1, 1001, 2)


@pytest.mark.parametrize("login_name", ["with space", "at@sign", "ümlaut", "comma,name", ".leading", "trailing.", "double..dot", "x" * 65, "",
                                        "line.break\n"])
def test_login_names_are_ascii_letters_digits_dot_underscore_hyphen(client, login_name):
    result = create(client, client.new_user(login_name), client.new_user("fine_name-1.x"))
    assert_only_failure(result, 0, 1000, 2)


@pytest.mark.parametrize("address", ["john.doe", "JOHN.DOE", "sales", "helpdesk", "info", "asmith", "Carl.Young"])
def test_an_address_belongs_to_one_user_group_or_alias(client, address):
    """Taken by: jdoe's address, the sales and support groups, the info alias, login names."""
    result = create(client, client.new_user("x1"), client.new_user("x2", emailAddresses=["free.address", address]))
    assert_only_failure(result, 1, 1001, 2)


def test_a_login_name_cannot_take_an_address_of_another_user(client):
    result = create(client, client.new_user("john.doe"), client.new_user("unrelated"))
    assert_only_failure(result, 0, 1001, 2)


def test_the_login_name_is_not_listed_among_the_addresses(client):
    # "His default one (loginName) is not listed here" (reference §6.1); the web admin sends it all the
    # same when it creates the users Users.parseFromCsv returns (Ex 9-B).
    assert create(client, client.new_user("self.listed", emailAddresses=["Self.Listed", "other.one"]))["errors"] == []
    client.result("Users.set", {"userIds": [client.user_id("jdoe")], "pattern": {"emailAddresses": ["JDoe", "john.doe"]}})
    listed = {user["loginName"]: user["emailAddresses"] for user in client.users(fields=["loginName", "emailAddresses"])}
    assert listed["self.listed"] == ["other.one"]
    assert listed["jdoe"] == ["john.doe"]


@pytest.mark.parametrize("address", ["x@example.com", "two words", "", "line.break\n"])
def test_email_addresses_are_local_parts(client, address):
    result = create(client, client.new_user("local.only", emailAddresses=[address]), client.new_user("fine"))
    assert_only_failure(result, 0, 1000, 2)


def test_the_domain_user_limit_counts_enabled_users(client):
    """strict.test allows 3 users and has 1; a disabled user does not count."""
    users = [client.new_user(name, "strict.test") for name in ("s1", "s2", "s3")]
    disabled = client.new_user("s4", "strict.test", isEnabled=False)
    result = create(client, users[0], disabled, users[1], users[2])
    assert_only_failure(result, 3, 1003, 4)


def test_the_licence_limit_counts_enabled_users_of_the_whole_server(licensed_client):
    client = licensed_client(6)  # the seed has 5 enabled users (admin counts too)
    result = create(client, client.new_user("l1", isEnabled=False), client.new_user("l2"), client.new_user("l3"), client.new_user("l4", isEnabled=False))
    error = assert_only_failure(result, 2, 1003, 4)
    assert "licen" in error["message"].lower()


def test_the_password_policy_of_the_domain(client):
    weak = [client.new_user(f"w{number}", "strict.test", password=password)
            for number, password in enumerate(["Short-1", "alllowercase1", "longbutsimple"])]
    good = client.new_user("strong", "strict.test", password="Str0ng-enough")
    result = client.result("Users.create", {"users": [*weak, good]})
    assert [error["inputIndex"] for error in result["errors"]] == [0, 1, 2]
    assert all(error["code"] == 1000 for error in result["errors"])
    assert [created["inputIndex"] for created in result["result"]] == [3]


def test_a_complex_password_has_at_least_8_characters_whatever_the_domains_minimum(emulator_factory, client_for):
    seed = {"domains": [{"name": "lax.test", "isPrimary": True, "passwordComplexityEnabled": True, "passwordMinimumLength": 0}]}
    client = client_for(emulator_factory(seed=seed))
    users = [client.new_user("seven", "lax.test", password="Ab1-xyz"), client.new_user("eight", "lax.test", password="Ab1-wxyz")]
    result = client.result("Users.create", {"users": users})
    assert [error["inputIndex"] for error in result["errors"]] == [0] and [created["inputIndex"] for created in result["result"]] == [1]


def test_a_complex_password_holds_none_of_the_users_names(client):
    # Kerio's manual: not the domain, not the login name, no part of the full name longer than 2 characters.
    refused = [client.new_user("jsmith", "strict.test", fullName="John Smithson", password="Jsmith-2024x"),
               client.new_user("kbrown", "strict.test", fullName="Karen Brownlee", password="Brownlee#99x"),
               client.new_user("ldom", "strict.test", password="Strict.test-1")]
    accepted = [client.new_user("jo", "strict.test", fullName="Jo Li", password="Jo-Li-2024-ok")]  # parts of 2 characters
    result = client.result("Users.create", {"users": [*refused, *accepted]})
    assert [error["inputIndex"] for error in result["errors"]] == [0, 1, 2]
    assert [created["inputIndex"] for created in result["result"]] == [3]
    user_id = result["result"][0]["id"]
    # Users.set checks it against the names the user has after the change.
    (error,) = client.result("Users.set", {"userIds": [user_id], "pattern": {"fullName": "Okay Person", "password": "Okay-Pa55word"}})["errors"]
    assert error["code"] == 1000
    assert not client.result("Users.set", {"userIds": [user_id], "pattern": {"fullName": "Okay Person", "password": "Fine-Pa55word"}})["errors"]


@pytest.mark.parametrize("password", [None, ""])
def test_a_password_is_required_for_internal_authentication(client, password):
    user = client.new_user("no.password")
    if password is None:
        del user["password"]
    else:
        user["password"] = password
    result = create(client, user, client.new_user("with.password"))
    assert_only_failure(result, 0, 1000, 2)


def test_kerberos_users_need_no_password(client):
    user = client.new_user("kerberos.user", authType="UKerberosAuth")
    del user["password"]
    assert create(client, user)["errors"] == []


def test_a_user_switched_to_internal_sign_in_needs_a_password(client):
    user = client.new_user("switching.user", authType="UKerberosAuth")
    del user["password"]
    (created,) = create(client, user)["result"]
    (error,) = client.result("Users.set", {"userIds": [created["id"]], "pattern": {"authType": "UInternalAuth"}})["errors"]
    assert error["code"] == 1000 and "password is required" in error["message"]
    pattern = {"authType": "UInternalAuth", "password": "Good-pass-123"}
    assert client.result("Users.set", {"userIds": [created["id"]], "pattern": pattern})["errors"] == []


def test_an_unknown_domain_fails_the_item(client):
    result = create(client, {**client.new_user("lost"), "domainId": "keriodb://domain/00000000-0000-4000-8000-000000000000"}, client.new_user("found"))
    assert_only_failure(result, 0, 1002, 2)


def test_built_in_roles_cannot_be_assigned(client):
    role = {"userRole": "BuiltInAdmin", "publicFolderRight": False, "archiveFolderRight": False}
    result = create(client, client.new_user("wannabe", role=role), client.new_user("plain"))
    assert_only_failure(result, 0, 1000, 2)


def test_user_groups_on_create_do_not_set_membership(client, emu):
    sales = {"id": client.group_id("sales"), "name": "sales"}
    assert create(client, client.new_user("hopeful", userGroups=[sales]))["errors"] == []
    assert emu.users()["hopeful"]["groups"] == []


def test_read_only_members_sent_on_create_are_ignored(client, emu):
    user = client.new_user("ro", id="keriodb://user/x/y", itemSource="DSLDAPSource", consumedItems=99,
                           effectiveRole={"userRole": "FullAdmin", "publicFolderRight": True, "archiveFolderRight": True})
    assert create(client, user)["errors"] == []
    stored = emu.users()["ro"]
    assert stored["id"] != "keriodb://user/x/y"
    assert (stored["itemSource"], stored["consumedItems"], stored["effectiveRole"]["userRole"]) == ("DSInternalSource", 0, "UserRole")


def test_set_changes_only_the_members_in_the_pattern(client, emu):
    before = emu.users()["jdoe"]
    assert client.result("Users.set", {"userIds": [client.user_id("jdoe")], "pattern": {"fullName": "Johnny Doe"}}) == {"errors": []}
    after = emu.users()["jdoe"]
    assert after["fullName"] == "Johnny Doe"
    assert {key: value for key, value in after.items() if key != "fullName"} == {key: value for key, value in before.items() if key != "fullName"}


def test_set_ignores_what_only_create_sets_and_the_name_of_the_access_policy(client, emu):
    """hasDefaultSpamRule is set on creation only, homeServer is read-only or write-once, of accessPolicy only id is writable."""
    server = {"id": "keriodb://server/other", "name": "other"}
    user = client.new_user("spam", hasDefaultSpamRule=True, homeServer=server, accessPolicy={"id": "policy-1", "name": "Made up"})
    assert create(client, user)["errors"] == []
    created = emu.users()["spam"]
    assert (created["hasDefaultSpamRule"], created["homeServer"], created["accessPolicy"]) == (True, server, {"id": "policy-1", "name": ""})
    pattern = {"hasDefaultSpamRule": False, "homeServer": {"id": "", "name": ""}, "accessPolicy": {"id": "policy-2", "name": "Other"},
               "migration": {"enabled": True}}
    assert client.result("Users.set", {"userIds": [client.user_id("spam")], "pattern": pattern}) == {"errors": []}
    updated = emu.users()["spam"]
    assert (updated["hasDefaultSpamRule"], updated["homeServer"], updated["accessPolicy"]) == (True, server, {"id": "policy-2", "name": ""})
    assert updated["migration"] == created["migration"]


def test_set_changes_the_password(client, emu):
    client.result("Users.set", {"userIds": [client.user_id("jdoe")], "pattern": {"password": "N3w-password"}})
    assert emu.users()["jdoe"]["passwordSha256"] == hashlib.sha256(b"N3w-password").hexdigest()


def test_set_applies_the_rules_per_item(client):
    ids = [client.user_id("asmith"), "keriodb://user/nobody/nothing", client.user_id("Carl.Young")]
    result = client.result("Users.set", {"userIds": ids, "pattern": {"emailAddresses": ["shared.address"]}})
    # asmith takes the address; the unknown id is 1002; Carl.Young then collides with asmith.
    assert [(error["inputIndex"], error["code"]) for error in result["errors"]] == [(1, 1002), (2, 1001)]


def test_set_refuses_a_rename_onto_an_existing_login_name(client):
    result = client.result("Users.set", {"userIds": [client.user_id("asmith")], "pattern": {"loginName": "JDoe"}})
    assert [error["code"] for error in result["errors"]] == [1001]


def test_enabling_a_user_over_the_licence_fails(licensed_client):
    client = licensed_client(6)
    create(client, client.new_user("on"), client.new_user("off", isEnabled=False))
    result = client.result("Users.set", {"userIds": [client.user_id("off")], "pattern": {"isEnabled": True}})
    assert [error["code"] for error in result["errors"]] == [1003]


def test_remove_lists_only_failures_and_drops_memberships(client, emu):
    requests_ = [
        {"userId": client.user_id("jdoe"), "method": "UDeleteUser", "removeReferences": True, "targetUserId": "", "mode": "DSModeDelete"},
        {"userId": "keriodb://user/nobody/nothing", "method": "UDeleteFolder"},
        {"userId": client.user_id("bwhite"), "method": "UMoveFolder", "removeReferences": False, "targetUserId": client.user_id("asmith")},
    ]
    result = client.result("Users.remove", {"requests": requests_})
    assert [(error["inputIndex"], error["code"]) for error in result["errors"]] == [(1, 1002)]
    assert set(emu.users()) == {"admin", "asmith", "Carl.Young"}
    sales = next(group for group in emu.state()["domains"][0]["groups"] if group["name"] == "sales")
    assert sales["members"] == []


def test_remove_with_move_folder_needs_an_existing_target(client):
    request = {"userId": client.user_id("jdoe"), "method": "UMoveFolder", "targetUserId": "keriodb://user/nobody/nothing"}
    assert [error["code"] for error in client.result("Users.remove", {"requests": [request]})["errors"]] == [1002]


def test_the_logged_in_administrator_cannot_remove_itself(client):
    request = {"userId": client.user_id("admin"), "method": "UDeleteUser"}
    assert [error["code"] for error in client.result("Users.remove", {"requests": [request]})["errors"]] == [1000]


def test_a_removed_login_name_and_its_addresses_are_free_again(client):
    client.result("Users.remove", {"requests": [{"userId": client.user_id("jdoe"), "method": "UDeleteUser"}]})
    assert create(client, client.new_user("jdoe", emailAddresses=["john.doe"]))["errors"] == []


def test_user_groups_in_set_are_type_checked_and_ignored(client, emu):
    result = client.result("Users.set", {"userIds": [client.user_id("asmith")], "pattern": {"userGroups": [{"id": client.group_id("sales")}]}})
    assert result == {"errors": []}
    assert emu.users()["asmith"]["groups"] == ["support"]
    error = client.error("Users.set", {"userIds": [client.user_id("asmith")], "pattern": {"userGroups": [{"id": 1}]}})
    assert error["code"] == -32602
