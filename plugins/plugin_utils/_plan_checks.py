# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the server would refuse part-way through applying a plan, found before the first write.

An address taken, no room left under the licence or the domain's limit, the session's own account
removed: the server would refuse these one batch into the import. Found from the plan and a few
reads made beforehand (``ServerFacts``), they are refused with the input errors instead, in check
mode as in the real run. Pure, like the planner: the reads are the caller's.
"""

from __future__ import annotations

import dataclasses
import itertools
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted
from ansible_collections.kerio.connect.plugins.plugin_utils._reconcile import Plan, UserUpdate
from ansible_collections.kerio.connect.plugins.plugin_utils._records import InputError, UserRecord, unique_ignoring_case

# Server.findEntityByEmail's kinds of address holders other than users, in words.
ENTITY_WORDS = {"EntityGroup": "the group", "EntityAlias": "the alias", "EntityMailingList": "the mailing list", "EntityResource": "the resource"}


@dataclasses.dataclass(frozen=True)
class ServerFacts:
    """What ``check_plan`` needs besides the users and groups read, each read from the server only when the plan needs it."""

    # Server.findEntityByEmail's entities for the addresses the plan gives (see addresses_to_look_up).
    address_holders: t.Sequence[dict[str, t.Any]] = ()
    # Domains.getUserCountInfo's countInfo; None when the plan creates and enables nobody.
    user_count: dict[str, t.Any] | None = None
    # Session.whoAmI's userDetails; None when the plan removes, disables and takes out of admin_groups nobody.
    session_user: dict[str, t.Any] | None = None
    # The case-folded names of the domain's groups whose role gives administration rights (see admin_groups).
    admin_groups: frozenset[str] = frozenset()


# The roles that may change a domain's accounts, as the import must (an Auditor only reads).
ACCOUNT_ADMIN_ROLES = frozenset({"AccountAdmin", "FullAdmin", "BuiltInDomainAdmin", "BuiltInAdmin"})


def admin_groups(groups: t.Iterable[dict[str, t.Any]]) -> frozenset[str]:
    """The case-folded names of the groups whose role may change accounts: a member may owe the import's rights to one.

    A group's role is a UserRoleType, or a UserRight as a user's is (the reference leaves it open, §7).
    """
    def role_name(role: t.Any) -> t.Any:
        return role.get("userRole") if isinstance(role, dict) else role

    return frozenset(group["name"].casefold() for group in groups if role_name(group.get("role")) in ACCOUNT_ADMIN_ROLES)


def needs_session_user(plan: Plan, admin_group_names: frozenset[str]) -> bool:
    """Whether the plan removes, disables or takes out of an administrators' group anyone: the session's own account may be among them."""
    leaves_administering = any(group.casefold() in admin_group_names for update in plan.updates for group in update.groups_to_leave)
    return bool(plan.removals or plan.disables_users or leaves_administering)


def addresses_to_look_up(plan: Plan) -> list[str]:
    """Every address the plan gives a user (a created user's login name is one), once each."""
    of_new_users = (address for create in plan.creates for address in (create.record.name, *create.user["emailAddresses"]))
    of_changed_users = (address for update in plan.updates for address in update.pattern.get("emailAddresses", ()))
    return list(unique_ignoring_case(itertools.chain(of_new_users, of_changed_users)))


def check_plan(plan: Plan, existing_users: t.Iterable[dict], facts: ServerFacts) -> list[InputError]:
    """What the server would refuse while the plan is applied, found before the first write."""
    return [
        *_AddressBook(plan, existing_users, facts.address_holders).conflicts(),
        *_capacity_problems(plan, facts.user_count),
        *_session_user_lockouts(plan, facts),
    ]


class _AddressBook:
    """Who holds each address while the applier works: removals first, then changes, then creations.

    An address belongs to one user, group or alias of the domain, and a user's login name is one of
    its addresses. An address a removed or changed user gives up is free for anybody: the applier
    lets go of the addresses changed users give each other before it changes them.
    """

    def __init__(self, plan: Plan, existing_users: t.Iterable[dict], address_holders: t.Sequence[dict[str, t.Any]]):
        self.plan = plan
        self.existing_users = existing_users
        self.others = _other_holders(address_holders)
        self.errors: list[InputError] = []
        self._given: dict[str, UserRecord] = {}  # case-folded address -> the declared user the plan gives it to
        self._holders: dict[str, dict] = {}  # case-folded address -> the existing user holding it after the removals
        self._new_addresses: dict[str, set[str]] = {}  # user id -> the case-folded addresses a change gives that user

    def conflicts(self) -> list[InputError]:
        changes = [update for update in self.plan.updates if "emailAddresses" in update.pattern]
        if not self.plan.creates and not changes:
            return []  # nothing is given, so nothing can clash (and a re-run skips reading every address)
        removed = {removal.user_id for removal in self.plan.removals}
        for user in self.existing_users:
            if user["id"] not in removed:
                for address in (user["loginName"], *(user.get("emailAddresses") or ())):
                    self._holders[address.casefold()] = user
        self._new_addresses = {update.user_id: {address.casefold() for address in update.pattern["emailAddresses"]} for update in changes}
        for update in changes:
            for address in update.pattern["emailAddresses"]:
                self._give(update.record, address, update.user_id)
        for create in self.plan.creates:
            self._give(create.record, create.record.name, None, login_name=True)
            for address in create.user["emailAddresses"]:
                self._give(create.record, address, None, from_defaults=create.record.addresses is None)
        return self.errors

    def _give(self, record: UserRecord, address: str, user_id: str | None, login_name: bool = False, from_defaults: bool = False) -> None:
        """Give ``address`` to ``record``'s user: ``user_id`` when it exists, None when it is created."""
        key = address.casefold()
        problem = self._problem(key, record, user_id)
        if problem is None:
            self._given[key] = record
            return
        # Put in words only now: most addresses are given without a problem.
        subject = f"the login name {quoted(address)} (also the user's address)" if login_name else f"the address {quoted(address)}"
        if from_defaults:  # the record's origin names a user that declares no address
            subject += " (from defaults, as the user declares no addresses)"
        self.errors.append(InputError(record.origin.at_column("Name" if login_name else "MailAddress"), f"{subject} {problem}"))

    def _problem(self, key: str, record: UserRecord, user_id: str | None) -> str | None:
        """What the server would say to giving the address ``key`` to ``record``'s user, or None when it is free."""
        if key in self.others:
            return f"is already used by {self.others[key]} in the domain; choose another"
        given = self._given.get(key)
        # The same user declared twice gives it twice: its duplicate error says so, once.
        if given is not None and given.key != record.key:
            return f"is also declared for the user {quoted(given.name)} ({given.origin}); an address can belong to one user only"
        holder = self._holders.get(key)
        if holder is None or holder["id"] == user_id:
            return None
        if holder["loginName"].casefold() == key:
            return f"is the login name of the user {quoted(holder['loginName'])}, and so that user's address; choose another"
        if holder["id"] not in self._new_addresses or key in self._new_addresses[holder["id"]]:
            return (f"already belongs to the user {quoted(holder['loginName'])}, who keeps it; an address can belong to one user only: "
                    "take it from that user first, in Kerio or in the addresses this import declares for that user")
        return None  # its holder gives it up: before any user is created, and before any other is changed (address_releases)


def _other_holders(entities: t.Sequence[dict[str, t.Any]]) -> dict[str, str]:
    """Case-folded address -> its holder in words, for the holders that are not users.

    Users are left out: the plan knows them, and whether they keep their addresses. Patterns are
    left out as Kerio's own sample (PHP SDK checkUser.php) does: they match addresses, not hold them.
    """
    holders = {}
    for entity in entities:
        if not isinstance(entity, dict) or entity.get("kind") == "EntityUser" or entity.get("isPattern"):
            continue
        local_part = str(entity.get("collisionAddress") or "").partition("@")[0]
        kind = entity.get("kind")
        holders[local_part.casefold()] = f"{ENTITY_WORDS.get(kind, kind)} {quoted(entity.get('name'))}"
    return holders


def _capacity_problems(plan: Plan, user_count: dict[str, t.Any] | None) -> list[InputError]:
    """The first user the server would refuse for want of room under the licence or the domain's user limit.

    Disabled users do not count. Removals come first and free their places, disablings come before the
    users enabled again (see _Applier.update_users), and creations come last.
    """
    allowed = (user_count or {}).get("allowedUsers")
    if not isinstance(allowed, dict) or allowed.get("isUnlimited", True):
        return []
    current, most = user_count.get("currentUsers"), allowed.get("allowedUsers")
    if not isinstance(current, int) or not isinstance(most, int):
        return []  # an answer this check cannot read: the server still refuses what does not fit, as before
    freed = sum(1 for removal in plan.removals if removal.server_user.get("isEnabled", True))
    freed += sum(1 for update in plan.updates if update.disables)
    room = max(0, most - current) + freed
    taking = [update.record for update in plan.updates if update.enables]
    taking += [create.record for create in plan.creates if create.user["isEnabled"]]
    if len(taking) <= room:
        return []
    freeing = f", {freed} freed by this import's removals and disablings" if freed else ""
    if allowed.get("limitType") == "LicenseLimit":
        # Kerio counts the other domains' enabled users against the licence too: what is left is this domain's room.
        counted = f"{current} enabled in the domain; the licence allows it {most}, the other domains' enabled users counted{freeing}"
    else:
        counted = f"{current} enabled of the {most} the domain's user limit allows{freeing}"
    return [InputError(taking[room].origin, (
        f"only {room} of the {len(taking)} enabled users this import creates or enables fit in the domain ({counted}); "
        "this user is the first that would not fit. Import fewer users, create some disabled (enabled: false), or raise the limit."
    ))]


def _keeps_an_admin_group(update: UserUpdate, admin: frozenset[str]) -> bool:
    leaving = {group.casefold() for group in update.groups_to_leave}
    kept = [group["name"] for group in update.server_user.get("userGroups") or () if group["name"].casefold() not in leaving]
    return any(group.casefold() in admin for group in (*kept, *update.groups_to_join))


def _session_user_lockouts(plan: Plan, facts: ServerFacts) -> list[InputError]:
    """Kerio refuses to remove the account of the session that asks; disabling it, or taking it out of a group its
    administration rights may come from, would lock the next run out."""
    session_user_id = (facts.session_user or {}).get("id")
    if session_user_id is None:
        return []
    removed = [removal.record for removal in plan.removals if removal.user_id == session_user_id]
    own_updates = [update for update in plan.updates if update.user_id == session_user_id]
    disabled = [update.record for update in own_updates if update.disables]
    # Refused only when the account keeps no such group (its own role, which the import does not read, may suffice too).
    left = [(update.record, group) for update in own_updates if not _keeps_an_admin_group(update, facts.admin_groups)
            for group in update.groups_to_leave if group.casefold() in facts.admin_groups]
    return [
        *(InputError(record.origin, (
            f"the user {quoted(record.name)} is the account this import logs in with (kerio_user), and Kerio does not remove "
            "the account of its own session; remove it as another administrator, or leave it out"
        )) for record in removed),
        *(InputError(record.origin, (
            f"the user {quoted(record.name)} is the account this import logs in with (kerio_user): disabled, it could not log in "
            "again; disable it as another administrator, or leave enabled out for it"
        )) for record in disabled),
        *(InputError(record.origin.at_column("Groups"), (
            f"the user {quoted(record.name)} is the account this import logs in with (kerio_user), and the group {quoted(group)} gives "
            "administration rights: out of it, the account may no longer be able to run the import; change its groups as "
            "another administrator, or leave groups out for it"
        )) for record, group in left),
    ]
