# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The reconcile engine: declared users + what the server holds → a plan of changes.

Pure: it reads dictionaries shaped like the API's answers and never calls the API, so check
mode, diff mode and the real run all come from the same plan. What the server would refuse of a
plan is found by _plan_checks before the first write.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._password_policy import PasswordPolicy
from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted
from ansible_collections.kerio.connect.plugins.plugin_utils._records import (
    AUTH_TYPES,
    INTERNAL_AUTH,
    STATE_ABSENT,
    InputError,
    UserRecord,
    unique_ignoring_case,
)

# The Users.get fields the plan compares; one paged read fetches exactly these.
USER_FIELDS = ("id", "loginName", "fullName", "description", "emailAddresses", "userGroups", "isEnabled", "authType")

# UserTemplate members a created user inherits: everything but identity, name and password, as
# the console's import does. emailAddresses are left out because an address can belong to one
# user only; the template's groups become memberships; its role is taken apart (_template_role).
TEMPLATE_USER_FIELDS = (
    "description", "authType", "isPasswordReversible", "allowPasswordChange", "hasDefaultSpamRule",
    "emailForwarding", "itemLimit", "diskSizeLimit", "hasDomainRestriction", "outMessageLimit", "publishInGal",
    "cleanOutItems", "accessPolicy",
)

PASSWORD_CHANGED = "(changed)"
# An existing user's password as a diff shows it before a change: never read, never shown.
PASSWORD_NOT_SHOWN = "(not shown)"

# How a created user's members are named in a diff: as an existing user's, where the import manages them.
DIFF_NAMES = {"fullName": "full_name", "isEnabled": "enabled", "emailAddresses": "addresses", "authType": "auth_type"}
# And how a diff names the ways users sign in: as the auth_type options do, not as Kerio does.
AUTH_TYPE_NAMES = {kerio: name for name, kerio in AUTH_TYPES.items()}


@dataclasses.dataclass(frozen=True)
class PlanOptions:
    update_existing: bool = True
    update_password: str = "on_create"
    create_groups: bool = True
    remove_from_unlisted_groups: bool = False
    defaults: dict[str, t.Any] = dataclasses.field(default_factory=dict)
    template: dict[str, t.Any] | None = None
    password_policy: PasswordPolicy = PasswordPolicy()


@dataclasses.dataclass(slots=True)
class UserCreate:
    record: UserRecord
    user: dict[str, t.Any]
    groups: tuple[str, ...]

    @property
    def needs_generated_password(self) -> bool:
        # Only Kerio's own user database needs a password; other users sign in against their directory.
        return self.record.password is None and self.user.get("authType", INTERNAL_AUTH) == INTERNAL_AUTH

    @property
    def diff(self) -> dict[str, t.Any]:
        """The new user as a diff shows it: every member the import sets, the template's too.

        Made when asked for, since most runs show no diff.
        """
        after = {DIFF_NAMES.get(name) or _snake_case(name): value for name, value in self.user.items() if name != "loginName"}
        after["addresses"] = sorted(self.user["emailAddresses"], key=str.casefold)
        after["groups"] = sorted(self.groups, key=str.casefold)
        if "auth_type" in after:
            after["auth_type"] = _auth_type_name(after["auth_type"])
        if self.record.password is not None:
            after["password"] = PASSWORD_CHANGED
        elif self.needs_generated_password:
            after["password"] = "(generated)"
        return after


@dataclasses.dataclass(slots=True)
class UserUpdate:
    """A change of an existing user. ``before`` and ``after`` are for the diff alone (renamed, sorted, limited
    to what the record manages); what the checks need of the user is read from ``server_user``."""

    record: UserRecord
    pattern: dict[str, t.Any]
    groups_to_join: tuple[str, ...]
    groups_to_leave: tuple[str, ...]
    before: dict[str, t.Any]
    after: dict[str, t.Any]
    server_user: dict[str, t.Any]

    @property
    def user_id(self) -> str:
        return self.server_user["id"]

    @property
    def disables(self) -> bool:
        """Whether it disables the user, which frees a place under the licence and the domain's limit."""
        return self.pattern.get("isEnabled") is False

    @property
    def enables(self) -> bool:
        """Whether it enables the user again, which takes a place under the licence and the domain's limit."""
        return self.pattern.get("isEnabled") is True


@dataclasses.dataclass(slots=True)
class UserRemoval:
    """The removal of an existing user; ``before`` is for the diff, ``server_user`` the user as read."""

    record: UserRecord
    before: dict[str, t.Any]
    server_user: dict[str, t.Any]

    @property
    def user_id(self) -> str:
        return self.server_user["id"]


@dataclasses.dataclass
class Plan:
    groups_to_create: list[str] = dataclasses.field(default_factory=list)
    creates: list[UserCreate] = dataclasses.field(default_factory=list)
    updates: list[UserUpdate] = dataclasses.field(default_factory=list)
    removals: list[UserRemoval] = dataclasses.field(default_factory=list)
    unchanged: list[UserRecord] = dataclasses.field(default_factory=list)
    errors: list[InputError] = dataclasses.field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(self.groups_to_create or self.creates or self.updates or self.removals)

    @property
    def creates_join_undeclared_groups(self) -> bool:
        """Whether a user to create is to join groups its source does not declare (the template's)."""
        return any(_folded(create.groups) - _folded(create.record.groups or ()) for create in self.creates)

    @property
    def disables_users(self) -> bool:
        return any(update.disables for update in self.updates)

    @property
    def enables_users(self) -> bool:
        """Whether a user is created enabled or enabled again: each takes a place the licence and the domain count."""
        return any(create.user["isEnabled"] for create in self.creates) or any(update.enables for update in self.updates)


def _folded(values: t.Iterable[str]) -> set[str]:
    return {value.casefold() for value in values}


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _auth_type_name(kerio_name: str) -> str:
    return AUTH_TYPE_NAMES.get(kerio_name, kerio_name)


def _declared_view(record: UserRecord) -> dict[str, t.Any]:
    """The declared fields as a diff shows them (undeclared fields are not managed, so not shown)."""
    view: dict[str, t.Any] = {}
    for field in ("full_name", "description", "enabled"):
        value = getattr(record, field)
        if value is not None:
            view[field] = value
    if record.auth_type is not None:
        view["auth_type"] = _auth_type_name(record.auth_type)
    for field in ("addresses", "groups"):
        value = getattr(record, field)
        if value is not None:
            view[field] = sorted(value, key=str.casefold)
    return view


def _server_view(user: dict[str, t.Any]) -> dict[str, t.Any]:
    """An existing user's managed fields, named and ordered as a diff shows them."""
    return {
        "full_name": user.get("fullName", ""),
        "description": user.get("description", ""),
        "enabled": user.get("isEnabled", True),
        "addresses": sorted(user.get("emailAddresses") or [], key=str.casefold),
        "groups": sorted((group["name"] for group in user.get("userGroups") or []), key=str.casefold),
        "auth_type": _auth_type_name(user.get("authType", INTERNAL_AUTH)),
    }


def _existing_view(user: dict[str, t.Any], record: UserRecord) -> dict[str, t.Any]:
    """An existing user's fields, limited to what the record manages."""
    return {field: value for field, value in _server_view(user).items() if getattr(record, field) is not None}


class _Planner:
    def __init__(self, existing_users: t.Iterable[dict], existing_groups: t.Iterable[dict], options: PlanOptions):
        self.options = options
        self.users = {user["loginName"].casefold(): user for user in existing_users}
        self.group_names = {group["name"].casefold(): group["name"] for group in existing_groups}
        self.plan = Plan()
        self._groups_to_create: dict[str, str] = {}
        # What the template gives every new user, found once rather than per user.
        template = options.template or {}
        self._template_user = {field: template[field] for field in TEMPLATE_USER_FIELDS if field in template}
        role = _template_role(template)
        if role:
            self._template_user["role"] = role
        self._template_groups = [group["name"] for group in template.get("userGroups") or [] if group.get("name")]
        self._template_group_keys = _folded(self._template_groups)

    def build(self, records: t.Iterable[UserRecord]) -> Plan:
        for record in records:
            existing = self.users.get(record.key)
            if record.state == STATE_ABSENT:
                self._plan_absent(record, existing)
            elif existing is None:
                self._plan_create(record)
            else:
                self._plan_update(record, existing)
        self.plan.groups_to_create = list(self._groups_to_create.values())
        return self.plan

    def _as_spelled(self, names: t.Iterable[str]) -> list[str]:
        """Group names as the server spells them (a diff shows what the server will hold); a new group's as first declared."""
        return [self.group_names.get(name.casefold()) or self._groups_to_create.get(name.casefold(), name) for name in names]

    def _require_groups(self, record: UserRecord, names: t.Iterable[str]) -> None:
        for name in names:
            if name.casefold() in self.group_names or name.casefold() in self._groups_to_create:
                continue
            if self.options.create_groups:
                self._groups_to_create[name.casefold()] = name
            else:
                self.plan.errors.append(InputError(
                    record.origin.at_column("Groups"),
                    f"the group {quoted(name)} does not exist in the domain; create it first or set create_groups: true",
                ))

    def _check_password(self, record: UserRecord, password: str, full_name: str | None) -> None:
        problem = self.options.password_policy.problem(password, record.name, full_name)
        if problem:
            self.plan.errors.append(InputError(record.origin.at_column("Password"), problem))

    def _plan_absent(self, record: UserRecord, existing: dict | None) -> None:
        if existing is None:
            self.plan.unchanged.append(record)
            return
        self.plan.removals.append(UserRemoval(record, _server_view(existing), existing))

    def _plan_create(self, record: UserRecord) -> None:
        defaults = self.options.defaults
        merged = dataclasses.replace(
            record,
            full_name=record.full_name if record.full_name is not None else defaults.get("full_name"),
            description=record.description if record.description is not None else defaults.get("description"),
            addresses=record.addresses if record.addresses is not None else _default_addresses(defaults.get("addresses"), record.key),
            groups=record.groups if record.groups is not None else _as_tuple(defaults.get("groups")),
            enabled=record.enabled if record.enabled is not None else defaults.get("enabled"),
        ) if defaults else record
        user = dict(self._template_user)
        user["loginName"] = record.name
        if merged.full_name is not None:
            user["fullName"] = merged.full_name
        if merged.description is not None:
            user["description"] = merged.description
        user["emailAddresses"] = list(merged.addresses or ())
        user["isEnabled"] = merged.enabled if merged.enabled is not None else True
        auth_type = record.auth_type or record.new_user_auth_type
        if auth_type is not None:
            user["authType"] = auth_type
        groups = unique_ignoring_case([*self._as_spelled(merged.groups or ()), *self._template_groups])
        self._require_groups(record, groups)
        if record.password is not None:
            self._check_password(record, record.password, merged.full_name)
        self.plan.creates.append(UserCreate(record, user, groups))

    def _plan_update(self, record: UserRecord, existing: dict) -> None:
        if not self.options.update_existing:
            self.plan.unchanged.append(record)
            return
        pattern: dict[str, t.Any] = {}
        if record.full_name is not None and record.full_name != existing.get("fullName", ""):
            pattern["fullName"] = record.full_name
        if record.description is not None and record.description != existing.get("description", ""):
            pattern["description"] = record.description
        if record.enabled is not None and record.enabled != existing.get("isEnabled", True):
            pattern["isEnabled"] = record.enabled
        if record.auth_type is not None and record.auth_type != existing.get("authType", INTERNAL_AUTH):
            pattern["authType"] = record.auth_type
        if record.addresses is not None and _folded(record.addresses) != _folded(existing.get("emailAddresses") or []):
            pattern["emailAddresses"] = list(record.addresses)
        # A user switched to Kerio's own sign-in gets the declared password whatever update_password says:
        # it had none it could have changed, and it could not sign in without one. Whether it has one from
        # before cannot be read, so one must be declared.
        switched_to_internal = pattern.get("authType") == INTERNAL_AUTH
        if switched_to_internal and record.password is None:
            self.plan.errors.append(InputError(record.origin.at_column("Password"), (
                "the user signs in against a directory now, and switching it to Kerio's own sign-in (auth_type internal) needs "
                "a password, set with the switch: give it one (in a CSV Password column, or for a directory user in an inline "
                "users entry, with duplicate_users merge), or leave auth_type out for this source")))
        if (self.options.update_password == "always" or switched_to_internal) and record.password is not None:
            pattern["password"] = record.password
            # Checked against the full name the user has once the change is made, as the server does.
            self._check_password(record, record.password, pattern.get("fullName", existing.get("fullName")))

        joined, left = (), ()
        if record.groups is not None:
            current = _folded(group["name"] for group in existing.get("userGroups") or [])
            joined = tuple(self._as_spelled(name for name in record.groups if name.casefold() not in current))
            if self.options.remove_from_unlisted_groups:
                # The template's groups count as listed: the import puts every user it creates in
                # them, and taking the user out again on the next run would never settle.
                wanted = _folded(record.groups) | self._template_group_keys
                left = tuple(group["name"] for group in existing.get("userGroups") or [] if group["name"].casefold() not in wanted)
            self._require_groups(record, joined)

        if not pattern and not joined and not left:
            self.plan.unchanged.append(record)
            return
        before = _existing_view(existing, record)
        after = _declared_view(record)
        if "groups" in after:
            # The groups the user will be in: those it keeps (all of them, unless it leaves some) and those it joins.
            leaving = _folded(left)
            after["groups"] = sorted(unique_ignoring_case([*(name for name in before["groups"] if name.casefold() not in leaving), *joined]), key=str.casefold)
        if "addresses" in after and "emailAddresses" not in pattern:
            after["addresses"] = before["addresses"]  # the same but for case, which the server keeps as it is
        if "password" in pattern:
            before["password"], after["password"] = PASSWORD_NOT_SHOWN, PASSWORD_CHANGED
        self.plan.updates.append(UserUpdate(record, pattern, joined, left, before, after, existing))


def _as_tuple(values: t.Iterable[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _default_addresses(addresses: t.Iterable[str] | None, login_key: str) -> tuple[str, ...] | None:
    """The default addresses of a new user but its login name, which is its address already (as a source's)."""
    return None if addresses is None else tuple(address for address in addresses if address.casefold() != login_key)


def _template_role(template: dict[str, t.Any]) -> dict[str, t.Any] | None:
    """The role a template gives new users, as the whole UserRight that Users.create takes.

    A template's role is a UserRight "excluding public/archive folder rights" (reference §8): the
    server may leave those two out or send them, and a new user gets neither from a template.
    """
    role = template.get("role")
    if not isinstance(role, dict) or not role.get("userRole"):
        return None
    return {"userRole": role["userRole"], "publicFolderRight": False, "archiveFolderRight": False}


class AddressRelease(t.NamedTuple):
    """A ``Users.set`` pattern by which a changed user lets go of addresses another changed user takes."""

    update: UserUpdate
    pattern: dict[str, t.Any]
    # Letting go is all the update changes: the user needs no other Users.set.
    is_whole_change: bool


def address_releases(updates: t.Iterable[UserUpdate]) -> list[AddressRelease]:
    """The ``Users.set`` patterns that let go, first, of the addresses one changed user gives another.

    Kerio checks each ``Users.set`` on its own, so an address moving between two existing users
    (or two users swapping theirs) is refused unless its holder lets go of it first: for a moment,
    the holder keeps only the addresses it keeps in the end.
    """
    changing = [update for update in updates if "emailAddresses" in update.pattern]
    taken: set[str] = set()  # case-folded addresses a changed user gets and did not have
    for update in changing:
        had = _folded(update.server_user.get("emailAddresses") or [])
        taken.update(key for key in _folded(update.pattern["emailAddresses"]) if key not in had)
    releases = []
    for update in changing:
        keeps = _folded(update.pattern["emailAddresses"])
        had = update.server_user.get("emailAddresses") or []
        if any(address.casefold() not in keeps and address.casefold() in taken for address in had):
            kept = [address for address in had if address.casefold() in keeps]
            whole = set(update.pattern) == {"emailAddresses"} and _folded(kept) == keeps
            releases.append(AddressRelease(update, {"emailAddresses": kept}, whole))
    return releases


def build_plan(
    records: t.Iterable[UserRecord],
    existing_users: t.Iterable[dict],
    existing_groups: t.Iterable[dict],
    options: PlanOptions,
) -> Plan:
    """Compare the declared records with the server's users and groups.

    ``existing_users`` are Users.get items with at least USER_FIELDS; ``existing_groups`` are
    Groups.get items with ``id`` and ``name``.
    """
    return _Planner(existing_users, existing_groups, options).build(records)
