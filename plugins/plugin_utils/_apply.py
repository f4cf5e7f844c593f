# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Carries out a plan against the server in batches and reports, per user, what happened.

A user the server refuses is reported against the place it was declared while the rest of
its batch goes on; nothing here guesses at the outcome of a write, so a re-run (which plans
again from what the server then holds) repairs whatever a failed run left.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import json
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import removal_request
from ansible_collections.kerio.connect.plugins.plugin_utils._reconcile import Plan, UserCreate
from ansible_collections.kerio.connect.plugins.plugin_utils._records import UserRecord


@dataclasses.dataclass
class Failure:
    record: UserRecord
    message: str


@dataclasses.dataclass
class ApplyReport:
    created: list[UserRecord] = dataclasses.field(default_factory=list)
    updated: list[UserRecord] = dataclasses.field(default_factory=list)
    removed: list[UserRecord] = dataclasses.field(default_factory=list)
    groups_created: list[str] = dataclasses.field(default_factory=list)
    failures: list[Failure] = dataclasses.field(default_factory=list)

    def succeeded(self, records: t.Iterable[UserRecord]) -> list[UserRecord]:
        failed = {id(failure.record) for failure in self.failures}
        return [record for record in records if id(record) not in failed]


class _Items(collections.abc.Sequence):
    """``make(item)`` for each item, made when the client slices a batch off rather than all at once:
    at 100,000 users, the request items of every batch together would take some 40 MB more."""

    def __init__(self, items: t.Sequence[t.Any], make: t.Callable[[t.Any], t.Any]):
        self._items = items
        self._make = make

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._make(item) for item in self._items[index]]
        return self._make(self._items[index])


class _Applier:
    def __init__(self, client, domain_id: str, existing_groups: t.Iterable[dict], batch_size: int, remove_mailbox: str):
        self.client = client
        self.domain_id = domain_id
        self.group_ids = {group["name"].casefold(): group["id"] for group in existing_groups}
        self.batch_size = batch_size
        self.remove_mailbox = remove_mailbox
        self.report = ApplyReport()
        self._failed: set[int] = set()

    def _fail(self, record: UserRecord, message: str) -> None:
        if id(record) not in self._failed:
            self._failed.add(id(record))
            self.report.failures.append(Failure(record, message))

    def create_groups(self, names: list[str]) -> None:
        if not names:
            return
        groups = [{"domainId": self.domain_id, "name": name, "description": "", "emailAddresses": []} for name in names]
        for name, outcome in zip(names, self.client.create_groups(groups)):
            if outcome.ok:
                self.group_ids[name.casefold()] = outcome.id
                self.report.groups_created.append(name)
            else:
                # The users who needed it fail when they are added to it; the group itself is no user.
                self.group_ids[name.casefold()] = None

    def remove_users(self, plan: Plan) -> None:
        requests = [removal_request(removal.user_id, delete_mailbox=self.remove_mailbox == "delete") for removal in plan.removals]
        for removal, outcome in zip(plan.removals, self.client.remove_users(requests, self.batch_size)):
            self._record(removal.record, outcome, self.report.removed, "could not be removed")

    def update_users(self, plan: Plan) -> None:
        # Users that need the very same change share one Users.set call.
        same_change: dict[str, list] = {}
        for update in plan.updates:
            if update.pattern:
                same_change.setdefault(json.dumps(update.pattern, sort_keys=True), []).append(update)
        for updates in same_change.values():
            outcomes = self.client.set_users([update.user_id for update in updates], updates[0].pattern, self.batch_size)
            for update, outcome in zip(updates, outcomes):
                if not outcome.ok:
                    self._fail(update.record, f"could not be updated: {outcome.error.message}")

    def create_users(self, plan: Plan, passwords: dict[str, str]) -> list[str | None]:
        """The new users' ids, aligned with ``plan.creates`` (None where the server refused the user)."""
        def new_user(create: UserCreate) -> dict[str, t.Any]:
            user = dict(create.user, domainId=self.domain_id)
            password = passwords.get(create.record.key, create.record.password)
            if password is not None:
                user["password"] = password
            return user

        created_ids: list[str | None] = []
        for create, outcome in zip(plan.creates, self.client.create_users(_Items(plan.creates, new_user), self.batch_size)):
            created = self._record(create.record, outcome, self.report.created, "could not be created")
            created_ids.append(outcome.id if created else None)
        return created_ids

    def update_memberships(self, plan: Plan, created_ids: list[str | None]) -> None:
        # Per group: the records and, aligned with them, the user ids that change membership.
        joining: dict[str, tuple[list[UserRecord], list[str]]] = {}
        leaving: dict[str, tuple[list[UserRecord], list[str]]] = {}

        def add(members: dict, group: str, record: UserRecord, user_id: str) -> None:
            records, user_ids = members.setdefault(group, ([], []))
            records.append(record)
            user_ids.append(user_id)

        for create, user_id in zip(plan.creates, created_ids):
            if user_id is not None:
                for group in create.groups:
                    add(joining, group, create.record, user_id)
        for update in plan.updates:
            if id(update.record) in self._failed:
                continue
            for group in update.groups_to_join:
                add(joining, group, update.record, update.user_id)
            for group in update.groups_to_leave:
                add(leaving, group, update.record, update.user_id)
        self._change_members(joining, self.client.add_group_members, "could not be added to the group")
        self._change_members(leaving, self.client.remove_group_members, "could not be removed from the group")

    def _change_members(self, members_by_group: dict, change: t.Callable, failure: str) -> None:
        for group, (records, user_ids) in members_by_group.items():
            group_id = self.group_ids.get(group.casefold())
            if group_id is None:
                for record in records:
                    self._fail(record, f"{failure} {group!r}, which could not be created")
                continue
            for record, outcome in zip(records, change(group_id, user_ids, self.batch_size)):
                if not outcome.ok:
                    self._fail(record, f"{failure} {group!r}: {outcome.error.message}")

    def _record(self, record: UserRecord, outcome, done: list[UserRecord], failure: str) -> bool:
        if outcome.ok:
            done.append(record)
            return True
        self._fail(record, f"{failure}: {outcome.error.message}")
        return False


def apply_plan(
    client,
    domain_id: str,
    plan: Plan,
    existing_groups: t.Iterable[dict],
    *,
    passwords: dict[str, str],
    batch_size: int,
    remove_mailbox: str = "keep",
) -> ApplyReport:
    """Make the changes of ``plan``: groups, removals, updates, creations, then memberships.

    ``passwords`` holds, by record key, the passwords generated for users that declare none.

    Removals and updates come before creations so that an address a removed or changed user
    gives up is free for the user that takes it.
    """
    applier = _Applier(client, domain_id, existing_groups, batch_size, remove_mailbox)
    applier.create_groups(plan.groups_to_create)
    applier.remove_users(plan)
    applier.update_users(plan)
    created_ids = applier.create_users(plan, passwords)
    applier.update_memberships(plan, created_ids)
    report = applier.report
    report.updated = report.succeeded(update.record for update in plan.updates)
    report.created = report.succeeded(report.created)
    return report
