# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How messages quote a value the user gave: as written, so it can be found and pasted back.

Python's ``repr`` doubles every backslash, and values here often hold one: a bind user
``EXAMPLE\\reader``, a search base ``OU=Sales\\, EMEA,...``, an LDAP filter's ``\\28`` escape.
"""

from __future__ import annotations

import typing as t


def quoted(value: t.Any) -> str:
    """``value`` in quotes, with its backslashes as they are and only what cannot be seen escaped.

    Like ``repr``, it shows tabs, line breaks and other invisible characters as escapes, and takes
    double quotes for a text holding a single quote; a value that is not text is shown by ``repr``.
    A backslash before a ``t`` then reads like a tab, a price paid for values shown as written.
    """
    if not isinstance(value, str):
        return repr(value)
    quote = '"' if "'" in value and '"' not in value else "'"
    if value.isprintable() and quote not in value:  # nearly every value: nothing to escape
        return f"{quote}{value}{quote}"

    def shown(character: str) -> str:
        if character == quote:
            return "\\" + quote
        return character if character.isprintable() else repr(character)[1:-1]

    return quote + "".join(map(shown, value)) + quote
