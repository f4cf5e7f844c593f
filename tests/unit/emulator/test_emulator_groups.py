# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Groups and membership (reference §7). Seed: sales = jdoe, bwhite; support = asmith, bwhite."""

from __future__ import annotations

import pytest


def members(emu, group_name: str) -> list[str]:
    return next(group for group in emu.state()["domains"][0]["groups"] if group["name"] == group_name)["members"]


def test_add_member_list_takes_user_list(client, emu):
    result = client.result("Groups.addMemberList", {"groupId": client.group_id("sales"), "userList": [client.user_id("asmith"), client.user_id("Carl.Young")]})
    assert result == {"errors": []}
    assert members(emu, "sales") == ["Carl.Young", "asmith", "bwhite", "jdoe"]


def test_remove_member_list_takes_user_ids(client, emu):
    result = client.result("Groups.removeMemberList", {"groupId": client.group_id("sales"), "userIds": [client.user_id("jdoe")]})
    assert result == {"errors": []}
    assert members(emu, "sales") == ["bwhite"]


@pytest.mark.parametrize("method, member_param", [("Groups.addMemberList", "userList"), ("Groups.removeMemberList", "userIds")])
def test_unknown_users_fail_per_item_and_the_others_go_through(client, method, member_param):
    user_ids = ["keriodb://user/nobody/nothing", client.user_id("Carl.Young")]
    result = client.result(method, {"groupId": client.group_id("support"), member_param: user_ids})
    assert [(error["inputIndex"], error["code"]) for error in result["errors"]] == [(0, 1002)]


@pytest.mark.parametrize("method, member_param", [("Groups.addMemberList", "userList"), ("Groups.removeMemberList", "userIds")])
def test_an_unknown_group_fails_the_call(client, method, member_param):
    error = client.error(method, {"groupId": "keriodb://group/nothing/here", member_param: [client.user_id("jdoe")]})
    assert error["code"] == 1002


def test_a_user_of_another_domain_cannot_join(client):
    result = client.result("Groups.addMemberList", {"groupId": client.group_id("sales"), "userList": [client.user_id("first", "strict.test")]})
    assert [error["code"] for error in result["errors"]] == [1000]


def test_membership_shows_in_user_groups(client):
    client.result("Groups.addMemberList", {"groupId": client.group_id("sales"), "userList": [client.user_id("asmith")]})
    user = client.users(fields=["loginName", "userGroups"], conditions=[{"fieldName": "loginName", "comparator": "Eq", "value": "asmith"}])[0]
    assert user["userGroups"] == [
        {"id": client.group_id("sales"), "name": "sales", "description": "Sales team", "itemSource": "DSInternalSource"},
        {"id": client.group_id("support"), "name": "support", "description": "Support team", "itemSource": "DSInternalSource"},
    ]


def test_create_set_and_remove_groups(client, emu):
    domain_id = client.domain_id()
    created = client.result("Groups.create", {"groups": [
        {"domainId": domain_id, "name": "marketing", "description": "Marketing", "emailAddresses": ["marketing"], "publishInGal": True,
         "hasDomainRestriction": False, "role": "UserRole"},
        {"domainId": domain_id, "name": "SALES"},  # names are unique case-insensitively
        {"domainId": domain_id, "name": "pr", "emailAddresses": ["john.doe"]},  # an address of jdoe
        {"domainId": domain_id, "name": "legal", "role": {"userRole": "Auditor", "publicFolderRight": False, "archiveFolderRight": False}},
    ]})
    assert [(error["inputIndex"], error["code"]) for error in created["errors"]] == [(1, 1001), (2, 1001)]
    marketing = created["result"][0]["id"]
    assert client.result("Groups.set", {"groupIds": [marketing], "pattern": {"description": "Marketing and PR"}}) == {"errors": []}
    renamed = client.result("Groups.set", {"groupIds": [marketing], "pattern": {"name": "Support"}})
    assert [error["code"] for error in renamed["errors"]] == [1001]
    removed = client.result("Groups.remove", {"requests": [{"groupId": marketing, "mode": "DSModeDelete"}, {"groupId": "keriodb://group/x/y"}]})
    assert [(error["inputIndex"], error["code"]) for error in removed["errors"]] == [(1, 1002)]
    assert sorted(group["name"] for group in emu.state()["domains"][0]["groups"]) == ["legal", "sales", "support"]


def test_removing_a_group_removes_its_memberships(client, emu):
    client.result("Groups.remove", {"requests": [{"groupId": client.group_id("sales")}]})
    assert emu.users()["jdoe"]["groups"] == []
    assert emu.users()["bwhite"]["groups"] == ["support"]
    assert client.result("Groups.create", {"groups": [{"domainId": client.domain_id(), "name": "new sales", "emailAddresses": ["sales"]}]})["errors"] == []


def test_a_group_role_raises_the_effective_role_of_its_members(client):
    client.result("Groups.set", {"groupIds": [client.group_id("support")], "pattern": {"role": "AccountAdmin"}})
    user = client.users(fields=["groupRole", "effectiveRole", "role"], conditions=[{"fieldName": "loginName", "comparator": "Eq", "value": "asmith"}])[0]
    assert (user["role"]["userRole"], user["groupRole"]["userRole"], user["effectiveRole"]["userRole"]) == ("UserRole", "AccountAdmin", "AccountAdmin")
