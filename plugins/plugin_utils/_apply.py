# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Carries out a plan against the server in batches and reports, per user, what happened.

A user the server refuses is reported against the place it was declared while the rest of
its batch goes on; nothing here guesses at the outcome of a write, so a re-run (which plans
again from what the server then holds) repairs whatever a failed run left.

A connection lost in the middle of a write stops the apply there: the outcome of that write is
unknown, and the writes after it may depend on it. What was done before it is still reported.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import json
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import KerioApiError, KerioError, removal_request
from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted
from ansible_collections.kerio.connect.plugins.plugin_utils._reconcile import Plan, UserCreate, address_releases
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
    # Users not created: refused by the server, or never sent, as the apply stopped before creating users.
    # They do not exist, so their generated passwords are worth nothing.
    not_created: list[UserRecord] = dataclasses.field(default_factory=list)
    # Whether the server accepted any write, even for a user that then failed (created, but not added to its group).
    changed: bool = False
    # Why the apply stopped before its end, naming the write whose outcome is unknown; None when it ran to the end.
    interruption: str | None = None

    def succeeded(self, records: t.Iterable[UserRecord]) -> list[UserRecord]:
        failed = {id(failure.record) for failure in self.failures}
        return [record for record in records if id(record) not in failed]


T = t.TypeVar("T")
CREATING = "creating users"
JOINING = "adding users to"
PARTLY_UPDATED = "was changed only in part when the import stopped (see msg); a re-run makes the rest of its changes"

# The template's and the defaults' groups are given when a user is created, and never again: a
# re-run joins the groups the sources declare, so a user whose creation a stop cut off may lack the others.
TEMPLATE_GROUPS_CAVEAT = (", except the groups that the template or defaults give a user whose creation was cut off, if it was "
                          "created: add those in Kerio")
MISSING_GROUPS_NOTE = " errors lists the users created in this run that are not in all of their groups yet, and what to do for each."


def _named_groups(groups: t.Sequence[str]) -> str:
    return ("the group " if len(groups) == 1 else "the groups ") + ", ".join(quoted(group) for group in groups)


def _missing_groups_advice(record: UserRecord, missing: t.Sequence[str]) -> str:
    """What gives a new user the groups it did not join: a re-run for those its sources declare, the administrator for the others."""
    declared = {group.casefold() for group in record.groups or ()}
    advice = []
    rerun = [group for group in missing if group.casefold() in declared]
    if rerun:
        advice.append(f"a re-run with update_existing true adds it to {_named_groups(rerun)}, which its sources declare")
    by_hand = [group for group in missing if group.casefold() not in declared]
    if by_hand:
        advice.append(f"add it in Kerio to {_named_groups(by_hand)}, which it gets from the template or defaults, given to new users only")
    return "; ".join(advice)


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
    def __init__(self, client, domain_id: str, plan: Plan, existing_groups: t.Iterable[dict], batch_size: int, remove_mailbox: str,
                 passwords: dict[str, str]):
        self.client = client
        self.domain_id = domain_id
        self.plan = plan
        self.group_ids = {group["name"].casefold(): group["id"] for group in existing_groups}
        self.batch_size = batch_size
        self.remove_mailbox = remove_mailbox
        self.passwords = passwords
        self.report = ApplyReport()
        self._failed: set[int] = set()
        # Users a write succeeded for.
        self._written: set[int] = set()
        # The writes each update still needs (its pattern, each group it joins or leaves): it is reported
        # updated once none is left, so that one a stop cuts short is not listed as made.
        self._writes_left = {
            id(update.record): bool(update.pattern) + len(update.groups_to_join) + len(update.groups_to_leave) for update in plan.updates
        }
        # The users created, with their new ids. One is reported created once it joined all of its groups,
        # as a re-run may not give it those the template or defaults give. Which it did not join is worked
        # out only when a stop or a refusal makes it a question, from what is noted here as groups are joined:
        # their order, the group a stop cut short with who had joined it, and the joins refused.
        self._created: list[tuple[UserCreate, str]] = []
        self._join_order: list[str] = []
        self._join_cut_short: tuple[str, set[int]] | None = None
        self._joins_refused: dict[int, set[str]] = {}
        # The creates the server answered, made or not. Whether a lost connection cut a create call short:
        # the users it did not answer may then exist. A call the server refused itself (access denied) made none.
        self._answered_creates: set[int] = set()
        self._creates_in_doubt = False

    @property
    def stopped(self) -> bool:
        return self.report.interruption is not None

    def _fail(self, record: UserRecord, message: str) -> None:
        if id(record) not in self._failed:
            self._failed.add(id(record))
            self.report.failures.append(Failure(record, message))

    def _wrote(self, record: UserRecord, *, completes_a_step: bool = True) -> None:
        self._written.add(id(record))
        self.report.changed = True
        if completes_a_step and id(record) in self._writes_left:
            self._writes_left[id(record)] -= 1

    def _outcomes(self, doing: str, inputs: t.Sequence[T], write: t.Callable[..., list], *args) -> list[tuple[T, t.Any]]:
        """Each input of a batch write with its outcome; when the connection fails during it, those done before.

        The apply stops at such a failure: later writes may depend on this one (a new user joins
        its groups), and whether its interrupted call was applied is unknown. The outcomes done
        before it need not be the first ones (a batch the server rejected is sent again in halves),
        so they are paired with their inputs by index.
        """
        try:
            outcomes = write(*args)
        except KerioError as error:  # a lost connection, or the server refusing the call itself (access denied, a session a fresh login did not save)
            # A refused call is refused again until the account or the server changes; a lost connection may be back already.
            refused = isinstance(error, KerioApiError)
            self._creates_in_doubt = doing == CREATING and not refused
            rerun = "When the account or the server allows this call, run the task again" if refused else "Run the task again"
            self.report.interruption = (
                f"The import stopped while {doing}. {error} The changes listed in created, updated, removed and groups_created "
                f"were made; nothing after this write was attempted. {rerun}: it reads what the server holds now "
                f"and makes the changes still missing{TEMPLATE_GROUPS_CAVEAT if self._template_groups_at_stake(doing) else ''}."
            )
            outcomes = error.completed
        return [(inputs[outcome.index], outcome) for outcome in outcomes]

    def creates_surely_not_made(self) -> list[UserRecord]:
        """After a stop, the users to create that the server did not answer, unless a lost connection leaves them in doubt.

        A stop before the creations sent none of them; a create call the server refused made none it did not answer.
        """
        if self._creates_in_doubt:
            return []
        return [create.record for create in self.plan.creates if id(create) not in self._answered_creates]

    def _template_groups_at_stake(self, doing: str) -> bool:
        """Whether a stop while ``doing`` may leave users created in this run out of groups their source does not declare.

        Asked only when the apply stops: finding out takes a pass over every user to create.
        """
        return doing == CREATING and self.plan.creates_join_undeclared_groups

    def create_groups(self) -> None:
        names = self.plan.groups_to_create
        if not names:
            return
        groups = [{"domainId": self.domain_id, "name": name, "description": "", "emailAddresses": []} for name in names]
        for name, outcome in self._outcomes("creating groups", names, self.client.create_groups, groups):
            if outcome.ok:
                self.group_ids[name.casefold()] = outcome.id
                self.report.groups_created.append(name)
                self.report.changed = True
            else:
                # The users who needed it fail when they are added to it; the group itself is no user.
                self.group_ids[name.casefold()] = None

    def remove_users(self) -> None:
        removals = self.plan.removals
        requests = [removal_request(removal.user_id, delete_mailbox=self.remove_mailbox == "delete") for removal in removals]
        for removal, outcome in self._outcomes("removing users", removals, self.client.remove_users, requests, self.batch_size):
            self._note_outcome(removal.record, outcome, self.report.removed, "could not be removed")

    def update_users(self) -> None:
        done = self._release_addresses()
        # Users that need the very same change share one Users.set call.
        same_change: dict[str, list] = {}
        for update in self.plan.updates:
            if update.pattern and id(update) not in done:
                same_change.setdefault(json.dumps(update.pattern, sort_keys=True), []).append(update)
        # Disablings first: the room check counts the places they free for the users enabled again.
        for updates in sorted(same_change.values(), key=lambda same: not same[0].disables):
            if self.stopped:
                return
            user_ids = [update.user_id for update in updates]
            for update, outcome in self._outcomes("updating users", updates, self.client.set_users, user_ids, updates[0].pattern, self.batch_size):
                if outcome.ok:
                    self._wrote(update.record)
                else:
                    self._fail(update.record, f"could not be updated: {outcome.error.message}")

    def _release_addresses(self) -> set[int]:
        """Let go of the addresses changed users give each other (see address_releases); the updates this completes."""
        done: set[int] = set()
        for update, pattern, is_whole_change in address_releases(self.plan.updates):
            if self.stopped:
                break
            for _update, outcome in self._outcomes("letting go of addresses", [update], self.client.set_users, [update.user_id], pattern):
                if not outcome.ok:
                    self._fail(update.record, f"could not give up its addresses: {outcome.error.message}")
                    continue
                self._wrote(update.record, completes_a_step=is_whole_change)  # else its pattern is still to be set
                if is_whole_change:
                    done.add(id(update))
        return done

    def create_users(self) -> None:
        def new_user(create: UserCreate) -> dict[str, t.Any]:
            user = dict(create.user, domainId=self.domain_id)
            password = self.passwords.get(create.record.key, create.record.password)
            if password is not None:
                user["password"] = password
            return user

        creates = self.plan.creates
        for create, outcome in self._outcomes(CREATING, creates, self.client.create_users, _Items(creates, new_user), self.batch_size):
            self._answered_creates.add(id(create))
            if self._note_outcome(create.record, outcome, self.report.created, "could not be created"):
                self._created.append((create, outcome.id))
            elif not outcome.error.outcome_unknown:  # the server may hold a user it did not report: keep its password
                self.report.not_created.append(create.record)

    def update_memberships(self) -> None:
        # Per group: the records and, aligned with them, the user ids that change membership.
        joining: dict[str, tuple[list[UserRecord], list[str]]] = {}
        leaving: dict[str, tuple[list[UserRecord], list[str]]] = {}

        def add(members: dict, group: str, record: UserRecord, user_id: str) -> None:
            records, user_ids = members.setdefault(group, ([], []))
            records.append(record)
            user_ids.append(user_id)

        for create, user_id in self._created:
            for group in create.groups:
                add(joining, group, create.record, user_id)
        for update in self.plan.updates:
            if id(update.record) in self._failed:
                continue
            for group in update.groups_to_join:
                add(joining, group, update.record, update.user_id)
            for group in update.groups_to_leave:
                add(leaving, group, update.record, update.user_id)
        self._join_order = list(joining)
        self._change_members(joining, JOINING, self.client.add_group_members, "could not be added to the group")
        self._change_members(leaving, "removing users from", self.client.remove_group_members, "could not be removed from the group")

    def _change_members(self, members_by_group: dict, doing: str, change: t.Callable, failure: str) -> None:
        for group, (records, user_ids) in members_by_group.items():
            if self.stopped:
                return
            group_id = self.group_ids.get(group.casefold())
            if group_id is None:
                for record in records:
                    self._fail_to_change_members(record, group, doing, f"{failure} {quoted(group)}, which could not be created")
                continue
            outcomes = self._outcomes(f"{doing} the group {quoted(group)}", records, change, group_id, user_ids, self.batch_size)
            for record, outcome in outcomes:
                if outcome.ok:
                    self._wrote(record)
                else:
                    self._fail_to_change_members(record, group, doing, f"{failure} {quoted(group)}: {outcome.error.message}")
            if self.stopped and doing == JOINING:
                self._join_cut_short = (group, {id(record) for record, outcome in outcomes if outcome.ok})

    def _fail_to_change_members(self, record: UserRecord, group: str, doing: str, message: str) -> None:
        self._fail(record, message)
        if doing == JOINING:
            self._joins_refused.setdefault(id(record), set()).add(group)

    def _note_outcome(self, record: UserRecord, outcome, done: list[UserRecord], failure: str) -> bool:
        if outcome.ok:
            done.append(record)
            self._wrote(record)
            return True
        self._fail(record, f"{failure}: {outcome.error.message}")
        return False

    def updated(self) -> list[UserRecord]:
        """The updates made: every write they need succeeded."""
        return [update.record for update in self.plan.updates if self._writes_left[id(update.record)] == 0 and id(update.record) not in self._failed]

    def partly_updated(self) -> list[UserRecord]:
        """The updates a stop cut short: some of their writes were made, not all."""
        return [
            update.record for update in self.plan.updates
            if id(update.record) in self._written and self._writes_left[id(update.record)] > 0 and id(update.record) not in self._failed
        ]

    def missing_groups(self) -> list[tuple[UserRecord, list[str]]]:
        """The users created that did not join all of their groups (one was refused, or a stop came first), with those groups."""
        if not self.stopped and not self._joins_refused:
            return []  # every join was made
        cut_short, joined_then = self._join_cut_short or (None, set())
        # The groups every user joined unless refused: those before the one a stop cut short, or all of
        # them when joining ran to its end (none when a stop came before joining began).
        joined = set(self._join_order[:self._join_order.index(cut_short)] if cut_short is not None else self._join_order)
        missing = []
        for create, _user_id in self._created:
            key = id(create.record)
            refused = self._joins_refused.get(key, ())
            lacking = [group for group in create.groups
                       if group in refused or not (group in joined or group == cut_short and key in joined_then)]
            if lacking:
                missing.append((create.record, lacking))
        return missing


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
    gives up is free for the user that takes it. A lost connection stops the apply after the
    write it interrupted (``ApplyReport.interruption``); the report holds what was done before.
    """
    applier = _Applier(client, domain_id, plan, existing_groups, batch_size, remove_mailbox, passwords)
    for step in (applier.create_groups, applier.remove_users, applier.update_users, applier.create_users, applier.update_memberships):
        step()
        if applier.stopped:
            applier.report.not_created.extend(applier.creates_surely_not_made())
            break
    report = applier.report
    report.updated = applier.updated()
    if applier.stopped:  # else every write was made or failed
        report.failures.extend(Failure(record, PARTLY_UPDATED) for record in applier.partly_updated())
    _report_missing_groups(report, applier.missing_groups())
    report.created = report.succeeded(report.created)
    return report


def _report_missing_groups(report: ApplyReport, missing_groups: list[tuple[UserRecord, list[str]]]) -> None:
    """Each new user not in all of its groups is an error, which says what gives it the others."""
    failures = {id(failure.record): failure for failure in report.failures}
    for record, groups in missing_groups:
        advice = _missing_groups_advice(record, groups)
        failure = failures.get(id(record))
        if failure is not None:  # a join the server refused, which the message names
            failure.message += f"; {advice}"
        else:
            report.failures.append(Failure(record, f"was created, but the import stopped before it joined {_named_groups(groups)}; {advice}"))
    if missing_groups and report.interruption:
        report.interruption += MISSING_GROUPS_NOTE
