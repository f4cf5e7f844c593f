# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kerio's user CSV (reference §9.2, KB "Importing users in Kerio Connect"): the emulator's own reading of it.

- A header row is required; columns Name (mandatory), Password, FullName, Description, MailAddress,
  Groups, in any order. Unknown or repeated columns make the whole file fail ("wrong or missing
  headers ... make the upload or parse fail").
- Two schemes: ``;`` between fields with ``,`` between the values of MailAddress/Groups; or ``,``
  between fields with multiple values in double quotes. The scheme is told per line (the KB's own
  example has a ``;`` header over ``,`` rows): a line with a ``;`` outside quotes uses ``;``.
- UTF-8 only (a BOM is allowed): the encoding Kerio expects is undocumented, so the stricter choice.
"""

from __future__ import annotations

import csv
import io

COLUMNS = ("Name", "Password", "FullName", "Description", "MailAddress", "Groups")
MULTI_VALUE_COLUMNS = ("MailAddress", "Groups")
EXPORT_COLUMNS = ("Name", "FullName", "Description", "MailAddress", "Groups")


class CsvFileError(ValueError):
    """The file as a whole cannot be read (encoding, header)."""


def _separator(line: str) -> str:
    quoted = False
    for character in line:
        if character == '"':
            quoted = not quoted
        elif character == ";" and not quoted:
            return ";"
    return ","


def _fields(line: str) -> list[str]:
    return next(csv.reader([line], delimiter=_separator(line), quotechar='"'))


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_users(content: bytes) -> list[tuple[int, dict | None, str]]:
    """Rows of a user CSV as (line number, {column: value, multi-value columns as lists} or None, problem)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError("the file is not UTF-8 text") from None
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise CsvFileError("the file is empty")
    header = [column.strip() for column in _fields(lines[0][1])]
    unknown = [column for column in header if column not in COLUMNS]
    if unknown or len(set(header)) != len(header) or "Name" not in header:
        raise CsvFileError(f"wrong header {';'.join(header)!r}: use the columns {', '.join(COLUMNS)}, Name being required")
    rows = []
    for number, line in lines[1:]:
        values = _fields(line)
        if len(values) != len(header):
            rows.append((number, None, f"Line {number} has {len(values)} fields, the header has {len(header)}."))
            continue
        row = {column: value.strip() for column, value in zip(header, values)}
        for column in MULTI_VALUE_COLUMNS:
            row[column] = _split(row.get(column, ""))
        rows.append((number, row, "" if row["Name"] else f"Line {number} has no Name."))
    return rows


def export_users(users: list[dict]) -> bytes:
    """Rendered users in the ``;`` scheme, which parse_users reads back (no passwords: they are never readable)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for user in users:
        writer.writerow([
            user["loginName"], user["fullName"], user["description"],
            ",".join(user["emailAddresses"]), ",".join(group["name"] for group in user["userGroups"]),
        ])
    return buffer.getvalue().encode("utf-8")
