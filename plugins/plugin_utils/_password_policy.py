# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A domain's password policy: which passwords the server would refuse, found before anything is written.

The planner checks every declared password with it, and the importer every password Kerio generates.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

# A complex password is at least 8 characters long (or the domain's passwordMinimumLength, when longer),
# has characters of three of these four kinds, and holds none of the domain's name, the login name and
# the words of the full name (split at spaces and punctuation), each counted when longer than 2
# characters (Kerio's manual, "Password policy in Kerio Connect"; the reference only names the fields, §5.1).
COMPLEX_PASSWORD_MIN_LENGTH = 8
PASSWORD_KINDS = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]"))
PASSWORD_KINDS_REQUIRED = 3
FULL_NAME_SEPARATORS = re.compile(r"[\W_]+")
NAME_MIN_LENGTH = 3


@dataclasses.dataclass(frozen=True)
class PasswordPolicy:
    """A domain's password policy, as the server applies it to every password Users.create and Users.set get."""

    complexity: bool = False
    minimum_length: int = 0
    domain_name: str = ""

    @classmethod
    def of_domain(cls, domain: dict[str, t.Any]) -> PasswordPolicy:
        # Older servers have no policy fields (reference §12), and then nothing is checked.
        complexity = domain.get("passwordComplexityEnabled") is True
        length = domain.get("passwordMinimumLength")
        length = length if isinstance(length, int) else 0
        return cls(complexity, max(COMPLEX_PASSWORD_MIN_LENGTH, length) if complexity else length, domain.get("name", ""))

    def problem(self, password: str, login_name: str, full_name: str | None) -> str | None:
        """Why the server would refuse ``password`` for this user, or ``None``; never quotes the password, nor says which rule it breaks."""
        if not password:
            return "the password is empty; give one, or leave it out for Kerio to generate one"
        if not self.complexity:
            return None  # the server checks the minimum length only as part of the complexity rule
        names = [self.domain_name, login_name, *FULL_NAME_SEPARATORS.split(full_name or "")]
        folded = password.casefold()
        if (len(password) >= self.minimum_length and sum(1 for pattern in PASSWORD_KINDS if pattern.search(password)) >= PASSWORD_KINDS_REQUIRED
                and not any(len(name) >= NAME_MIN_LENGTH and name.casefold() in folded for name in names)):
            return None
        return (f"the password does not meet the domain's password policy: at least {self.minimum_length} characters, "
                "of three of the kinds lower-case letter, upper-case letter, digit and other character, and none of the login "
                "name, the words of the full name and the domain's name; give a stronger one")
