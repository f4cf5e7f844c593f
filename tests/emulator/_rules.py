# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The per-item rules a real server enforces on users and groups; each failure is an ``ItemError``.

Codes follow the reference's emulator defaults (§4.2): 1000 invalid, 1001 already exists,
1002 not found, 1003 limit exceeded. The texts are the emulator's own where Kerio's are unknown.
"""

from __future__ import annotations

import re

from _errors import ALREADY_EXISTS, LIMIT_EXCEEDED, OPERATION_FAILED, ItemError

# Login names: ASCII letters, digits, dot, underscore and hyphen (the KB: "use ASCII"). The exact rules
# are unknown (reference §10, open question 4), so the stricter reading is taken: the name is also the
# mailbox's address, so it must be a valid dot-atom (no leading, trailing or doubled dot), and at most
# 64 bytes, the longest local part RFC 5321 allows. \Z, not $, which also matches before a final "\n".
LOGIN_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\Z")
LOCAL_PART_MAX_LENGTH = 64
# Other addresses of a user or group: an RFC 5322 dot-atom local part.
LOCAL_PART_PATTERN = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")

COMPLEX_PASSWORD_MIN_LENGTH = 8  # Kerio's manual, "Password policy in Kerio Connect"
PASSWORD_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]"))
PASSWORD_CLASSES_REQUIRED = 3
# Kerio's manual ("Password policy in Kerio Connect"): a complex password "cannot include user's domain
# and username, and any part of user's fullname (longer than 2 characters)", also when an administrator
# sets it. Read as: none of the domain's name, the login name and the words of the full name (split at
# spaces and punctuation) that are longer than 2 characters appears in it, whatever the case.
FULL_NAME_SEPARATORS = re.compile(r"[\W_]+")
NAME_MIN_LENGTH = 3


def check_login_name(login_name: str) -> None:
    if len(login_name) > LOCAL_PART_MAX_LENGTH or not LOGIN_NAME_PATTERN.match(login_name):
        raise ItemError(OPERATION_FAILED, "Login name %1 is not valid: use ASCII letters, digits, '.', '_' and '-'.", login_name)


def check_local_parts(addresses) -> None:
    for address in addresses:
        if "@" in address:
            raise ItemError(OPERATION_FAILED, "Email address %1 must be given without a domain (the part before '@').", address)
        if len(address) > LOCAL_PART_MAX_LENGTH or not LOCAL_PART_PATTERN.match(address):
            raise ItemError(OPERATION_FAILED, "Email address %1 is not valid.", address)


def without_login_name(login_name: str, addresses: list) -> list:
    """A user's addresses as stored: "his default one (loginName) is not listed here" (reference §6.1).

    A client may send it all the same: the web admin creates the users that Users.parseFromCsv
    returns, and its example lists the login name among them (reference §9.2, Ex 9-B).
    """
    return [address for address in addresses if address.lower() != login_name.lower()]


def check_addresses_free(domain, addresses, owner) -> None:
    """An address belongs to one user, group or alias of a domain (compared case-insensitively)."""
    for address in addresses:
        holder = domain.addresses.get(address.lower())
        if holder is not None and holder is not owner:
            raise ItemError(ALREADY_EXISTS, "Email address %1 is already used by %2.", f"{address}@{domain.name}", holder.name)


def check_password(domain, password: str, login_name: str, full_name: str) -> None:
    """The domain's password policy (reference §5.1 names its fields; Kerio's manual gives the rules).

    A complex password has at least 8 characters (or passwordMinimumLength, when longer), 3 of the 4
    character classes, and none of the user's names.
    """
    if not domain.data["passwordComplexityEnabled"]:
        return
    classes = sum(1 for pattern in PASSWORD_CLASSES if pattern.search(password))
    names = [domain.name, login_name, *FULL_NAME_SEPARATORS.split(full_name)]
    folded = password.casefold()
    if (len(password) < max(COMPLEX_PASSWORD_MIN_LENGTH, domain.data["passwordMinimumLength"]) or classes < PASSWORD_CLASSES_REQUIRED
            or any(len(name) >= NAME_MIN_LENGTH and name.casefold() in folded for name in names)):
        raise ItemError(OPERATION_FAILED, "The password does not meet the password policy of domain %1.", domain.name)


def check_capacity(domain, enabled_users_on_server: int, licence_limit: int | None) -> None:
    """Room for one more enabled user: the domain's userMaxCount, then the licence (disabled users do not count)."""
    domain_limit = domain.data["userMaxCount"]
    if domain_limit != -1 and domain.enabled_users >= domain_limit:
        raise ItemError(LIMIT_EXCEEDED, "Maximum number of users in domain %1 exceeded.", domain.name)
    if licence_limit is not None and enabled_users_on_server >= licence_limit:
        raise ItemError(LIMIT_EXCEEDED, "User count license exceeded.")
