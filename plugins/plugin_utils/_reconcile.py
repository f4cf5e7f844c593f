# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The reconcile engine: declared users + what the server holds → a plan of changes.

Pure: it reads dictionaries shaped like the API's answers and never calls the API, so check
mode, diff mode and the real run all come from the same plan. ``check_plan`` then finds what the
server would refuse part-way through (an address taken, a weak password, no room left, the
session's own account removed), so that it is refused before the first write instead.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._records import INTERNAL_AUTH, STATE_ABSENT, InputError, UserRecord

# The Users.get fields the plan compares; one paged read fetches exactly these.
USER_FIELDS = ("id", "loginName", "fullName", "description", "emailAddresses", "userGroups", "isEnabled", "authType")

# UserTemplate members a created user inherits: everything but identity, name and password, as
# the console's import does. emailAddresses are left out because an address can belong to one
# user only; the template's groups become memberships.
TEMPLATE_USER_FIELDS = (
    "description", "authType", "isPasswordReversible", "allowPasswordChange", "hasDefaultSpamRule", "role",
    "emailForwarding", "itemLimit", "diskSizeLimit", "hasDomainRestriction", "outMessageLimit", "publishInGal",
    "cleanOutItems", "accessPolicy",
)

PASSWORD_CHANGED = "(changed)"

# How a created user's members are named in a diff: as an existing user's, where the import manages them.
DIFF_NAMES = {"fullName": "full_name", "isEnabled": "enabled", "emailAddresses": "addresses", "authType": "auth_type"}

# A complex password has characters of three of these four kinds (the server's rule, reference §5.1).
PASSWORD_KINDS = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]"))
PASSWORD_KINDS_REQUIRED = 3

# Server.findEntityByEmail's kinds of address holders other than users, in words.
ENTITY_WORDS = {"EntityGroup": "the group", "EntityAlias": "the alias", "EntityMailingList": "the mailing list", "EntityResource": "the resource"}


@dataclasses.dataclass(frozen=True)
class PasswordPolicy:
    """A domain's password policy, as the server applies it to every password Users.create and Users.set get."""

    complexity: bool = False
    minimum_length: int = 0

    @classmethod
    def of_domain(cls, domain: dict[str, t.Any]) -> PasswordPolicy:
        # Older servers have no policy fields (reference §12), and then nothing is checked.
        length = domain.get("passwordMinimumLength")
        return cls(domain.get("passwordComplexityEnabled") is True, length if isinstance(length, int) else 0)

    def problem(self, password: str) -> str | None:
        """Why the server would refuse ``password``, or ``None``; never quotes the password."""
        if not password:
            return "the password is empty; give one, or leave it out for Kerio to generate one"
        if not self.complexity:
            return None  # the server checks the minimum length only as part of the complexity rule
        if len(password) >= self.minimum_length and sum(1 for pattern in PASSWORD_KINDS if pattern.search(password)) >= PASSWORD_KINDS_REQUIRED:
            return None
        return (f"the password does not meet the domain's password policy: at least {self.minimum_length} characters, "
                "of three of the kinds lower-case letter, upper-case letter, digit and other character; give a stronger one")


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
        if self.record.password is not None:
            after["password"] = PASSWORD_CHANGED
        elif self.needs_generated_password:
            after["password"] = "(generated)"
        return after


@dataclasses.dataclass(slots=True)
class UserUpdate:
    record: UserRecord
    user_id: str
    pattern: dict[str, t.Any]
    groups_to_join: tuple[str, ...]
    groups_to_leave: tuple[str, ...]
    before: dict[str, t.Any]
    after: dict[str, t.Any]


@dataclasses.dataclass(slots=True)
class UserRemoval:
    record: UserRecord
    user_id: str
    before: dict[str, t.Any]


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
    def enables_users(self) -> bool:
        """Whether a user is created enabled or enabled again: each takes a place the licence and the domain count."""
        return any(create.user["isEnabled"] for create in self.creates) or any(update.pattern.get("isEnabled") for update in self.updates)


def _folded(values: t.Iterable[str]) -> set[str]:
    return {value.casefold() for value in values}


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _declared_view(record: UserRecord) -> dict[str, t.Any]:
    """The declared fields as a diff shows them (undeclared fields are not managed, so not shown)."""
    view: dict[str, t.Any] = {}
    for field in ("full_name", "description", "enabled", "auth_type"):
        value = getattr(record, field)
        if value is not None:
            view[field] = value
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
        "auth_type": user.get("authType", INTERNAL_AUTH),
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

    def _require_groups(self, record: UserRecord, names: t.Iterable[str]) -> None:
        for name in names:
            if name.casefold() in self.group_names or name.casefold() in self._groups_to_create:
                continue
            if self.options.create_groups:
                self._groups_to_create[name.casefold()] = name
            else:
                self.plan.errors.append(InputError(
                    record.origin.at_column("Groups"),
                    f"the group {name!r} does not exist in the domain; create it first or set create_groups: true",
                ))

    def _check_password(self, record: UserRecord, password: str) -> None:
        problem = self.options.password_policy.problem(password)
        if problem:
            self.plan.errors.append(InputError(record.origin.at_column("Password"), problem))

    def _plan_absent(self, record: UserRecord, existing: dict | None) -> None:
        if existing is None:
            self.plan.unchanged.append(record)
            return
        self.plan.removals.append(UserRemoval(record, existing["id"], _server_view(existing)))

    def _plan_create(self, record: UserRecord) -> None:
        defaults = self.options.defaults
        merged = dataclasses.replace(
            record,
            full_name=record.full_name if record.full_name is not None else defaults.get("full_name"),
            description=record.description if record.description is not None else defaults.get("description"),
            addresses=record.addresses if record.addresses is not None else _as_tuple(defaults.get("addresses")),
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
        groups = _unique([*(merged.groups or ()), *self._template_groups])
        self._require_groups(record, groups)
        if record.password is not None:
            self._check_password(record, record.password)
        self.plan.creates.append(UserCreate(record, user, tuple(groups)))

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
        if self.options.update_password == "always" and record.password is not None:
            pattern["password"] = record.password
            self._check_password(record, record.password)

        joined, left = (), ()
        if record.groups is not None:
            current = _folded(group["name"] for group in existing.get("userGroups") or [])
            joined = tuple(name for name in record.groups if name.casefold() not in current)
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
            after["groups"] = sorted(_unique([*(name for name in before["groups"] if name.casefold() not in leaving), *joined]), key=str.casefold)
        if "password" in pattern:
            before["password"], after["password"] = "", PASSWORD_CHANGED
        self.plan.updates.append(UserUpdate(record, existing["id"], pattern, joined, left, before, after))


def _as_tuple(values: t.Iterable[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _unique(names: t.Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


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


@dataclasses.dataclass(frozen=True)
class ServerFacts:
    """What ``check_plan`` needs from the server besides its users and groups, each read only when the plan needs it."""

    # Server.findEntityByEmail's entities for the addresses the plan gives (see addresses_to_look_up).
    address_holders: t.Sequence[dict[str, t.Any]] = ()
    # Domains.getUserCountInfo's countInfo; None when the plan creates and enables nobody.
    user_count: dict[str, t.Any] | None = None
    # Session.whoAmI's userDetails; None when the plan removes nobody.
    session_user: dict[str, t.Any] | None = None


def addresses_to_look_up(plan: Plan) -> list[str]:
    """Every address the plan gives a user (a created user's login name is one), once each."""
    addresses: dict[str, str] = {}
    for create in plan.creates:
        for address in (create.record.name, *create.user["emailAddresses"]):
            addresses.setdefault(address.casefold(), address)
    for update in plan.updates:
        for address in update.pattern.get("emailAddresses", ()):
            addresses.setdefault(address.casefold(), address)
    return list(addresses.values())


def check_plan(plan: Plan, existing_users: t.Iterable[dict], facts: ServerFacts) -> list[InputError]:
    """What the server would refuse while the plan is applied, found before the first write."""
    return [
        *_AddressBook(plan, existing_users, facts.address_holders).conflicts(),
        *_capacity_problems(plan, facts.user_count),
        *_session_user_removals(plan, facts.session_user),
    ]


class _AddressBook:
    """Who holds each address while the applier works: removals first, then changes, then creations.

    An address belongs to one user, group or alias of the domain, and a user's login name is one of
    its addresses. An address a removed user held is free for anybody; one a changed user gives up
    is free for the users created after the changes, but not for another changed user, since the
    changes run in no order a plan should count on.
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
        self._new_addresses = {update.user_id: _folded(update.pattern["emailAddresses"]) for update in changes}
        for update in changes:
            for address in update.pattern["emailAddresses"]:
                self._give(update.record, address, update.user_id)
        for create in self.plan.creates:
            self._give(create.record, create.record.name, None, login_name=True)
            for address in create.user["emailAddresses"]:
                self._give(create.record, address, None)
        return self.errors

    def _give(self, record: UserRecord, address: str, user_id: str | None, login_name: bool = False) -> None:
        """Give ``address`` to ``record``'s user: ``user_id`` when it exists, None when it is created."""
        key = address.casefold()
        problem = self._problem(key, record, user_id)
        if problem is None:
            self._given[key] = record
            return
        # Put in words only now: most addresses are given without a problem.
        subject = f"the login name {address!r} (also the user's address)" if login_name else f"the address {address!r}"
        self.errors.append(InputError(record.origin.at_column("Name" if login_name else "MailAddress"), f"{subject} {problem}"))

    def _problem(self, key: str, record: UserRecord, user_id: str | None) -> str | None:
        """What the server would say to giving the address ``key`` to ``record``'s user, or None when it is free."""
        if key in self.others:
            return f"is already used by {self.others[key]} in the domain; choose another"
        given = self._given.get(key)
        if given is not None and given is not record:
            return f"is also declared for the user {given.name!r} ({given.origin}); an address can belong to one user only"
        holder = self._holders.get(key)
        if holder is None or holder["id"] == user_id:
            return None
        if holder["loginName"].casefold() == key:
            return f"is the login name of the user {holder['loginName']!r}, and so that user's address; choose another"
        if holder["id"] not in self._new_addresses or key in self._new_addresses[holder["id"]]:
            return (f"already belongs to the user {holder['loginName']!r}, who keeps it; an address can belong to one user only: "
                    "take it from that user first, in Kerio or in the addresses this import declares for that user")
        if user_id is None:
            return None  # its holder gives it up, and the changes are made before any user is created
        return (f"is taken from the user {holder['loginName']!r} in this same import, but Kerio changes existing users one at a "
                "time, so an address cannot move between them in one run: remove it there in one run, give it here in the next")


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
        holders[local_part.casefold()] = f"{ENTITY_WORDS.get(kind, kind)} {entity.get('name')!r}"
    return holders


def _capacity_problems(plan: Plan, user_count: dict[str, t.Any] | None) -> list[InputError]:
    """The first user the server would refuse for want of room under the licence or the domain's user limit.

    Disabled users do not count. Removals come first and free their places; the changes then run in
    no order a plan should count on, so a user disabled there frees a place for the creations only.
    """
    allowed = (user_count or {}).get("allowedUsers")
    if not isinstance(allowed, dict) or allowed.get("isUnlimited", True):
        return []
    current, most = user_count.get("currentUsers"), allowed.get("allowedUsers")
    if not isinstance(current, int) or not isinstance(most, int):
        return []  # an answer this check cannot read: the server still refuses what does not fit, as before
    freed = sum(1 for removal in plan.removals if removal.before["enabled"])
    room = max(0, most - current) + freed
    enabled_again = [update.record for update in plan.updates if update.pattern.get("isEnabled") is True]
    created = [create.record for create in plan.creates if create.user["isEnabled"]]
    needed = len(enabled_again) + len(created)
    if len(enabled_again) > room:
        first_refused = enabled_again[room]
    else:
        disabled = sum(1 for update in plan.updates if update.pattern.get("isEnabled") is False)
        freed += disabled
        room += disabled
        if needed <= room:
            return []
        first_refused = created[room - len(enabled_again)]
    limit = "licence" if allowed.get("limitType") == "LicenseLimit" else "domain's user limit"
    freeing = f", {freed} freed by this import's removals and disablings" if freed else ""
    return [InputError(first_refused.origin, (
        f"only {room} of the {needed} enabled users this import creates or enables fit in the domain "
        f"({current} enabled of {most} allowed by the {limit}{freeing}); this user is the first that would not fit. "
        "Import fewer users, create some disabled (enabled: false), or raise the limit"
    ))]


def _session_user_removals(plan: Plan, session_user: dict[str, t.Any] | None) -> list[InputError]:
    """Kerio refuses to remove the account of the session that asks."""
    session_user_id = (session_user or {}).get("id")
    return [
        InputError(removal.record.origin, (
            f"the user {removal.record.name!r} is the account this import logs in with (kerio_user), and Kerio does not remove "
            "the account of its own session; remove it as another administrator, or leave it out"
        ))
        for removal in plan.removals if session_user_id is not None and removal.user_id == session_user_id
    ]
