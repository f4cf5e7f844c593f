# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Turning one directory entry into a ``UserRecord``: values, login names, addresses, groups, states.

Pure functions on ldap3's raw entries (``dn`` and ``raw_attributes``: attribute name -> list of
bytes), so every rule here is tested without a server.
"""

from __future__ import annotations

import dataclasses
import typing as t
import unicodedata
import uuid

from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted
from ansible_collections.kerio.connect.plugins.plugin_utils._records import (
    InputError,
    Origin,
    UserRecord,
    address_problem,
    login_name_problem,
    unique_ignoring_case,
)

FIELDS = ("login", "full_name", "description", "mail", "addresses", "groups", "disabled", "identity")

# Letters NFKD does not decompose to an ASCII letter plus marks, with their usual ASCII spelling.
_TRANSLITERATION = str.maketrans({
    "ß": "ss", "ẞ": "SS", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ł": "L", "ł": "l",
    "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th", "ı": "i", "Ħ": "H", "ħ": "h",
})
# How a generic attribute says "disabled" (compared stripped and case-insensitively): loginDisabled
# TRUE, or inetOrgPerson's employeeType "disabled" as the test directories and many sites use it.
DISABLED_VALUES = frozenset(("true", "yes", "on", "1", "disabled"))
UAC_ACCOUNTDISABLE = 0x2
# A proxyAddresses value is TYPE:address; SMTP: marks the primary address, smtp: the others.
SMTP_PREFIX = "smtp:"


@dataclasses.dataclass(frozen=True)
class Mapping:  # pylint: disable=too-many-instance-attributes
    """Which attributes feed which field, in order of preference; an empty tuple: not read, not managed."""

    login: tuple[str, ...]
    full_name: tuple[str, ...] = ()
    description: tuple[str, ...] = ()
    mail: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    identity: tuple[str, ...] = ()

    @property
    def attributes(self) -> tuple[str, ...]:
        """Every attribute to ask the server for, once each."""
        names: dict[str, str] = {}
        for field in FIELDS:
            for name in getattr(self, field):
                names.setdefault(name.casefold(), name)
        return tuple(names.values())


@dataclasses.dataclass
class MappedEntries:
    records: list[UserRecord] = dataclasses.field(default_factory=list)
    skipped: list[InputError] = dataclasses.field(default_factory=list)
    identities: dict[str, str] = dataclasses.field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


def entry_values(raw_attributes: t.Mapping[str, t.Sequence[bytes]]) -> dict[str, list[bytes]]:
    """Values by attribute name, case-folded; options (``memberOf;range=0-1499``) merged into the attribute."""
    values: dict[str, list[bytes]] = {}
    for name, raw in raw_attributes.items():
        values.setdefault(name.split(";", 1)[0].casefold(), []).extend(raw or ())
    return values


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def first_of(values: t.Mapping[str, list[bytes]], names: t.Sequence[str]) -> tuple[str, list[bytes]] | None:
    """The first attribute of ``names`` that has a value, with its values."""
    for name in names:
        if values.get(name.casefold()):
            return name, values[name.casefold()]
    return None


def all_texts(values: t.Mapping[str, list[bytes]], names: t.Sequence[str]) -> list[str]:
    return [_text(value) for name in names for value in values.get(name.casefold(), ())]


# ---------------------------------------------------------------------------------------------
# DNs, logins, addresses, groups, states, identities
# ---------------------------------------------------------------------------------------------


def first_rdn(dn: str) -> tuple[str, str]:
    """(attribute, unescaped value) of a DN's first RDN: ``CN=Hans Müller\\, Jr.,OU=x`` -> ("CN", "Hans Müller, Jr.")."""
    name, _equals, rest = dn.partition("=")
    value, index = bytearray(), 0
    while index < len(rest) and rest[index] not in ",+;":
        char = rest[index]
        if char == "\\" and index + 1 < len(rest):
            pair = rest[index + 1:index + 3]
            if len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
                value.append(int(pair, 16))
                index += 3
                continue
            char, index = rest[index + 1], index + 1
        value.extend(char.encode("utf-8"))
        index += 1
    return name.strip(), value.decode("utf-8", errors="replace").strip()


def normalise_login(value: str) -> str:
    """What Kerio can accept: stripped, and folded to ASCII where that is unambiguous (``Nováček`` -> ``Novacek``).

    Anything that does not fold (Cyrillic, CJK, spaces...) stays, for ``login_name_problem`` to reject.
    """
    stripped = value.strip()
    if stripped.isascii():
        return stripped
    decomposed = unicodedata.normalize("NFKD", stripped.translate(_TRANSLITERATION))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def smtp_addresses(proxy_addresses: t.Iterable[str]) -> list[str]:
    """The mail addresses among proxyAddresses-style values (``SMTP:``/``smtp:``); X500:, SIP:... are not mail.

    A value without any TYPE: prefix is taken as a plain address.
    """
    found = []
    for value in proxy_addresses:
        kind, colon, address = value.partition(":")
        if not colon or "@" in kind:
            found.append(value)
        elif kind.casefold() + ":" == SMTP_PREFIX:
            found.append(address)
    return found


def local_parts_in_target_domains(
    addresses: t.Iterable[str], login: str, target_domains: t.Sequence[str], log: t.Callable[[str], None],
) -> tuple[str, ...]:
    """Local parts of the addresses in the target domains, without the login (every user's address already)."""
    accepted = {domain.casefold() for domain in target_domains}
    kept = []
    for address in addresses:
        local, at, domain = address.strip().rpartition("@")
        if not at or not local:
            log(f"{quoted(address)} is not a mail address: not imported")
        elif domain.casefold() not in accepted:
            log(f"{quoted(address)} is not in {' or '.join(target_domains)}: not imported")
        elif local.casefold() != login.casefold():
            kept.append(local)
    return unique_ignoring_case(kept)


def group_names(values: t.Iterable[str]) -> tuple[str, ...]:
    """Group DNs to group names (the first RDN's value, case kept); plain names stay as they are."""
    return unique_ignoring_case(first_rdn(value)[1] if "=" in value else value.strip() for value in values if value.strip())


def is_disabled(attribute: str, values: t.Sequence[str]) -> bool:
    """userAccountControl: bit 0x2. Any other attribute: a value in ``DISABLED_VALUES``."""
    if attribute.casefold() == "useraccountcontrol":
        return any(value.strip().isdigit() and int(value) & UAC_ACCOUNTDISABLE for value in values)
    return any(value.strip().casefold() in DISABLED_VALUES for value in values)


def identity_text(attribute: str, value: bytes) -> str:
    """objectGUID as AD shows it (first three fields little-endian); other 16-byte binaries as a UUID; text as is."""
    if attribute.casefold() == "objectguid" and len(value) == 16:
        return str(uuid.UUID(bytes_le=value))
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and text.isprintable():
        return text
    return str(uuid.UUID(bytes=value)) if len(value) == 16 else value.hex()


# ---------------------------------------------------------------------------------------------
# Entries to records
# ---------------------------------------------------------------------------------------------


def _login_candidates(dn: str, values: t.Mapping[str, list[bytes]], mapping: Mapping) -> list[tuple[str, str]]:
    """(attribute, value) for each login attribute the entry has, in the mapping's order; of several values, the one naming the entry."""
    rdn_attribute, rdn_value = first_rdn(dn)
    candidates = []
    for attribute in mapping.login:
        texts = [_text(value) for value in values.get(attribute.casefold(), ())]
        if texts:
            candidates.append((attribute, rdn_value if rdn_attribute.casefold() == attribute.casefold() and rdn_value in texts else texts[0]))
    return candidates


def _single(values: t.Mapping[str, list[bytes]], names: tuple[str, ...]) -> str | None:
    """The first text of the first of ``names`` that holds one, stripped; "" when none does, None when no attribute is mapped.

    A blank value (a display name of one space, as some directories keep) gives way to the next attribute.
    """
    if not names:
        return None
    texts = (_text(value).strip() for name in names for value in values.get(name.casefold(), ()))
    return next((text for text in texts if text), "")


@dataclasses.dataclass(frozen=True)
class EntryMapper:
    """Maps the entries of one source: ``log`` hears what a person reading the -vvv log should know."""

    mapping: Mapping
    source: str
    target_domains: t.Sequence[str]
    log: t.Callable[[str], None] = lambda line: None

    def login(self, dn: str, values: t.Mapping[str, list[bytes]]) -> str | InputError:
        """The Kerio login name of the entry: the first of its login attributes that makes a valid one; or why it has none.

        eDirectory's cn, mandatory, is a full name in trees that name users by uid: then uid is the login.
        """
        origin = Origin(source=self.source, entry=dn)
        candidates = _login_candidates(dn, values, self.mapping)
        if not candidates:
            return InputError(origin, f"the entry has no {' or '.join(self.mapping.login)}, so it has no login name")
        problems = []
        for attribute, original in candidates:
            name = normalise_login(original)
            problem = f"its {attribute} is empty" if not name else login_name_problem(name)
            if problem is None:
                if name != original.strip():
                    self.log(f"{dn}: login {quoted(original)} imported as {quoted(name)}")
                return name
            problems.append(f"{problem} ({attribute} {quoted(original)})")
        return InputError(origin, f"{problems[0]}; it is not imported")

    def enabled(self, values: t.Mapping[str, list[bytes]]) -> bool | None:
        if not self.mapping.disabled:
            return None
        found = first_of(values, self.mapping.disabled)
        return not (found and is_disabled(found[0], [_text(value) for value in found[1]]))

    def addresses(self, dn: str, values: t.Mapping[str, list[bytes]], login: str, skipped: list[InputError]) -> tuple[str, ...] | None:
        """The entry's addresses in the domain; one Kerio would refuse is left out, in ``skipped``, rather than fail the import."""
        if not (self.mapping.mail or self.mapping.addresses):
            return None
        candidates = all_texts(values, self.mapping.mail) + smtp_addresses(all_texts(values, self.mapping.addresses))
        addresses = []
        for address in local_parts_in_target_domains(candidates, login, self.target_domains, lambda line: self.log(f"{dn}: {line}")):
            # A local part is checked as one: address_problem would take one holding '@' for a whole address.
            problem = f"the address {quoted(address)} (before its domain) holds an '@'" if "@" in address else address_problem(address)
            if problem:
                skipped.append(InputError(Origin(source=self.source, entry=dn), f"{problem}; the address is left out of the user"))
            else:
                addresses.append(address)
        return tuple(addresses)

    def map(self, entry: t.Mapping[str, t.Any], skipped: list[InputError]) -> tuple[UserRecord | InputError, str | None]:
        """(record, identity) for a usable entry, (why not, None) for one that cannot be a Kerio user; what it leaves out goes to ``skipped``."""
        dn = entry["dn"]
        values = entry_values(entry.get("raw_attributes") or {})
        login = self.login(dn, values)
        if isinstance(login, InputError):
            return login, None
        mapping = self.mapping
        identity = first_of(values, mapping.identity)
        record = UserRecord(
            name=login, origin=Origin(source=self.source, entry=dn), full_name=_single(values, mapping.full_name),
            description=_single(values, mapping.description), addresses=self.addresses(dn, values, login, skipped),
            groups=group_names(all_texts(values, mapping.groups)) if mapping.groups else None, enabled=self.enabled(values),
        )
        return record, identity_text(identity[0], identity[1][0]) if identity else None

    def map_all(self, entries: t.Iterable[t.Mapping[str, t.Any]], skip_disabled: bool = False) -> MappedEntries:
        """Records for the usable entries; every other entry in ``skipped`` with its DN and the reason."""
        mapped = MappedEntries()
        for entry in entries:
            record, identity = self.map(entry, mapped.skipped)
            if isinstance(record, InputError):
                mapped.skipped.append(record)
            elif skip_disabled and record.enabled is False:
                mapped.skipped.append(InputError(record.origin, f"the user {quoted(record.name)} is disabled in the directory and disabled_users is skip"))
            else:
                mapped.records.append(record)
                if identity is not None:
                    # A login twice (eDirectory: the same cn in two containers) is reported by
                    # find_duplicates; the first entry keeps the identity.
                    mapped.identities.setdefault(record.key, identity)
        return mapped
