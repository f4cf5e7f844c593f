# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the emulator stores (domains, users, groups, aliases, templates) and how each looks on the wire.

Every entity keeps its writable API members in ``data``, exactly as a client sent them. Stored values
are never changed in place (an update assigns a new value), so renders may share them safely.
"""

from __future__ import annotations

import hashlib
import os
import uuid

from _jsontext import dumps
from _schema import ANY, BOOL, INT, STRING, Enum, ListOf, OneOf, Struct

# --- value structs (reference §3); complete=True: every member must be sent -------------------------
BYTE_UNITS = Enum("ByteUnits", "Bytes", "KiloBytes", "MegaBytes", "GigaBytes", "TeraBytes", "PetaBytes")
BYTE_VALUE = Struct("ByteValueWithUnits", {"value": INT, "units": BYTE_UNITS}, complete=True)
SIZE_LIMIT = Struct("SizeLimit", {"isActive": BOOL, "limit": BYTE_VALUE}, complete=True)
ROLE_TYPE = Enum("UserRoleType", "UserRole", "Auditor", "AccountAdmin", "FullAdmin", "BuiltInAdmin", "BuiltInDomainAdmin")
USER_RIGHT = Struct("UserRight", {"userRole": ROLE_TYPE, "publicFolderRight": BOOL, "archiveFolderRight": BOOL}, complete=True)
# A template's role is a UserRight "excluding public/archive folder rights" (reference §8): the role
# alone, so a client that copies it into Users.create as it is sends an incomplete UserRight.
TEMPLATE_ROLE = Struct("UserRight", {"userRole": ROLE_TYPE}, complete=True)
FORWARDING = Struct(
    "EmailForwarding",
    {"mode": Enum("UserForwardMode", "UForwardNone", "UForwardYes", "UForwardDeliver"), "emailAddresses": ListOf(STRING)},
    complete=True,
)
ITEM_LIMIT = Struct("ItemCountLimit", {"isActive": BOOL, "limit": INT}, complete=True)
AFTER_DAYS = Struct("ActionAfterDays", {"isEnabled": BOOL, "days": INT}, complete=True)
CLEAN_OUT = Struct(
    "CleanOut",
    {"isUsedDomain": BOOL, "deletedItems": AFTER_DAYS, "junkEmail": AFTER_DAYS, "sentItems": AFTER_DAYS, "autoDelete": AFTER_DAYS},
    complete=True,
)
ID_ENTITY = Struct("IdEntity", {"id": STRING, "name": STRING})
OPTIONAL_ENTITY = Struct("OptionalEntity", {"enabled": BOOL, "id": STRING, "name": STRING})  # not a value struct (reference §3)
DATA_SOURCE = Enum("DataSource", "DSInternalSource", "DSLDAPSource")
USER_GROUP = Struct("UserGroup", {"id": STRING, "name": STRING, "description": STRING, "itemSource": DATA_SOURCE})
AUTH_TYPE = Enum("UserAuthType", "UInternalAuth", "UWindowsNTAuth", "UPamAuth", "UKerberosAuth", "UAppleAuth", "ULDAPAuth")
LAST_LOGIN = Struct("LastLogin", {"dateTime": INT, "protocol": STRING})

# Roles that only the server hands out (reference §6.1: "must NOT be assigned").
BUILT_IN_ROLES = frozenset(("BuiltInAdmin", "BuiltInDomainAdmin"))
ROLE_RANK = {"UserRole": 0, "Auditor": 1, "AccountAdmin": 2, "FullAdmin": 3, "BuiltInDomainAdmin": 4, "BuiltInAdmin": 5}


def user_right(role: str) -> dict:
    return ROLE_RIGHTS.get(role) or {"userRole": role, "publicFolderRight": False, "archiveFolderRight": False}


# One shared UserRight per role without folder rights, so renders share them (see User.to_json).
ROLE_RIGHTS = {role: {"userRole": role, "publicFolderRight": False, "archiveFolderRight": False} for role in ROLE_RANK}


def spec_for_default(value):
    """The spec of an opaque default: its JSON type, with structs left unmodelled."""
    for python_type, spec in ((bool, BOOL), (int, INT), (str, STRING)):
        if isinstance(value, python_type):
            return spec
    return ListOf(STRING) if isinstance(value, list) else ANY


_OFF_SIZE = {"isActive": False, "limit": {"value": 0, "units": "MegaBytes"}}
_OFF_DAYS = {"isEnabled": False, "days": 30}

# --- User (reference §6.1) ----------------------------------------------------------------------------
USER_DEFAULTS = {
    "companyContactId": "",
    "fullName": "",
    "description": "",
    "isEnabled": True,
    "authType": "UInternalAuth",
    "isPasswordReversible": False,
    "allowPasswordChange": True,
    "hasDefaultSpamRule": False,
    "role": user_right("UserRole"),
    "emailAddresses": [],
    "emailForwarding": {"mode": "UForwardNone", "emailAddresses": []},
    "itemLimit": {"isActive": False, "limit": 0},
    "diskSizeLimit": _OFF_SIZE,
    "hasDomainRestriction": False,
    "outMessageLimit": _OFF_SIZE,
    "publishInGal": True,
    "cleanOutItems": {"isUsedDomain": True, "deletedItems": _OFF_DAYS, "junkEmail": _OFF_DAYS, "sentItems": _OFF_DAYS, "autoDelete": _OFF_DAYS},
    "accessPolicy": {"id": "", "name": ""},
    "homeServer": {"id": "", "name": ""},
}
# Read-only members with plausible values for a mailbox nobody has used yet.
USER_READ_ONLY = {
    "itemSource": "DSInternalSource",
    "isWritableByMe": True,
    "consumedItems": 0,
    "consumedSize": {"value": 0, "units": "Bytes"},
    "lastLoginInfo": {"dateTime": 0, "protocol": ""},
    "migration": {"enabled": False, "id": "", "name": ""},
}
USER_SPEC = Struct("User", {
    "id": STRING,
    "domainId": STRING,
    "companyContactId": STRING,
    "loginName": STRING,
    "fullName": STRING,
    "description": STRING,
    "isEnabled": BOOL,
    "itemSource": DATA_SOURCE,
    "authType": AUTH_TYPE,
    "password": STRING,
    "isPasswordReversible": BOOL,
    "allowPasswordChange": BOOL,
    "hasDefaultSpamRule": BOOL,
    "role": USER_RIGHT,
    "groupRole": USER_RIGHT,
    "effectiveRole": USER_RIGHT,
    "isWritableByMe": BOOL,
    "emailAddresses": ListOf(STRING),
    "emailForwarding": FORWARDING,
    "userGroups": ListOf(USER_GROUP),
    "itemLimit": ITEM_LIMIT,
    "diskSizeLimit": SIZE_LIMIT,
    "consumedItems": INT,
    "consumedSize": BYTE_VALUE,
    "hasDomainRestriction": BOOL,
    "outMessageLimit": SIZE_LIMIT,
    "lastLoginInfo": LAST_LOGIN,
    "publishInGal": BOOL,
    "cleanOutItems": CLEAN_OUT,
    "accessPolicy": ID_ENTITY,
    "homeServer": ID_ENTITY,
    "migration": OPTIONAL_ENTITY,
})
# Members a client may set; the others it sends are ignored (read-only) or handled apart
# (domainId, password) or ignored on purpose (userGroups: see _state.Store.create_user).
USER_WRITABLE = frozenset(USER_DEFAULTS) | {"loginName"}
# Of those, what Users.set may change: hasDefaultSpamRule is "available only on user creation" and
# homeServer is read-only or write-once (reference §6.1), so a pattern's are ignored like read-only ones.
USER_SETTABLE = USER_WRITABLE - {"hasDefaultSpamRule", "homeServer"}


def written_user_members(members: dict, writable: frozenset) -> dict:
    """The members of a User struct a call writes: the ``writable`` ones, of accessPolicy only its id (reference §6.1)."""
    written = {key: value for key, value in members.items() if key in writable}
    policy = written.pop("accessPolicy", None)
    if policy is not None and "id" in policy:
        written["accessPolicy"] = {"id": policy["id"], "name": ""}  # this emulator knows no policy names
    return written


# --- Group (reference §7.1) -----------------------------------------------------------------------------
GROUP_DEFAULTS = {"description": "", "emailAddresses": [], "role": "UserRole", "hasDomainRestriction": False, "publishInGal": True}
GROUP_SPEC = Struct("Group", {
    "id": STRING,
    "domainId": STRING,
    "name": STRING,
    "emailAddresses": ListOf(STRING),
    # The type of Group.role is unconfirmed (reference §7.1, open question 5): GO, generated from the
    # IDL, has the UserRoleType string, the PHP sample copies a User-like struct. Both are accepted as
    # the reference advises; a stricter choice could refuse the form the real server uses.
    "role": OneOf(ROLE_TYPE, USER_RIGHT),
    "hasDomainRestriction": BOOL,
    "description": STRING,
    "itemSource": DATA_SOURCE,
    "publishInGal": BOOL,
})
GROUP_WRITABLE = frozenset(GROUP_DEFAULTS) | {"name"}

# --- Domain (reference §5.1) ----------------------------------------------------------------------------
DOMAIN_DEFAULTS = {
    "description": "",
    "isPrimary": False,
    "userMaxCount": -1,
    "passwordExpirationEnabled": False,
    "passwordExpirationDays": 90,
    "passwordHistoryCount": 0,
    "passwordComplexityEnabled": False,
    "passwordMinimumLength": 0,
    "outgoingMessageLimit": _OFF_SIZE,
    "deletedItems": _OFF_DAYS,
    "junkEmail": _OFF_DAYS,
    "sentItems": _OFF_DAYS,
    "autoDelete": _OFF_DAYS,
    "keepForRecovery": {"isEnabled": False, "days": 14},
    "aliasList": [],
    "forwardingOptions": {"isEnabled": False, "host": "", "port": 25, "how": "Online", "preventLoop": False},
    "service": {
        "isEnabled": False, "serviceType": "WindowsActiveDirectory", "customMapFile": "",
        "authentication": {"username": "", "password": "", "isSecure": False},
        "hostname": "", "backupHostname": "", "directoryName": "", "ldapSuffix": "",
    },
    "domainFooter": {"isUsed": False, "text": "", "isHtml": False, "isUsedInDomain": False},
    "kerberosRealm": "",
    "winNtName": "",
    "pamRealm": "",
    "ipAddressBind": {"enabled": False, "value": ""},
    "logo": {"isUsed": False, "url": ""},
    "customClientLogo": {"isEnabled": False, "url": "", "id": ""},
    "checkSpoofedSender": False,
    "domainQuota": {"diskSizeLimit": _OFF_SIZE, "consumedSize": {"value": 0, "units": "Bytes"}, "warningLimit": 90, "email": "", "blocks": False},
    "isDkimEnabled": False,
    "isInstantMessagingEnabled": False,
    "useRemoteArchiveAddress": False,
    "remoteArchiveAddress": "",
    "archiveLocalMessages": False,
    "archiveIncomingMessages": False,
    "archiveOutgoingMessages": False,
    "archiveBeforeFilter": False,
}
DOMAIN_READ_ONLY = {"isDistributed": False, "isLdapManagementAllowed": False, "renameInfo": {"isRenamed": False, "oldName": "", "newName": ""}}
DOMAIN_SPEC = Struct(
    "Domain",
    {"id": STRING, "name": STRING, **{name: spec_for_default(value) for name, value in DOMAIN_DEFAULTS.items()}},
    required=("name",),
)

# --- UserTemplate (reference §8) ----------------------------------------------------------------------
TEMPLATE_COPIED_FROM_USER = (
    "authType", "isPasswordReversible", "hasDefaultSpamRule", "role", "emailAddresses", "emailForwarding", "itemLimit",
    "diskSizeLimit", "hasDomainRestriction", "outMessageLimit", "publishInGal", "cleanOutItems", "allowPasswordChange",
    "accessPolicy", "companyContactId",
)
TEMPLATE_DEFAULTS = {
    "description": "", "homeServerId": "", **{name: USER_DEFAULTS[name] for name in TEMPLATE_COPIED_FROM_USER}, "role": {"userRole": "UserRole"},
}
TEMPLATE_SPEC = Struct(
    "UserTemplate",
    {
        "id": STRING, "name": STRING, "description": STRING, "homeServerId": STRING,
        "scope": Enum("UserTemplateScope", "OneDomain", "AllDomains"), "domainId": STRING,
        # A seed names the template's groups; the API shape (UserGroup) is accepted too.
        "userGroups": ListOf(OneOf(STRING, USER_GROUP)),
        **{name: USER_SPEC.members[name] for name in TEMPLATE_COPIED_FROM_USER},
        "role": TEMPLATE_ROLE,
    },
    required=("name",),
)

ALIAS_SPEC = Struct("Alias", {"id": STRING, "name": STRING, "deliverTo": STRING, "description": STRING}, required=("name",))


def password_digest(password: str) -> str:
    """What the emulator keeps of a password: enough to check a login or for a test to verify it."""
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def new_uuid(stable_name: str | None = None) -> str:
    """A random (version 4) UUID; seeded entities get name-based ones, the same again after a reset or restart."""
    if stable_name is not None:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "kerio-emulator:" + stable_name))
    # The text of uuid.uuid4(), made directly: building UUID objects is a third of a bulk create's time.
    digits = os.urandom(16).hex()
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{_UUID_VARIANT[digits[16]]}{digits[17:20]}-{digits[20:]}"


_UUID_VARIANT = {digit: "89ab"[int(digit, 16) % 4] for digit in "0123456789abcdef"}


class Entity:
    """Base of every stored entity. A member a client reads comes from ``data`` (the writable members),
    else from ``COMPUTED`` (member -> function of the entity), else from ``READ_ONLY`` (constants)."""

    __slots__ = ("id", "data")
    ENTITY_KIND = ""
    READ_ONLY: dict = {}
    COMPUTED: dict = {"id": lambda entity: entity.id}

    def __init__(self, entity_id: str, data: dict):
        self.id = entity_id
        self.data = data

    @property
    def name(self) -> str:
        return self.data["name"]

    def value(self, field: str):
        """One member as a client reads it (for query conditions, sorting and projections)."""
        if field in self.data:
            return self.data[field]
        getter = self.COMPUTED.get(field)
        return getter(self) if getter is not None else self.READ_ONLY[field]

    def render(self) -> dict:
        return {**self.READ_ONLY, **self.data, **{field: getter(self) for field, getter in self.COMPUTED.items()}}

    def to_json(self, fields: list | None) -> str:
        """This entity as JSON text: all members, or only ``fields``."""
        return dumps(self.render() if fields is None else {field: self.value(field) for field in fields})


class Domain(Entity):
    __slots__ = ("users", "logins", "groups", "group_names", "addresses", "aliases", "enabled_users")
    READ_ONLY = DOMAIN_READ_ONLY

    def __init__(self, entity_id: str, data: dict):
        super().__init__(entity_id, data)
        self.users: dict[str, User] = {}
        self.logins: dict[str, User] = {}  # lower-cased login name -> user
        self.groups: dict[str, Group] = {}
        self.group_names: dict[str, Group] = {}  # lower-cased group name -> group
        self.addresses: dict[str, Entity] = {}  # lower-cased local part -> the user, group or alias that owns it
        self.aliases: list[Alias] = []
        self.enabled_users = 0

    @property
    def uuid(self) -> str:
        return self.id.rsplit("/", 1)[1]

    def mail_domains(self) -> set[str]:
        return {self.name.lower()} | {alias.lower() for alias in self.data["aliasList"]}


def _group_role(user) -> str:
    """The mightiest role the user gets through its groups."""
    return max((group.data["role"] for group in user.groups()), key=ROLE_RANK.__getitem__, default="UserRole")


def role_rank(user) -> int:
    """How mighty the user's effective role is (ROLE_RANK), without rendering the user."""
    return ROLE_RANK[_effective_role(user)["userRole"]]


def _effective_role(user) -> dict:
    own_role, group_role = user.data["role"], _group_role(user)
    return own_role if ROLE_RANK[own_role["userRole"]] >= ROLE_RANK[group_role] else user_right(group_role)


class User(Entity):
    __slots__ = ("domain", "password_sha256", "group_ids")
    ENTITY_KIND = "EntityUser"
    READ_ONLY = USER_READ_ONLY
    COMPUTED = {
        "id": lambda user: user.id,
        "domainId": lambda user: user.domain.id,
        "groupRole": lambda user: user_right(_group_role(user)),
        "effectiveRole": _effective_role,
        "userGroups": lambda user: [group.as_user_group() for group in user.groups()],
    }

    def __init__(self, entity_id: str, domain: Domain, data: dict, password_sha256: str | None):
        super().__init__(entity_id, data)
        self.domain = domain
        self.password_sha256 = password_sha256
        self.group_ids: set[str] = set()

    @property
    def name(self) -> str:
        return self.data["loginName"]

    def groups(self) -> list[Group]:
        if not self.group_ids:
            return []
        return sorted((self.domain.groups[group_id] for group_id in self.group_ids), key=lambda group: group.name.lower())

    def addresses(self) -> list[str]:
        return [self.name, *self.data["emailAddresses"]]

    def to_json(self, fields: list | None) -> str:
        """Fast path for the usual user of a bulk import (no groups, default settings): the members it
        shares with every such user are one ready-made piece of JSON, so 100,000 users encode quickly."""
        data = self.data
        if fields is not None or self.group_ids or any(data[key] is not USER_DEFAULTS[key] for key in _SHARED_DEFAULT_KEYS):
            return super().to_json(fields)
        own = {key: value for key, value in data.items() if key not in _SHARED_MEMBERS}
        own["id"], own["domainId"] = self.id, self.domain.id
        return "{" + _SHARED_JSON + "," + dumps(own)[1:]


# What User.to_json pastes for a user with default settings and no groups; render() must agree (a test checks).
_SHARED_DEFAULT_KEYS = tuple(key for key, value in USER_DEFAULTS.items() if isinstance(value, dict))
_SHARED_MEMBERS = {
    **USER_READ_ONLY,
    **{key: USER_DEFAULTS[key] for key in _SHARED_DEFAULT_KEYS},
    "groupRole": ROLE_RIGHTS["UserRole"],
    "effectiveRole": ROLE_RIGHTS["UserRole"],
    "userGroups": [],
}
_SHARED_JSON = dumps(_SHARED_MEMBERS)[1:-1]


class Group(Entity):
    __slots__ = ("domain", "member_ids")
    ENTITY_KIND = "EntityGroup"
    READ_ONLY = {"itemSource": "DSInternalSource"}
    COMPUTED = {"id": lambda group: group.id, "domainId": lambda group: group.domain.id}

    def __init__(self, entity_id: str, domain: Domain, data: dict):
        super().__init__(entity_id, data)
        self.domain = domain
        self.member_ids: set[str] = set()

    def addresses(self) -> list[str]:
        return list(self.data["emailAddresses"])

    def as_user_group(self) -> dict:
        return {"id": self.id, "name": self.name, "description": self.data["description"], "itemSource": "DSInternalSource"}


class Alias(Entity):
    """A domain alias (Aliases.* is out of scope); it only owns an address in its domain."""

    __slots__ = ()
    ENTITY_KIND = "EntityAlias"
    READ_ONLY = {"description": "", "deliverTo": ""}

    def addresses(self) -> list[str]:
        return [self.name]


def _template_addresses(template) -> list:
    """The template's addresses: "filled only if domain is set" (reference §8)."""
    return template.addresses if template.domain is not None else []


def _template_groups(template) -> list:
    """The template's groups as UserGroups: "filled only if domain is set" (reference §8)."""
    if template.domain is None:
        return []
    groups = (template.domain.group_names.get(name.lower()) for name in template.group_names)
    return [
        group.as_user_group() if group else {"id": "", "name": name, "description": "", "itemSource": "DSInternalSource"}
        for name, group in zip(template.group_names, groups)
    ]


class Template(Entity):
    """A user template; ``domain`` is set for scope OneDomain."""

    __slots__ = ("domain", "addresses", "group_names")
    COMPUTED = {
        "id": lambda template: template.id,
        "scope": lambda template: "OneDomain" if template.domain else "AllDomains",
        "domainId": lambda template: template.domain.id if template.domain else "",
        "emailAddresses": _template_addresses,
        "userGroups": _template_groups,
    }

    def __init__(self, entity_id: str, data: dict, domain: Domain | None, addresses: list[str], group_names: list[str]):
        super().__init__(entity_id, data)
        self.domain = domain
        self.addresses = addresses
        self.group_names = group_names
