# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reads one CSV file, as Kerio Connect's own import reads it, into user records.

The file has a header row naming Kerio's columns (Name, Password, FullName, Description,
MailAddress, Groups) in any order and case, Name being mandatory. Kerio knows two schemes:
fields separated by ``;`` with the values of a multi-valued field separated by ``,``, or fields
separated by ``,`` with a multi-valued field in double quotes (``"read,all"``).

Nothing here raises for bad content: every problem becomes an ``InputError`` naming the file,
the line and, where there is one, the column.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._records import (
    InputError,
    Origin,
    UserRecord,
    address_problem,
    find_duplicates,
    login_name_problem,
)

COLUMNS = ("Name", "Password", "FullName", "Description", "MailAddress", "Groups")
KNOWN_COLUMNS = "Name, Password, FullName, Description, MailAddress and Groups"
SCHEMES = {";": "fields separated by ';', values by ','", ",": "fields separated by ',', multiple values quoted"}

# Single-byte code pages a legacy (pre-Unicode) export may be in; Kerio's home is Czech.
LEGACY_CODE_PAGES = ("cp1250", "cp1252", "cp1251", "cp1257", "iso8859_2", "iso8859_15", "cp852", "cp850")
LEGACY_FALLBACK = "cp1250"


@dataclasses.dataclass(frozen=True)
class CsvSource:
    path: str  # as shown to the user
    records: list[UserRecord]
    scheme: str  # how the fields were separated, in words
    encoding: str  # the codec actually used
    errors: list[InputError]


def _guess_legacy_code_page(data: bytes) -> str:
    # charset_normalizer comes with requests, which the collection needs anyway; without it
    # (a bare controller running only this file), cp1250 is the best single guess for Kerio.
    try:
        from charset_normalizer import from_bytes  # pylint: disable=import-outside-toplevel
    except ImportError:
        return LEGACY_FALLBACK
    best = from_bytes(data, cp_isolation=list(LEGACY_CODE_PAGES)).best()
    return codecs.lookup(best.encoding).name if best else LEGACY_FALLBACK


def _choose_encoding(data: bytes) -> str:
    """A byte order mark first, then strict UTF-8, then a guess for a legacy code page."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(data) >= 2 and (data[0] == 0) != (data[1] == 0):  # UTF-16 without a BOM: "N\0a\0m\0e\0"
        return "utf-16-be" if data[0] == 0 else "utf-16-le"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return _guess_legacy_code_page(data)


def _decode(data: bytes, encoding: str, origin: Origin) -> tuple[str | None, str, InputError | None]:
    """The text of the file, the codec used, or the error that stopped decoding."""
    try:
        codec = _choose_encoding(data) if encoding == "auto" else codecs.lookup(encoding).name
        # A BOM is dropped even when the codec was given (utf-8 for a UTF-8 file written by Excel).
        return data.decode(codec).removeprefix("\ufeff"), codec, None
    except LookupError:
        return None, encoding, InputError(origin, (
            f"{encoding!r} is not a text encoding Python knows; give a codec name such as 'utf-8', "
            "'utf-16' or 'cp1250', or 'auto'"))
    except UnicodeDecodeError as exc:
        line = data[:exc.start].decode(codec, errors="replace").count("\n") + 1
        return None, codec, InputError(dataclasses.replace(origin, line=line), (
            f"the file is not valid {codec}: byte {data[exc.start]:#04x} cannot be decoded; "
            "give the file's encoding (for example 'cp1250') or save it as UTF-8"))


# The non-blank rows as (line, fields), and where and why reading stopped early (None: it did not).
_Rows = tuple[list[tuple[int, list[str]]], tuple[int, str] | None]


def _read_rows(lines: list[str], start: int, delimiter: str) -> _Rows:
    """The non-blank rows of ``lines[start:]``, each with the 1-based line it starts on.

    Reading stops at broken quoting, returned with the line of the row it broke.
    """
    reader = csv.reader(lines[start:], delimiter=delimiter, strict=True)
    rows, line = [], start + 1
    try:
        for fields in reader:
            if "".join(fields).strip():  # some field holds more than white space
                rows.append((line, fields))
            line = start + reader.line_num + 1
    except csv.Error as exc:
        return rows, (line, str(exc))
    return rows, None


def _values(cell: str) -> tuple[str, ...]:
    """A multi-valued cell: split on ',', stripped, empty parts dropped, de-duplicated ignoring case."""
    parts = [part for part in map(str.strip, cell.split(",")) if part]
    if len({part.casefold() for part in parts}) == len(parts):
        return tuple(parts)
    unique: dict[str, str] = {}
    for part in parts:
        unique.setdefault(part.casefold(), part)
    return tuple(unique.values())


def _header(cells: list[str], origin: Origin, other_delimiter: str) -> tuple[dict[str, int], list[InputError]]:
    """Kerio's column names mapped to their positions, and what is wrong with the header."""
    columns: dict[str, int] = {}
    errors = []
    known = {column.casefold(): column for column in COLUMNS}
    for index, cell in enumerate(cells):
        label = cell.strip()
        column = known.get(label.casefold())
        at = origin.at_column(label or str(index + 1))
        if column is None and not label and index >= len(cells) - 1:
            continue  # a trailing delimiter closes the header
        if column is None:
            hint = f"; the header looks separated by {other_delimiter!r}: set delimiter to auto or {other_delimiter!r}" if other_delimiter in label else ""
            named = f"names an unknown column {label!r}" if label else f"has a column without a name (column {index + 1})"
            errors.append(InputError(at, f"the header {named}; Kerio knows {KNOWN_COLUMNS} (in any case and order): rename or delete it{hint}"))
        elif column in columns:
            errors.append(InputError(at, f"the header names the column {column} twice (columns {columns[column] + 1} and {index + 1}); keep one"))
        else:
            columns[column] = index
    if "Name" not in columns:
        errors.append(InputError(origin.at_column("Name"), (
            "the header has no Name column, which Kerio requires; the first line must name the columns, "
            "for example Name;Password;FullName;Description;MailAddress;Groups")))
    return columns, errors


class _Columns(t.NamedTuple):
    """Where each of Kerio's columns is in a row; None for a column the header does not name (not managed)."""

    name: int
    password: int | None
    full_name: int | None
    description: int | None
    addresses: int | None
    groups: int | None
    width: int  # the header's number of fields

    @classmethod
    def of(cls, header: dict[str, int], width: int) -> _Columns:
        return cls(header["Name"], header.get("Password"), header.get("FullName"), header.get("Description"), header.get("MailAddress"),
                   header.get("Groups"), width)


def _stripped(fields: list[str], index: int | None) -> str | None:
    return None if index is None else fields[index].strip()


def _record(fields: list[str], columns: _Columns, origin: Origin) -> tuple[UserRecord | None, list[InputError]]:
    """The user a row declares (``None`` when its name is not valid) and the row's errors."""
    if len(fields) < columns.width:  # Excel drops trailing empty fields
        fields = fields + [""] * (columns.width - len(fields))
    name = fields[columns.name].strip()
    problem = login_name_problem(name)
    if problem:
        return None, [InputError(origin.at_column("Name"), problem)]
    errors = []
    addresses = None
    if columns.addresses is not None:
        # The login name is every user's address already; Kerio's own examples list it all the same.
        key = name.casefold()
        addresses = tuple([address for address in _values(fields[columns.addresses]) if address.casefold() != key])
        problems = [(address, problem) for address in addresses if (problem := address_problem(address))]
        if problems:
            errors = [InputError(origin.at_column("MailAddress"), problem) for _address, problem in problems]
            wrong = {address for address, _problem in problems}
            addresses = tuple(address for address in addresses if address not in wrong)
    return UserRecord(
        name=name,
        origin=origin,
        password=None if columns.password is None else fields[columns.password] or None,
        full_name=_stripped(fields, columns.full_name),
        description=_stripped(fields, columns.description),
        addresses=addresses,
        groups=None if columns.groups is None else _values(fields[columns.groups]),
    ), errors


def _delimiters(lines: list[str], header_index: int, delimiter: str) -> tuple[str, str, str, _Rows | None]:
    """The header's delimiter, the rows' delimiter, the scheme in words and, when detected, the rows.

    In auto mode they are detected apart, since the seed article's comma example has a ';' header
    over ',' rows: the header takes the more frequent of ';' and ','; the rows take the delimiter
    that reads more of them as wide as the header (then: without broken quoting; then: the header's).
    Detecting reads the rows, and returns them (as _read_rows does) so they are not read again.
    """
    if delimiter != "auto":
        return delimiter, delimiter, SCHEMES[delimiter], None
    semicolons, commas = lines[header_index].count(";"), lines[header_index].count(",")
    header_delimiter = ";" if semicolons >= commas else ","
    other_delimiter = "," if header_delimiter == ";" else ";"
    width = len(next(csv.reader([lines[header_index]], delimiter=header_delimiter)))

    def fit(rows: _Rows) -> tuple[int, bool]:
        return sum(len(fields) == width for _line, fields in rows[0]), rows[1] is None

    header_rows = _read_rows(lines, header_index + 1, header_delimiter)
    # When every non-blank line is a row as wide as the header, the other delimiter can at best tie
    # (it cannot find more rows than there are non-blank lines), and a tie goes to the header's.
    header_fit = fit(header_rows)
    row_delimiter, rows = header_delimiter, header_rows
    if header_fit != (sum(1 for line in lines[header_index + 1:] if line.strip()), True):
        other_rows = _read_rows(lines, header_index + 1, other_delimiter)
        if fit(other_rows) > header_fit:
            row_delimiter, rows = other_delimiter, other_rows
    if header_delimiter == row_delimiter or not semicolons and not commas:  # a one-column header has no delimiter to tell
        return row_delimiter, row_delimiter, SCHEMES[row_delimiter], rows
    return header_delimiter, row_delimiter, f"header separated by {header_delimiter!r}; rows: {SCHEMES[row_delimiter]}", rows


def read_csv_source(path: str, *, display_name: str | None = None, delimiter: str = "auto", encoding: str = "auto") -> CsvSource:
    """Read the users of one Kerio CSV file; ``delimiter`` and ``encoding`` are detected per file when ``auto``."""
    if delimiter not in ("auto", ";", ","):
        raise ValueError(f"delimiter must be 'auto', ';' or ',', not {delimiter!r}")
    source = display_name or path
    scheme = SCHEMES.get(delimiter, "not detected")
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as exc:
        problem = InputError(Origin(source), f"cannot read the file: {exc.strerror}; check the path and its permissions")
        return CsvSource(source, [], scheme, encoding, [problem])
    text, encoding, problem = _decode(data, encoding, Origin(source))
    if problem:
        return CsvSource(source, [], scheme, encoding, [problem])

    lines = io.StringIO(text, newline="").readlines()
    header_index = next((index for index, line in enumerate(lines) if line.strip(" \t\r\n;,")), None)
    if header_index is None:
        return CsvSource(source, [], scheme, encoding, [InputError(Origin(source), (
            "the file has no header; its first line must name the columns, for example Name;Password;FullName;Description;MailAddress;Groups"))])
    header_delimiter, row_delimiter, scheme, detected_rows = _delimiters(lines, header_index, delimiter)
    header_origin = Origin(source, line=header_index + 1)
    header, broken = _read_rows([lines[header_index]], 0, header_delimiter)
    if broken:
        return CsvSource(source, [], scheme, encoding, [InputError(header_origin, f"the header cannot be read ({broken[1]}); check its double quotes")])
    cells = header[0][1]
    columns, errors = _header(cells, header_origin, "," if header_delimiter == ";" else ";")
    if "Name" not in columns:
        return CsvSource(source, [], scheme, encoding, errors)

    records = []
    row_columns = _Columns.of(columns, len(cells))
    rows, broken = detected_rows or _read_rows(lines, header_index + 1, row_delimiter)
    for line, fields in rows:
        if len(fields) > len(cells) and "".join(fields[len(cells):]).strip():  # more fields than the header, not all blank
            errors.append(InputError(Origin(source, line=line), (
                f"the row has {len(fields)} fields but the header has {len(cells)}; put a value holding {row_delimiter!r} "
                f"in double quotes (\"read{row_delimiter}all\") or remove the extra {row_delimiter!r}")))
            continue
        record, row_errors = _record(fields, row_columns, Origin(source, line))
        errors.extend(row_errors)
        if record:
            records.append(record)
    if broken:
        errors.append(InputError(Origin(source, line=broken[0]), (
            f"the row cannot be read ({broken[1]}), nor the rest of the file: close every double quote "
            "and double each quote inside a quoted value (\"\")")))
    errors.extend(find_duplicates(records))
    return CsvSource(source, records, scheme, encoding, errors)
