# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Directory sources: Active Directory, Novell eDirectory and generic LDAP, read into ``UserRecord``s.

What Kerio Connect's "Import from a Directory Service" dialog does, from a playbook: the same
person filters and naming attributes per directory type, a custom filter ANDed to them, and
the import refused rather than cut short when the directory does not return everything.
Transport, TLS and bind live in ``_ldap_connection``, the paged search in ``_ldap_search``, entry
mapping in ``_ldap_mapping``.

The options are checked here again, choices and ranges included, though the module's argument
spec checks them first: ``read_directory_source`` also serves callers without it (the directory
tests), and its defaults are the argument spec's.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._ldap_connection import (
    CERT_VALIDATIONS,
    DEFAULT_TIMEOUT,
    LDAPS,
    PLAINTEXT,
    TLS_MODES,
    VALIDATE_ALWAYS,
    ConnectionSettings,
    require_ldap3,
)
from ansible_collections.kerio.connect.plugins.plugin_utils._ldap_search import SearchRequest, check_filter, search_directory
from ansible_collections.kerio.connect.plugins.plugin_utils._ldap_mapping import FIELDS, EntryMapper, Mapping
from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted
from ansible_collections.kerio.connect.plugins.plugin_utils._records import PLAINTEXT_REFUSED, DirectoryError, InputError, UserRecord, server_problem

__all__ = ["DirectorySource", "check_directory_options", "read_directory_source", "DEFAULTS"]

ACTIVE_DIRECTORY, EDIRECTORY, GENERIC_LDAP = "active_directory", "edirectory", "ldap"
DISABLED_IMPORT, DISABLED_SKIP = "import", "skip"
DEFAULT_PAGE_SIZE = 500


@dataclasses.dataclass(frozen=True)
class Defaults:
    person_filter: str
    mapping: Mapping


# The console's import dialog reads the same objects and attributes.
DEFAULTS = {
    # Critical system objects (Administrator, Guest, krbtgt) are the domain's own accounts, not mailbox users.
    ACTIVE_DIRECTORY: Defaults("(&(objectCategory=person)(objectClass=user)(!(isCriticalSystemObject=TRUE)))", Mapping(
        # cn, the object's name, is the full name of accounts made by script without a displayName.
        login=("sAMAccountName",), full_name=("displayName", "cn"), description=("description",), mail=("mail",),
        addresses=("proxyAddresses",), groups=("memberOf",), disabled=("userAccountControl",), identity=("objectGUID",),
    )),
    # eDirectory names users by cn (the RDN); uid is the fallback some trees fill instead.
    EDIRECTORY: Defaults("(objectClass=Person)", Mapping(
        login=("cn", "uid"), full_name=("fullName",), description=("description",), mail=("mail",),
        groups=("groupMembership",), disabled=("loginDisabled",), identity=("GUID",),
    )),
    # No standard account-state attribute in plain LDAP: map ``disabled`` to one to manage it.
    GENERIC_LDAP: Defaults("(objectClass=inetOrgPerson)", Mapping(
        login=("uid",), full_name=("displayName", "cn"), description=("description",), mail=("mail",),
        groups=("memberOf",), identity=("entryUUID",),
    )),
}

# An attribute description: a name (or OID) with options; nothing that could break out of a filter or a command line.
_ATTRIBUTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)(?:;[A-Za-z0-9-]+)*\Z")


@dataclasses.dataclass(frozen=True)
class DirectorySource:
    source: str
    records: list[UserRecord]
    skipped: list[InputError]
    identities: dict[str, str]
    searches: list[str]


@dataclasses.dataclass(frozen=True)
class DirectoryConfig:
    kind: str
    settings: ConnectionSettings
    request: SearchRequest
    mapping: Mapping
    skip_disabled: bool

    @property
    def display(self) -> str:
        return f"{self.kind} {self.settings.display} ({self.request.base})"


# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------


def escape_rdn_value(value: str) -> str:
    """RFC 4514 escaping of one RDN value."""
    escaped = "".join("\\" + char if char in ',+"\\<>;=' else char for char in value)
    if escaped[:1] in (" ", "#"):
        escaped = "\\" + escaped
    if escaped.endswith(" ") and not escaped.endswith("\\ "):
        escaped = escaped[:-1] + "\\ "
    return escaped


def search_base(options: t.Mapping[str, t.Any]) -> str:
    if options.get("search_base"):
        return str(options["search_base"]).strip()
    kind = options.get("type")
    if kind == ACTIVE_DIRECTORY and options.get("domain_name"):
        labels = [label for label in str(options["domain_name"]).strip().strip(".").split(".") if label]
        return ",".join(f"DC={escape_rdn_value(label)}" for label in labels)
    if kind == EDIRECTORY and options.get("organization"):
        return f"o={escape_rdn_value(str(options['organization']).strip())}"
    needs = {ACTIVE_DIRECTORY: "domain_name or search_base", EDIRECTORY: "organization or search_base"}.get(kind, "search_base")
    raise DirectoryError(f"a {kind} source needs {needs}")


def combined_filter(person_filter: str, custom: str | None) -> str:
    """``(&PERSON(custom))``: the custom filter narrows the person filter, with or without its outer parentheses."""
    if not custom or not custom.strip():
        return person_filter
    custom = custom.strip()
    wrapped = custom if custom.startswith("(") else f"({custom})"
    combined = f"(&{person_filter}{wrapped})"
    check_filter(combined, shown=custom)
    return combined


def attribute_mapping(kind: str, overrides: t.Mapping[str, t.Any] | None) -> Mapping:
    """The type's defaults with ``attribute_map`` applied: a name, a list (first present wins; lists
    add up for mail, addresses and groups), or null/"" to neither read nor manage the field."""
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(FIELDS))
    if unknown:
        raise DirectoryError(f"attribute_map has unknown keys {', '.join(unknown)}; use {', '.join(FIELDS)}")
    changes = {}
    for field, value in overrides.items():
        names = () if value in (None, "") else (value,) if isinstance(value, str) else tuple(value)
        bad = [name for name in names if not isinstance(name, str) or not _ATTRIBUTE.match(name)]
        if bad:
            raise DirectoryError(f"attribute_map {field}: {', '.join(map(repr, bad))} is not an LDAP attribute name")
        changes[field] = names
    mapping = dataclasses.replace(DEFAULTS[kind].mapping, **changes)
    if not mapping.login:
        raise DirectoryError("attribute_map login cannot be empty: every Kerio user needs a login name")
    return mapping


def _hosts(options: t.Mapping[str, t.Any]) -> tuple[str, ...]:
    servers = options.get("server") or ()
    hosts = tuple(str(host).strip() for host in ([servers] if isinstance(servers, str) else servers) if str(host).strip())
    if not hosts:
        raise DirectoryError("server is empty: give the directory server's host name or address (several for fallback)")
    problems = [problem for problem in map(server_problem, hosts) if problem]
    if problems:
        raise DirectoryError("; ".join(problems))
    return hosts


def _tls_options(options: t.Mapping[str, t.Any]) -> tuple[str, str]:
    tls_mode = options.get("tls_mode") or LDAPS
    if tls_mode not in TLS_MODES:
        raise DirectoryError(f"tls_mode {quoted(tls_mode)} is not one of {', '.join(TLS_MODES)}")
    if tls_mode == PLAINTEXT and not options.get("allow_plaintext"):
        raise DirectoryError(PLAINTEXT_REFUSED)
    validation = options.get("cert_validation") or VALIDATE_ALWAYS
    if validation not in CERT_VALIDATIONS:
        raise DirectoryError(f"cert_validation {quoted(validation)} is not one of {', '.join(CERT_VALIDATIONS)}")
    return tls_mode, validation


def _number(options: t.Mapping[str, t.Any], key: str, default: float, low: float, high: float) -> float:
    value = options.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise DirectoryError(f"{key} must be a number from {low:g} to {high:g}, not {quoted(value)}")
    return value


def bind_name(options: t.Mapping[str, t.Any]) -> str | None:
    """The name to bind as: a DN, a UPN or DOMAIN\\user as given; a plain user name as Kerio's dialog takes it.

    For Active Directory Kerio binds as user@domain; other directories need the account's DN.
    """
    if not options.get("bind_user"):
        return None  # an anonymous bind
    user = str(options["bind_user"]).strip()
    if not user:
        raise DirectoryError("bind_user is blank: give the user to bind as, or leave it out for an anonymous bind")
    if any(character in user for character in "=@\\"):
        return user
    if options.get("type") == ACTIVE_DIRECTORY and options.get("domain_name"):
        return f"{user}@{str(options['domain_name']).strip().strip('.')}"
    forms = "user@domain, DOMAIN\\user or a DN" if options.get("type") == ACTIVE_DIRECTORY else "the account's full DN, for example cn=reader,o=Example"
    raise DirectoryError(f"bind_user {quoted(user)} is a plain user name, which this directory cannot bind as: give {forms}")


def connection_settings(options: t.Mapping[str, t.Any]) -> ConnectionSettings:
    hosts = _hosts(options)
    tls_mode, validation = _tls_options(options)
    bind_user, bind_password = bind_name(options), options.get("bind_password") or None
    if bind_user and not bind_password:
        # A simple bind with a name and no password is an "unauthenticated bind": many servers let it
        # through as anonymous, which would look like an empty or partial directory.
        raise DirectoryError(f"bind_password is empty for bind_user {bind_user}: give the password (or neither, for an anonymous bind)")
    if bind_password and not bind_user:
        raise DirectoryError("bind_password is set but bind_user is not: give the user to bind as")
    return ConnectionSettings(
        hosts=hosts, port=int(_number(options, "port", 636 if tls_mode == LDAPS else 389, 1, 65535)), tls_mode=tls_mode,
        ca_cert=options.get("ca_cert") or None, cert_validation=validation, bind_user=bind_user, bind_password=bind_password,
        timeout=float(_number(options, "timeout", DEFAULT_TIMEOUT, 0.1, 3600)), referrals=bool(options.get("referrals")),
    )


def directory_config(options: t.Mapping[str, t.Any]) -> DirectoryConfig:
    """Checks ``options`` (one entry of ``sources``) and says what to search, how and where."""
    kind = options.get("type")
    if kind not in DEFAULTS:
        raise DirectoryError(f"directory type {quoted(kind)} is not one of {', '.join(DEFAULTS)}")
    disabled_users = options.get("disabled_users") or DISABLED_IMPORT
    if disabled_users not in (DISABLED_IMPORT, DISABLED_SKIP):
        raise DirectoryError(f"disabled_users {quoted(disabled_users)} is not import or skip")
    mapping = attribute_mapping(kind, options.get("attribute_map"))
    request = SearchRequest(
        base=search_base(options), filter=combined_filter(DEFAULTS[kind].person_filter, options.get("filter")),
        attributes=mapping.attributes, page_size=int(_number(options, "page_size", DEFAULT_PAGE_SIZE, 1, 100000)),
    )
    return DirectoryConfig(kind, connection_settings(options), request, mapping, disabled_users == DISABLED_SKIP)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def check_directory_options(options: dict) -> None:
    """Raise ``DirectoryError`` for options that could not be used, before anything is asked of anyone."""
    require_ldap3()
    directory_config(options)


def read_directory_source(options: dict, *, target_domains: t.Sequence[str], log: t.Callable[[str], None] | None = None) -> DirectorySource:
    """Every person the directory source selects, as records; what cannot be imported in ``skipped``.

    Raises ``DirectoryError`` (one message, no password, no traceback) when the directory cannot
    be read completely: options, connection, TLS, bind, filter, or a result the server cut short.
    """
    require_ldap3()
    config = directory_config(options)
    log = log or (lambda line: None)
    outcome = search_directory(config.settings, config.request, log)
    mapped = EntryMapper(config.mapping, config.display, target_domains, log).map_all(outcome.entries, config.skip_disabled)
    log(f"{config.display}: {len(mapped.records)} users from {len(outcome.entries)} entries, {len(mapped.skipped)} entries or addresses not imported")
    return DirectorySource(config.display, mapped.records, mapped.skipped, mapped.identities, outcome.commands)
