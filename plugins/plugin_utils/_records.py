# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The user record: what every source turns its input into, and what the reconcile engine reads.

A field left as ``None`` was not declared by the source, so the import does not manage it:
an existing user's value is left alone. An empty tuple or string is a declared empty value.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted

# The patterns end in \Z, not $, which also matches before a final line break ("jdoe\n").
# Kerio accepts ASCII letters, digits, dot, underscore and hyphen in a login name. The name is
# also the mailbox's address, so a dot only goes between the other characters, as in an address.
LOGIN_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\Z")
LOGIN_NAME_MAX_LENGTH = 64

# The local part of an address (RFC 5322 dot-atom): these characters, dots only between them.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
LOCAL_PART_PATTERN = re.compile(rf"^{_ATOM}(\.{_ATOM})*\Z")
LOCAL_PART_MAX_LENGTH = 64

# A server's DNS name: labels of letters, digits, '-' and '_' (as some Windows hosts have), not
# beginning or ending with '-', separated by single dots.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
HOST_NAME_PATTERN = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?\Z")

STATE_PRESENT = "present"
# How users sign in, named as the auth_type options name it and as Kerio does.
AUTH_TYPES = {
    "internal": "UInternalAuth", "kerberos": "UKerberosAuth", "windows_nt": "UWindowsNTAuth",
    "ldap": "ULDAPAuth", "pam": "UPamAuth", "apple": "UAppleAuth",
}
INTERNAL_AUTH = AUTH_TYPES["internal"]
STATE_ABSENT = "absent"


# Kerio's CSV column names, as the module's options name the same fields of inventory users.
FIELD_OF_COLUMN = {"Name": "name", "Password": "password", "FullName": "full_name", "Description": "description",
                   "MailAddress": "addresses", "Groups": "groups"}


@dataclasses.dataclass(frozen=True, slots=True)
class Origin:
    """Where a record (or an error) came from, precise enough for a person to go and fix it."""

    source: str
    line: int | None = None
    column: str | None = None
    entry: str | None = None

    def __str__(self) -> str:
        if self.line is not None:  # a row of a file: its line and Kerio's column name
            parts = [self.source, f"line {self.line}", f"column {self.column}" if self.column is not None else None, self.entry]
        else:  # an inventory entry or a directory's user (a DN, commas and all): the field by the module's option name
            parts = [self.source, self.entry, f"field {FIELD_OF_COLUMN.get(self.column, self.column)}" if self.column is not None else None]
        return ", ".join(part for part in parts if part is not None)

    def at_column(self, column: str) -> Origin:
        return dataclasses.replace(self, column=column)


@dataclasses.dataclass(frozen=True)
class InputError:
    """A problem in the declared input, found before anything is written."""

    origin: Origin
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


@dataclasses.dataclass(frozen=True, slots=True)
class UserRecord:
    """One user as a source declares it."""

    name: str
    origin: Origin
    password: str | None = dataclasses.field(default=None, repr=False)
    full_name: str | None = None
    description: str | None = None
    addresses: tuple[str, ...] | None = None
    groups: tuple[str, ...] | None = None
    enabled: bool | None = None
    state: str = STATE_PRESENT
    # Kerio's UserAuthType, e.g. "UKerberosAuth" for a user who signs in with their directory password.
    auth_type: str | None = None
    # The same, for a user this source creates only: a source's default must not change how an
    # existing user signs in.
    new_user_auth_type: str | None = None
    # Kerio compares login names case-insensitively. Kept rather than computed on each use: an
    # import looks every record up by it several times.
    key: str = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.name.casefold())


class DirectoryError(Exception):
    """A directory could not be read completely: one message naming the server and what to check.

    Defined here rather than beside the LDAP code so that catching it does not import ldap3.
    """


# Whoever binds to the directory, the controller or Kerio, tls_mode: none sends the bind password in clear.
PLAINTEXT_REFUSED = ("tls_mode: none would send the bind password and every user's data unencrypted; "
                     "use ldaps or start_tls, or set allow_plaintext: true if you accept that")


class InputValidationError(Exception):
    """Raised with every input error at once, so one run shows the whole list to fix."""

    def __init__(self, errors: t.Sequence[InputError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


def unique_ignoring_case(values: t.Iterable[str]) -> tuple[str, ...]:
    """Each value once, compared ignoring case as Kerio compares names and addresses; first spelling and order kept."""
    first: dict[str, str] = {}
    for value in values:
        first.setdefault(value.casefold(), value)
    return tuple(first.values())


def distinct_values(values: t.Iterable[str]) -> tuple[str, ...]:
    """Values of a multi-valued field: stripped, empty ones dropped, each once ignoring case (the first spelling kept)."""
    parts = [part for part in map(str.strip, values) if part]
    if len({part.casefold() for part in parts}) == len(parts):  # the usual case, and the cheaper test: nothing to drop
        return tuple(parts)
    return unique_ignoring_case(parts)


def login_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a Kerio login name, or ``None`` when it can."""
    if not name:
        return "the login name is empty; give every user a Name"
    if len(name) > LOGIN_NAME_MAX_LENGTH:
        return f"the login name {quoted(name)} is longer than {LOGIN_NAME_MAX_LENGTH} characters"
    if not LOGIN_NAME_PATTERN.match(name):
        local, at, domain = name.partition("@")
        if at and domain and "@" not in domain and LOGIN_NAME_PATTERN.match(local):  # a user principal name, as directories and HR exports give
            return f"the login name {quoted(name)} holds a domain: give it as {quoted(local)}, as a login name belongs to the domain imported into"
        windows_domain, backslash, user = name.partition("\\")
        if backslash and windows_domain and LOGIN_NAME_PATTERN.match(user):  # DOMAIN\user, as Windows writes a domain account
            return f"the login name {quoted(name)} holds a Windows domain: give it as {quoted(user)}, as a login name belongs to the domain imported into"
        return (
            f"the login name {quoted(name)} is not valid: Kerio accepts only ASCII letters, digits, "
            "'.', '_' and '-', with no leading, trailing or double '.'"
        )
    return None


def server_problem(server: str) -> str | None:
    """Why ``server`` is not a directory server's host name or IP address alone, or ``None`` when it is."""
    try:
        ipaddress.ip_address(server)
        return None
    except ValueError:
        if HOST_NAME_PATTERN.match(server):
            return None
    # Not quoted when it may hold a user name and password, as in ldap://reader:secret@dc1.
    shown = "a server" if "@" in server else f"server {quoted(server)}"
    return f"{shown}: give a host name or IP address only; the port and the scheme are the port and tls_mode options"


def address_problem(address: str) -> str | None:
    """Why ``address`` cannot be a mail address of a user, or ``None`` when it can."""
    if len(address) <= LOCAL_PART_MAX_LENGTH and LOCAL_PART_PATTERN.match(address):
        return None  # a local part, as most are
    local, at, domain = address.partition("@")
    if "@" in domain:
        return f"the address {quoted(address)} has more than one '@'; give the local part only, as in 'jdoe'"
    if at and not domain:
        return f"the address {quoted(address)} ends with '@'; give the local part only, as in 'jdoe'"
    if len(local) > LOCAL_PART_MAX_LENGTH or not LOCAL_PART_PATTERN.match(local):
        return (f"the address {quoted(address)} is not valid: its local part may hold at most {LOCAL_PART_MAX_LENGTH} "
                "ASCII letters, digits and .!#$%&'*+/=?^_`{|}~- with no leading, trailing or double '.'; fix or remove it")
    return None


def find_duplicates(records: t.Iterable[UserRecord]) -> list[InputError]:
    """One error per login name declared more than once, naming every place it appears."""
    seen: dict[str, list[UserRecord]] = {}
    for record in records:
        seen.setdefault(record.key, []).append(record)
    errors = []
    for same in seen.values():
        if len(same) > 1:
            places = "; ".join(str(record.origin) for record in same)
            # Declarations in different sources may also be merged; two in one source never are.
            mergeable = len({record.origin.source for record in same}) > 1
            advice = "keep one of them, rename the others, or set duplicate_users to merge" if mergeable else "keep one of them or rename the others"
            errors.append(
                InputError(
                    same[1].origin,
                    f"the user {quoted(same[1].name)} is declared more than once ({places}); {advice}",
                )
            )
    return errors


def localize_addresses(records: t.Iterable[UserRecord], domain_names: t.Sequence[str]) -> tuple[list[UserRecord], list[InputError]]:
    """Reduce declared addresses to the local parts Kerio stores, checking them whatever their source.

    A full address is accepted when its domain is the target domain or one of its aliases; any
    other domain is an error for that user. The login name is every user's address already, so
    Kerio does not list it among the user's addresses, and neither do we.
    """
    accepted = {name.casefold() for name in domain_names}
    localized, errors = [], []
    for record in records:
        if record.addresses is None:
            localized.append(record)
            continue
        addresses, problems = local_parts(record.addresses, record.key, accepted, domain_names)
        errors.extend(InputError(record.origin.at_column("MailAddress"), problem) for problem in problems)
        # Most records hold local parts already (the sources reduce what they can), and a record
        # made again for each user costs 0.4 s at 100,000 users.
        localized.append(record if addresses == record.addresses else dataclasses.replace(record, addresses=addresses))
    return localized, errors


def local_parts(
    addresses: t.Iterable[str], login_key: str, accepted: t.Container[str], domain_names: t.Sequence[str],
) -> tuple[tuple[str, ...], list[str]]:
    """The distinct local parts of ``addresses`` but the login name's, and why the others cannot be used.

    ``accepted`` holds the case-folded ``domain_names``. The syntax is checked here, not only by
    the CSV reader, because the server refuses a bad address from any source, mid-import.
    """
    kept: dict[str, str] = {}
    problems = []
    for address in addresses:
        problem = address_problem(address)
        local, _at, domain = address.partition("@")
        if problem:
            problems.append(problem)
        elif domain and domain.casefold() not in accepted:
            problems.append(
                f"the address {quoted(address)} is not in {' or '.join(domain_names)}; "
                "give the local part only or an address in the domain or one of its aliases"
            )
        elif local.casefold() != login_key:
            kept.setdefault(local.casefold(), local)
    return tuple(kept.values()), problems
