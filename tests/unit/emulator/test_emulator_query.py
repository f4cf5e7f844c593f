# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The query engine of every *.get (reference §3, §6.2, §10).

Seeded example.com users, in creation order: admin, jdoe, asmith, bwhite (disabled), Carl.Young.
"""

from __future__ import annotations

import pytest

CREATION_ORDER = ["admin", "jdoe", "asmith", "bwhite", "Carl.Young"]


def where(field, comparator, value):
    return {"fieldName": field, "comparator": comparator, "value": value}


@pytest.mark.parametrize("condition, expected", [
    (where("loginName", "Eq", "JDOE"), ["jdoe"]),  # strings compare case-insensitively
    (where("loginName", "NotEq", "jdoe"), ["admin", "asmith", "bwhite", "Carl.Young"]),
    (where("loginName", "LessThan", "b"), ["admin", "asmith"]),
    (where("loginName", "GreaterThan", "c"), ["jdoe", "Carl.Young"]),
    (where("loginName", "LessEq", "asmith"), ["admin", "asmith"]),
    (where("loginName", "GreaterEq", "carl.young"), ["jdoe", "Carl.Young"]),
    (where("fullName", "Like", "doe"), ["jdoe"]),  # a substring, not a whole value
    (where("fullName", "Like", "o%n"), ["jdoe", "Carl.Young"]),  # % is the wildcard
    (where("emailAddresses", "Like", "john"), ["jdoe"]),
    (where("emailAddresses", "Eq", "john.doe"), ["jdoe"]),
    (where("isEnabled", "Eq", "false"), ["bwhite"]),
    (where("isEnabled", "NotEq", "false"), ["admin", "jdoe", "asmith", "Carl.Young"]),
    (where("itemSource", "Eq", "DSInternalSource"), CREATION_ORDER),
    (where("id", "Like", "keriodb://user/"), CREATION_ORDER),
])
def test_each_comparator(client, condition, expected):
    assert client.logins(conditions=[condition]) == expected


def test_numbers_compare_as_numbers(client):
    query = {"fields": ["name"], "conditions": [where("userMaxCount", "GreaterThan", "2")]}
    assert [domain["name"] for domain in client.result("Domains.get", {"query": query})["list"]] == ["strict.test"]


@pytest.mark.parametrize("condition", [
    where("isEnabled", "LessThan", "true"),
    where("isEnabled", "Eq", "maybe"),
    where("diskSizeLimit", "Eq", "x"),
    where("isWritableByMe", "Eq", "true"),
    where("password", "Eq", "Secret123"),
    where("nickName", "Eq", "x"),
    where("QUICKSEARCH", "LessThan", "x"),
    where("userGroups", "Like", "x"),
])
def test_conditions_a_server_cannot_evaluate_are_invalid_params(client, condition):
    error = client.error("Users.get", {"query": {"conditions": [condition]}, "domainId": client.domain_id()})
    assert error["code"] == -32602


def test_a_number_condition_needs_a_number(client):
    assert client.error("Domains.get", {"query": {"conditions": [where("userMaxCount", "Eq", "many")]}})["code"] == -32602


def test_and_needs_every_condition(client):
    conditions = [where("description", "Like", "sales"), where("isEnabled", "Eq", "true")]
    assert client.logins(conditions=conditions, combining="And") == ["jdoe"]


def test_or_needs_any_condition(client):
    conditions = [where("loginName", "Eq", "jdoe"), where("loginName", "Eq", "asmith")]
    assert client.logins(conditions=conditions, combining="Or") == ["jdoe", "asmith"]


def test_a_missing_combining_means_and(client):
    conditions = [where("loginName", "Eq", "jdoe"), where("loginName", "Eq", "asmith")]
    assert client.logins(conditions=conditions) == []


def test_item_source_cannot_be_used_with_or(client):
    query = {"conditions": [where("itemSource", "Eq", "DSInternalSource")], "combining": "Or"}
    assert client.error("Users.get", {"query": query, "domainId": client.domain_id()})["code"] == -32602


@pytest.mark.parametrize("order_by, expected", [
    ([], CREATION_ORDER),
    ([{"columnName": "loginName", "direction": "Asc"}], ["admin", "asmith", "bwhite", "Carl.Young", "jdoe"]),
    ([{"columnName": "loginName", "direction": "Desc"}], ["jdoe", "Carl.Young", "bwhite", "asmith", "admin"]),
    ([{"columnName": "loginName", "direction": "Asc", "caseSensitive": True}], ["Carl.Young", "admin", "asmith", "bwhite", "jdoe"]),
    ([{"columnName": "isEnabled", "direction": "Desc"}, {"columnName": "fullName", "direction": "Asc"}],
     ["admin", "asmith", "Carl.Young", "jdoe", "bwhite"]),
])
def test_order_by(client, order_by, expected):
    assert client.logins(orderBy=order_by) == expected


@pytest.mark.parametrize("column", ["diskSizeLimit", "emailAddresses", "nickName", "password"])
def test_order_by_a_column_that_has_no_order_is_invalid_params(client, column):
    query = {"orderBy": [{"columnName": column, "direction": "Asc"}]}
    assert client.error("Users.get", {"query": query, "domainId": client.domain_id()})["code"] == -32602


@pytest.mark.parametrize("start, limit, expected", [
    (0, -1, CREATION_ORDER),
    (1, 2, ["jdoe", "asmith"]),
    (4, 10, ["Carl.Young"]),
    (9, 10, []),
    (0, 0, []),
    (2, None, ["asmith", "bwhite", "Carl.Young"]),  # no limit means all
])
def test_paging_and_total_items(client, start, limit, expected):
    query = {"fields": ["loginName"], "start": start}
    if limit is not None:
        query["limit"] = limit
    result = client.result("Users.get", {"query": query, "domainId": client.domain_id()})
    assert [user["loginName"] for user in result["list"]] == expected
    assert result["totalItems"] == 5


def test_total_items_counts_the_matches_before_paging(client):
    query = {"conditions": [where("isEnabled", "Eq", "true")], "start": 0, "limit": 1}
    result = client.result("Users.get", {"query": query, "domainId": client.domain_id()})
    assert len(result["list"]) == 1
    assert result["totalItems"] == 4


@pytest.mark.parametrize("start, limit", [(-1, 10), (0, -2)])
def test_negative_paging_is_invalid_params(client, start, limit):
    query = {"start": start, "limit": limit}
    assert client.error("Users.get", {"query": query, "domainId": client.domain_id()})["code"] == -32602


@pytest.mark.parametrize("condition, expected", [
    (where("QUICKSEARCH", "Eq", "john doe"), ["jdoe"]),  # fullName
    (where("QUICKSEARCH", "Eq", "ASMITH"), ["asmith"]),  # loginName
    (where("QUICKSEARCH", "Like", "sales"), ["jdoe", "bwhite"]),  # description
    (where("QUICKSEARCH", "NotEq", "jdoe"), ["admin", "asmith", "bwhite", "Carl.Young"]),
])
def test_quicksearch_searches_login_name_full_name_and_description(client, condition, expected):
    assert client.logins(conditions=[condition]) == expected


def test_user_groups_eq_lists_the_members_of_a_group(client):
    sales = client.group_id("sales")
    assert client.logins(conditions=[where("userGroups", "Eq", sales)]) == ["jdoe", "bwhite"]
    assert client.logins(conditions=[where("userGroups", "NotEq", sales)]) == ["admin", "asmith", "Carl.Young"]


def test_fields_picks_the_members_returned(client):
    users = client.users(fields=["loginName", "isEnabled"])
    assert all(set(user) == {"loginName", "isEnabled"} for user in users)


def test_no_fields_returns_every_member_but_the_password(client):
    user = client.users(conditions=[where("loginName", "Eq", "jdoe")])[0]
    for member in ("id", "domainId", "loginName", "fullName", "role", "effectiveRole", "itemSource", "authType", "diskSizeLimit",
                   "consumedSize", "userGroups", "emailAddresses", "isWritableByMe", "lastLoginInfo"):
        assert member in user
    assert "password" not in user


def test_a_user_made_by_a_bulk_create_reads_the_same_through_every_path(client):
    """The fast encoding of plain users (all members) must agree with member-by-member projection."""
    client.result("Users.create", {"users": [client.new_user("plain")]})
    plain = [where("loginName", "Eq", "plain")]
    everything = client.users(conditions=plain)[0]
    assert client.users(conditions=plain, fields=sorted(everything))[0] == everything


def test_unknown_fields_are_invalid_params(client):
    assert client.error("Users.get", {"query": {"fields": ["loginName", "shoeSize"]}, "domainId": client.domain_id()})["code"] == -32602


def test_a_page_after_a_change_sees_the_change(client):
    query = {"fields": ["loginName"], "orderBy": [{"columnName": "loginName", "direction": "Asc"}], "start": 0, "limit": 2}
    first = client.result("Users.get", {"query": query, "domainId": client.domain_id()})
    client.result("Users.create", {"users": [client.new_user("aaron")]})
    second = client.result("Users.get", {"query": query, "domainId": client.domain_id()})
    assert (first["totalItems"], second["totalItems"]) == (5, 6)
    assert [user["loginName"] for user in second["list"]] == ["aaron", "admin"]


def test_groups_get_uses_the_same_engine(client):
    query = {"fields": ["name", "emailAddresses"], "conditions": [where("name", "Like", "s")], "orderBy": [{"columnName": "name", "direction": "Desc"}]}
    result = client.result("Groups.get", {"query": query, "domainId": client.domain_id()})
    assert result == {"list": [{"name": "support", "emailAddresses": ["helpdesk"]}, {"name": "sales", "emailAddresses": ["sales"]}], "totalItems": 2}


def test_domains_get(client):
    result = client.result("Domains.get", {"query": {"fields": ["name", "isPrimary", "aliasList"], "orderBy": [{"columnName": "name", "direction": "Asc"}]}})
    assert result == {"list": [{"name": "example.com", "isPrimary": True, "aliasList": ["example.org"]},
                               {"name": "strict.test", "isPrimary": False, "aliasList": []}], "totalItems": 2}


def test_user_templates_get(client):
    query = {"fields": ["name", "scope"], "conditions": [where("name", "Like", "a"), where("scope", "Eq", "AllDomains")], "combining": "Or"}
    result = client.result("UserTemplates.get", {"query": query})
    assert result["userTemplateList"] == [
        {"name": "Staff", "scope": "OneDomain"}, {"name": "Admins", "scope": "OneDomain"}, {"name": "Everywhere", "scope": "AllDomains"},
    ]
    assert result["totalItems"] == 3
