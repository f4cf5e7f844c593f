# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The applier against a scripted client: what it sends, and how each user's outcome is reported."""

from __future__ import annotations

import pytest

from ansible_collections.kerio.connect.plugins.plugin_utils._apply import PARTLY_UPDATED, apply_plan
from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import ItemError, ItemOutcome, KerioApiError, KerioConnectionError
from ansible_collections.kerio.connect.plugins.plugin_utils._reconcile import PlanOptions, build_plan
from ansible_collections.kerio.connect.plugins.plugin_utils._records import Origin, UserRecord

GROUPS = [{"id": "g-sales", "name": "sales"}, {"id": "g-all", "name": "all"}]


def record(name, **fields):
    return UserRecord(name=name, origin=Origin("users.csv", line=2), password="Pa55-word-1", **fields)


def server_user(login, groups=()):
    return {"id": f"id-{login}", "loginName": login, "fullName": "", "description": "", "emailAddresses": [], "isEnabled": True,
            "userGroups": [{"id": f"g-{group}", "name": group} for group in groups]}


class ScriptedClient:
    """Refuses what ``refuse`` names: a login (create, set), or a (group id, user id) pair (membership).

    ``drop`` = (method, n) makes the first call of that method raise ``error`` (a dropped connection by
    default) once the outcomes of its first n items are in, as the client does between two batches.
    """

    def __init__(self, refuse=(), refuse_groups=(), drop=None, error=None):
        self.refuse = set(refuse)
        self.refuse_groups = set(refuse_groups)
        self.drop = drop
        self.error = error
        self.calls: list[str] = []
        self.members_added: dict[str, list[str]] = {}
        self.members_removed: dict[str, list[str]] = {}

    @staticmethod
    def _outcome(index, refused, item_id):
        return ItemOutcome(index, False, item_id, ItemError(1000, "refused")) if refused else ItemOutcome(index, True, item_id)

    def _answer(self, method, outcomes):
        self.calls.append(method)
        if self.drop and self.drop[0] == method:
            method_name = {"create_users": "Users.create", "add_group_members": "Groups.addMemberList"}.get(method, method)
            error = self.error or KerioConnectionError(f"{method_name}: the connection broke. The outcome of this write is unknown.",
                                                       method=method_name, outcome_unknown=True)
            if isinstance(error, KerioConnectionError):
                error.completed = outcomes[:self.drop[1]]
            self.drop = None
            raise error
        return outcomes

    def create_groups(self, groups):
        return self._answer("create_groups", [self._outcome(index, group["name"] in self.refuse_groups, f"g-{group['name']}")
                                              for index, group in enumerate(groups)])

    def create_users(self, users, batch_size):
        return self._answer("create_users", [
            self._outcome(index, user["loginName"] in self.refuse, None if user["loginName"] in self.refuse else f"id-{user['loginName']}")
            for index, user in enumerate(users)])

    def set_users(self, user_ids, pattern, batch_size):
        return self._answer("set_users", [self._outcome(index, user_id.removeprefix("id-") in self.refuse, user_id)
                                          for index, user_id in enumerate(user_ids)])

    def remove_users(self, requests, batch_size):
        return self._answer("remove_users", [self._outcome(index, False, request["userId"]) for index, request in enumerate(requests)])

    def add_group_members(self, group_id, user_ids, batch_size):
        self.members_added.setdefault(group_id, []).extend(user_ids)
        return self._answer("add_group_members", [self._outcome(index, (group_id, user_id) in self.refuse, user_id)
                                                  for index, user_id in enumerate(user_ids)])

    def remove_group_members(self, group_id, user_ids, batch_size):
        self.members_removed.setdefault(group_id, []).extend(user_ids)
        return self._answer("remove_group_members", [self._outcome(index, (group_id, user_id) in self.refuse, user_id)
                                                     for index, user_id in enumerate(user_ids)])


def apply(records, client, existing_users=(), **options):
    plan = build_plan(records, list(existing_users), GROUPS, PlanOptions(**options))
    assert not plan.errors
    return apply_plan(client, "d", plan, GROUPS, passwords={}, batch_size=2)


def names(records):
    return [record.name for record in records]


def failures(report):
    return [(failure.record.name, failure.message) for failure in report.failures]


def test_a_refused_create_joins_no_group():
    client = ScriptedClient(refuse={"bob"})
    report = apply([record("amy", groups=("sales",)), record("bob", groups=("sales",)), record("cid", groups=("sales",))], client)
    assert client.members_added == {"g-sales": ["id-amy", "id-cid"]}
    assert [user.name for user in report.created] == ["amy", "cid"]
    assert failures(report) == [("bob", "could not be created: refused")]


# What a user created but refused by a group it declares is told.
REJOIN_SALES = "; a re-run with update_existing true adds it to the group 'sales', which its sources declare"


def test_member_outcomes_are_matched_to_their_users():
    client = ScriptedClient(refuse={("g-sales", "id-bob")})
    report = apply([record("amy", groups=("sales",)), record("bob", groups=("sales",)), record("cid", groups=("sales",))], client)
    assert failures(report) == [("bob", "could not be added to the group 'sales': refused" + REJOIN_SALES)]
    assert [user.name for user in report.created] == ["amy", "cid"]


def test_a_user_failing_in_two_groups_is_reported_once():
    client = ScriptedClient(refuse={("g-sales", "id-amy"), ("g-all", "id-amy")})
    report = apply([record("amy", groups=("sales", "all")), record("bob", groups=("all",))], client)
    assert failures(report) == [("amy", "could not be added to the group 'sales': refused; a re-run with update_existing true adds it "
                                        "to the groups 'sales', 'all', which its sources declare")]
    assert [user.name for user in report.created] == ["bob"]


def test_joiners_of_a_group_that_could_not_be_created_fail_without_a_call():
    client = ScriptedClient(refuse_groups={"new"})
    report = apply([record("amy", groups=("new",)), record("bob", groups=("sales",))], client)
    assert client.members_added == {"g-sales": ["id-bob"]}
    assert failures(report) == [("amy", "could not be added to the group 'new', which could not be created; a re-run with "
                                        "update_existing true adds it to the group 'new', which its sources declare")]
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


def test_a_created_user_whose_group_was_refused_is_still_a_change():
    client = ScriptedClient(refuse={("g-sales", "id-amy")})
    report = apply([record("amy", groups=("sales",))], client)
    assert report.created == [] and failures(report) == [("amy", "could not be added to the group 'sales': refused" + REJOIN_SALES)]
    assert report.changed and report.not_created == []


def test_a_refused_create_is_reported_as_not_created():
    report = apply([record("amy"), record("bob")], ScriptedClient(refuse={"bob"}))
    assert names(report.created) == ["amy"] and names(report.not_created) == ["bob"] and report.changed


def test_a_plan_the_server_refuses_entirely_changes_nothing():
    report = apply([record("amy"), record("bob")], ScriptedClient(refuse={"amy", "bob"}))
    assert not report.changed and names(report.not_created) == ["amy", "bob"]


# One plan with a step of each kind: create the group "new", remove "old", update amy (her name, and she joins
# sales), create bob and cid (who join "new"). Dropped in each step: what was done before is reported, nothing after is tried.
STEPS = ["create_groups", "remove_users", "set_users", "create_users", "add_group_members"]


# amy's rename is made before the creations, her joining sales after them: a stop in between leaves her changed in part.
@pytest.mark.parametrize("step, completed, done, doing", [
    ("create_groups", 0, {}, "creating groups"),
    ("remove_users", 0, {"groups_created": ["new"]}, "removing users"),
    ("set_users", 0, {"groups_created": ["new"], "removed": ["old"]}, "updating users"),
    # Created users not yet in their group are listed as created in part.
    ("create_users", 1, {"groups_created": ["new"], "removed": ["old"], "partly updated": ["amy"], "partly created": ["bob"]}, "creating users"),
    ("add_group_members", 0, {"groups_created": ["new"], "removed": ["old"], "partly updated": ["amy"], "partly created": ["bob", "cid"]},
     "adding users to the group"),
])
def test_a_dropped_connection_stops_the_apply_and_reports_what_was_done(step, completed, done, doing):
    client = ScriptedClient(drop=(step, completed))
    existing = [server_user("amy", groups=("all",)), server_user("old")]
    records = [record("amy", full_name="Amy", groups=("all", "sales")), record("old", state="absent"),
               record("bob", groups=("new",)), record("cid", groups=("new",))]
    report = apply(records, client, existing)
    assert client.calls == STEPS[:STEPS.index(step) + 1]
    assert {
        "groups_created": report.groups_created, "removed": names(report.removed), "updated": names(report.updated),
        "created": names(report.created), "partly updated": [failure.record.name for failure in report.failures if failure.message == PARTLY_UPDATED],
        "partly created": [failure.record.name for failure in report.failures if failure.message.startswith("was created, but")],
    } == dict({"groups_created": [], "removed": [], "updated": [], "created": [], "partly updated": [], "partly created": []}, **done)
    assert report.changed == bool(done)
    assert len(report.failures) == len(done.get("partly updated", [])) + len(done.get("partly created", []))
    # A stop before the creations: no new user exists. During them, bob and cid may (their outcome is unknown).
    assert names(report.not_created) == (["bob", "cid"] if STEPS.index(step) < STEPS.index("create_users") else [])
    assert report.interruption.startswith(f"The import stopped while {doing}")
    assert "The outcome of this write is unknown" in report.interruption and "Run the task again" in report.interruption


def test_a_dropped_connection_while_users_leave_a_group_keeps_the_joins_made():
    client = ScriptedClient(drop=("remove_group_members", 0))
    existing = [server_user("amy", groups=("sales",)), server_user("bob", groups=("sales",))]
    records = [record("amy", groups=("all",)), record("bob", full_name="Bob", groups=("sales",))]
    report = apply(records, client, existing, remove_from_unlisted_groups=True)
    assert client.calls == ["remove_users", "set_users", "create_users", "add_group_members", "remove_group_members"]
    assert names(report.updated) == ["bob"]  # bob was renamed
    # amy joined all, but leaving sales was cut off: listed as changed in part, which a re-run completes.
    assert [(failure.record.name, failure.message) for failure in report.failures] == [("amy", PARTLY_UPDATED)]
    assert report.interruption.startswith("The import stopped while removing users from the group 'sales'")


def test_a_user_created_before_a_stop_is_told_which_of_its_groups_a_rerun_gives_it():
    client = ScriptedClient(drop=("add_group_members", 1))
    template = {"name": "Staff", "userGroups": [{"id": "g-all", "name": "all"}]}
    records = [record("amy", groups=("sales",)), record("bob", groups=("sales",)), record("cid")]
    report = apply(records, client, template=template, defaults={"groups": ["staff"]})
    # Groups are joined one after the other: sales (amy joined it, then the stop), all, staff.
    messages = dict(failures(report))
    assert names(report.created) == [] and sorted(messages) == ["amy", "bob", "cid"]
    given_once = "which it gets from the template or defaults, given to new users only"
    assert messages["bob"] == ("was created, but the import stopped before it joined the groups 'sales', 'all'; a re-run with "
                               "update_existing true adds it to the group 'sales', which its sources declare; "
                               f"add it in Kerio to the group 'all', {given_once}")
    assert messages["amy"] == f"was created, but the import stopped before it joined the group 'all'; add it in Kerio to the group 'all', {given_once}"
    assert messages["cid"].endswith(f"add it in Kerio to the groups 'staff', 'all', {given_once}")
    assert report.interruption.endswith("errors lists the users created in this run that are not in all of their groups yet, and what to do for each.")


def test_a_user_created_and_in_its_groups_before_a_stop_while_others_leave_theirs_is_created():
    client = ScriptedClient(drop=("remove_group_members", 0))
    records = [record("amy", groups=("all",)), record("bob", groups=("sales", "all"))]
    report = apply(records, client, [server_user("amy", groups=("sales",))], remove_from_unlisted_groups=True)
    assert client.members_added == {"g-all": ["id-bob", "id-amy"], "g-sales": ["id-bob"]}
    assert names(report.created) == ["bob"] and [failure.record.name for failure in report.failures] == ["amy"]


def test_a_user_refused_by_a_group_its_template_gives_is_told_to_add_it_in_kerio():
    client = ScriptedClient(refuse={("g-all", "id-amy")})
    report = apply([record("amy", groups=("sales",))], client, template={"name": "Staff", "userGroups": [{"id": "g-all", "name": "all"}]})
    assert failures(report) == [("amy", "could not be added to the group 'all': refused; add it in Kerio to the group 'all', which it gets "
                                        "from the template or defaults, given to new users only")]


def test_an_expired_session_stops_the_apply_without_counting_the_call_it_ended():
    session_expired = KerioApiError("Users.create", -32001, "Session expired.")
    client = ScriptedClient(drop=("create_users", 0), error=session_expired)
    report = apply([record("amy"), record("bob")], client)
    assert report.created == [] and not report.changed and report.failures == []
    assert report.interruption.startswith("The import stopped while creating users. Kerio API call Users.create failed with code -32001")
