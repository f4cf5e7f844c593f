# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The applier against a scripted client: what it sends, and how each user's outcome is reported."""

from __future__ import annotations

from ansible_collections.kerio.connect.plugins.plugin_utils._apply import apply_plan
from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import ItemError, ItemOutcome
from ansible_collections.kerio.connect.plugins.plugin_utils._reconcile import PlanOptions, build_plan
from ansible_collections.kerio.connect.plugins.plugin_utils._records import Origin, UserRecord

GROUPS = [{"id": "g-sales", "name": "sales"}, {"id": "g-all", "name": "all"}]


def record(name, **fields):
    return UserRecord(name=name, origin=Origin("users.csv", line=2), password="Pa55-word-1", **fields)


def server_user(login, groups=()):
    return {"id": f"id-{login}", "loginName": login, "fullName": "", "description": "", "emailAddresses": [], "isEnabled": True,
            "userGroups": [{"id": f"g-{group}", "name": group} for group in groups]}


class ScriptedClient:
    """Refuses what ``refuse`` names: a login (create, set), or a (group id, user id) pair (membership)."""

    def __init__(self, refuse=(), refuse_groups=()):
        self.refuse = set(refuse)
        self.refuse_groups = set(refuse_groups)
        self.members_added: dict[str, list[str]] = {}
        self.members_removed: dict[str, list[str]] = {}

    @staticmethod
    def _outcome(index, refused, item_id):
        return ItemOutcome(index, False, item_id, ItemError(1000, "refused")) if refused else ItemOutcome(index, True, item_id)

    def create_groups(self, groups):
        return [self._outcome(index, group["name"] in self.refuse_groups, f"g-{group['name']}") for index, group in enumerate(groups)]

    def create_users(self, users, batch_size):
        return [self._outcome(index, user["loginName"] in self.refuse, None if user["loginName"] in self.refuse else f"id-{user['loginName']}")
                for index, user in enumerate(users)]

    def set_users(self, user_ids, pattern, batch_size):
        return [self._outcome(index, user_id.removeprefix("id-") in self.refuse, user_id) for index, user_id in enumerate(user_ids)]

    def remove_users(self, requests, batch_size):
        return [self._outcome(index, False, request["userId"]) for index, request in enumerate(requests)]

    def add_group_members(self, group_id, user_ids, batch_size):
        self.members_added.setdefault(group_id, []).extend(user_ids)
        return [self._outcome(index, (group_id, user_id) in self.refuse, user_id) for index, user_id in enumerate(user_ids)]

    def remove_group_members(self, group_id, user_ids, batch_size):
        self.members_removed.setdefault(group_id, []).extend(user_ids)
        return [self._outcome(index, (group_id, user_id) in self.refuse, user_id) for index, user_id in enumerate(user_ids)]


def apply(records, client, existing_users=(), **options):
    plan = build_plan(records, list(existing_users), GROUPS, PlanOptions(**options))
    assert not plan.errors
    return apply_plan(client, "d", plan, GROUPS, passwords={}, batch_size=2)


def failures(report):
    return [(failure.record.name, failure.message) for failure in report.failures]


def test_a_refused_create_joins_no_group():
    client = ScriptedClient(refuse={"bob"})
    report = apply([record("amy", groups=("sales",)), record("bob", groups=("sales",)), record("cid", groups=("sales",))], client)
    assert client.members_added == {"g-sales": ["id-amy", "id-cid"]}
    assert [user.name for user in report.created] == ["amy", "cid"]
    assert failures(report) == [("bob", "could not be created: refused")]


def test_member_outcomes_are_matched_to_their_users():
    client = ScriptedClient(refuse={("g-sales", "id-bob")})
    report = apply([record("amy", groups=("sales",)), record("bob", groups=("sales",)), record("cid", groups=("sales",))], client)
    assert failures(report) == [("bob", "could not be added to the group 'sales': refused")]
    assert [user.name for user in report.created] == ["amy", "cid"]


def test_a_user_failing_in_two_groups_is_reported_once():
    client = ScriptedClient(refuse={("g-sales", "id-amy"), ("g-all", "id-amy")})
    report = apply([record("amy", groups=("sales", "all")), record("bob", groups=("all",))], client)
    assert failures(report) == [("amy", "could not be added to the group 'sales': refused")]
    assert [user.name for user in report.created] == ["bob"]


def test_joiners_of_a_group_that_could_not_be_created_fail_without_a_call():
    client = ScriptedClient(refuse_groups={"new"})
    report = apply([record("amy", groups=("new",)), record("bob", groups=("sales",))], client)
    assert client.members_added == {"g-sales": ["id-bob"]}
    assert failures(report) == [("amy", "could not be added to the group 'new', which could not be created")]
    assert report.groups_created == []


def test_a_failed_update_changes_no_membership():
    client = ScriptedClient(refuse={"amy"})
    existing = [server_user("amy", groups=("all",)), server_user("bob", groups=("all",))]
    records = [record("amy", full_name="Amy", groups=("sales",)), record("bob", full_name="Bob", groups=("sales",))]
    report = apply(records, client, existing, remove_from_unlisted_groups=True)
    assert client.members_added == {"g-sales": ["id-bob"]}
    assert client.members_removed == {"g-all": ["id-bob"]}
    assert [user.name for user in report.updated] == ["bob"]
    assert failures(report) == [("amy", "could not be updated: refused")]
