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
import re
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted
from ansible_collections.kerio.connect.plugins.plugin_utils._records import (
    InputError,
    Origin,
    UserRecord,
    address_problem,
    distinct_values,
    find_duplicates,
    login_name_problem,
)

COLUMNS = ("Name", "Password", "FullName", "Description", "MailAddress", "Groups")
KNOWN_COLUMNS = "Name, Password, FullName, Description, MailAddress and Groups"
COLUMN_BY_KEY = {column.casefold(): column for column in COLUMNS}
SCHEMES = {";": "fields separated by ';', values by ','", ",": "fields separated by ',', multiple values quoted"}
# Characters that separate fields in one CSV dialect or another, and that no login name holds.
SEPARATORS = (";", ",", "\t", "|")
# The longest header label a message quotes (longer ones are named by their position).
MAX_QUOTED_LABEL = 40

# What a byte order mark tells for sure: the codec that reads the mark, and the encoding it is of.
# UTF-32 first: its little-endian mark (FF FE 00 00) starts with UTF-16's (FF FE).
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)
# Text encodings to Python that no file is in: they convert domain names, or nothing at all.
NOT_FILE_CODECS = frozenset({"idna", "punycode", "undefined"})
CODE_PAGE_EXAMPLES = "for example cp1250 (Central European) or cp1252 (Western European)"


@dataclasses.dataclass(frozen=True)
class CsvSource:
    path: str  # as shown to the user
    records: list[UserRecord]
    scheme: str  # how the fields were separated, in words
    encoding: str  # the codec actually used
    errors: list[InputError]


def _codec(encoding: str) -> str | None:
    """Python's name for the codec the ``encoding`` option names, or ``None`` when no file can be in it."""
    if encoding == "auto":
        return encoding
    try:
        codec = codecs.lookup(encoding)
    except (LookupError, ValueError):  # ValueError: a name holding a NUL character
        return None
    # Not a text encoding: base64, rot13, zlib and the like convert bytes to bytes or text to text.
    if not codec._is_text_encoding or codec.name in NOT_FILE_CODECS:  # pylint: disable=protected-access
        return None
    return codec.name


def _byte_order_mark(data: bytes) -> tuple[str, str] | None:
    """The codec that reads the file's byte order mark and the encoding the mark is of, if it has one."""
    return next(((codec, encoding) for mark, codec, encoding in BYTE_ORDER_MARKS if data.startswith(mark)), None)


def _auto_codec(data: bytes) -> str:
    """The codec a byte order mark tells, else UTF-8: only what can be told for sure.

    A legacy code page is not guessed: a guess reads a cp1252 'è' as the cp1250 'č', and would
    import the name corrupted without a word. A file not in UTF-8 then fails to decode.
    """
    mark = _byte_order_mark(data)
    return mark[0] if mark else "utf-8"


def _line_after(text: str) -> int:
    """The 1-based line of the character that follows ``text``, counting line ends as the reader does."""
    return len(io.StringIO(text + "_", newline="").readlines())


def _undecodable(data: bytes, codec: str, exc: UnicodeError, origin: Origin, auto: bool) -> InputError:
    """The error for a file ``codec`` cannot decode, at the line of the first bad byte when it can be told.

    The bytes are not shown: they may be part of a password.
    """
    start = getattr(exc, "start", None)  # a bare UnicodeError does not say where
    try:
        line = None if start is None else _line_after(data[:start].decode(codec, errors="replace"))
    except UnicodeError:
        line = None
    if auto and codec == "utf-8":
        message = ("the file is not UTF-8 and has no byte order mark, so its encoding cannot be told for sure: "
                   f"save it as UTF-8, or set the source's encoding to its code page, {CODE_PAGE_EXAMPLES}")
    else:
        message = f"this line is not valid {codec}: save the file as UTF-8, or set the source's encoding to the file's, {CODE_PAGE_EXAMPLES}"
    return InputError(dataclasses.replace(origin, line=line), message)


def _is_utf8_beyond_ascii(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeError:
        return False
    return True


def _decode(data: bytes, codec_or_auto: str, origin: Origin) -> tuple[str | None, str, InputError | None]:
    """The text of the file, the codec used, or the error that stopped decoding; ``codec_or_auto`` as ``_codec`` gives it."""
    codec = _auto_codec(data) if codec_or_auto == "auto" else codec_or_auto
    if codec_or_auto == "auto" and codec == "utf-8" and b"\0" in data:
        # UTF-16 or UTF-32 without a byte order mark (ASCII characters beside NUL bytes, valid UTF-8 all
        # the same); no text in UTF-8 or a code page holds a NUL.
        line = _line_after(data[:data.index(b"\0")].decode(codec, errors="replace"))
        return None, codec, InputError(dataclasses.replace(origin, line=line), (
            "the file holds NUL bytes, as UTF-16 or UTF-32 without a byte order mark does, so its encoding cannot be "
            "told for sure: save it as UTF-8, or set the source's encoding to the file's, for example utf-16-le"))
    mark = _byte_order_mark(data)
    # A code page, another Unicode encoding or the other byte order would read the mark as text.
    if mark and codec not in (mark[0], mark[1], mark[1].removesuffix("-le").removesuffix("-be")):
        return None, codec, InputError(dataclasses.replace(origin, line=1), (
            f"the file starts with the byte order mark of {mark[1]}, but the source's encoding is {codec}: "
            f"set it to auto, or to {mark[1]}"))
    if not codec.startswith("utf") and _is_utf8_beyond_ascii(data):
        # A code page reads each letter UTF-8 writes in two or three bytes as as many other letters (é as Ã©),
        # which would then be imported as names without a word; text in a code page is seldom valid UTF-8.
        line = _line_after(data[:re.search(b"[\x80-\xff]", data).start()].decode("ascii"))
        misread = "é".encode("utf-8").decode(codec, errors="replace")
        return None, codec, InputError(dataclasses.replace(origin, line=line), (
            f"the file is UTF-8, but the source's encoding is {codec}, which would read this line's letters beyond "
            f"ASCII as others (é as {misread}): set the encoding to auto or utf-8"))
    try:
        text = data.decode(codec)
    except UnicodeError as exc:
        return None, codec, _undecodable(data, codec, exc, origin, codec_or_auto == "auto")
    # A BOM is dropped even when the codec was given (utf-8 for a UTF-8 file written by Excel).
    return text.removeprefix("\ufeff"), codec, None


# The non-blank rows as (line, fields), and where and why reading stopped early (None: it did not).
_Rows = tuple[list[tuple[int, list[str]]], tuple[int, str] | None]


def _read_rows(lines: list[str], start: int, delimiter: str) -> _Rows:
    """The non-blank rows of ``lines[start:]``, each with the 1-based line it starts on.

    Reading stops at broken quoting, returned with the line of the row it broke.
    """
    reader = csv.reader(lines[start:], delimiter=delimiter, skipinitialspace=True, strict=True)
    rows, line = [], start + 1
    try:
        for fields in reader:
            if "".join(fields).strip():  # some field holds more than white space
                rows.append((line, fields))
            line = start + reader.line_num + 1
    except csv.Error as exc:
        return rows, (line, str(exc))
    return rows, None


def _advice(reading_problem: str) -> str:
    """What to do about a row Python's csv reader gave up on."""
    if "field larger than field limit" in reading_problem:
        return (f"a field is longer than {csv.field_size_limit()} characters, which no Kerio value is: shorten it, or close the "
                "double quote left open before it")
    return "close every double quote and double each quote inside a quoted value (\"\")"


def _values(cell: str) -> tuple[str, ...]:
    """A multi-valued cell's values, separated by ','."""
    if "," not in cell:  # one value or none, as most cells hold: nothing to split or compare
        value = cell.strip()
        return (value,) if value else ()
    return distinct_values(cell.split(","))


def _is_column_name(cell: str) -> bool:
    return cell.strip().casefold() in COLUMN_BY_KEY


def _may_quote_label(label: str) -> bool:
    # Only letters and spaces, as a column's name has and a password seldom does: the line taken
    # for the header may be a user's row (a file without a header), password included.
    return len(label) <= MAX_QUOTED_LABEL and label.replace(" ", "").isalpha()


def _not_a_header(cells: list[str], origin: Origin, other_delimiter: str) -> InputError:
    """The error for a first line that names none of Kerio's columns; it quotes none of its cells."""
    hint = ""
    first = cells[0].strip().casefold() if cells else ""
    if any(_is_column_name(part) for cell in cells for part in cell.split(other_delimiter)):
        hint = f"; split by {quoted(other_delimiter)} it would name them: set delimiter to auto or {quoted(other_delimiter)}"
    elif any(_is_column_name(part) for cell in cells for part in cell.split("\t")):
        hint = "; split by tabs it would name them, but Kerio's CSV separates fields by ';' or ',': save the file as CSV"
    elif first.startswith("#type"):
        hint = "; it is the type line PowerShell's Export-Csv writes: delete it, or export with -NoTypeInformation"
    elif first.startswith("sep="):
        hint = "; it is the 'sep=' line some Excel files start with, which Kerio does not read: delete it"
    return InputError(origin, (
        f"this line does not look like a header, as it names none of {KNOWN_COLUMNS}: the first line must name "
        f"the columns, for example Name;Password;FullName;Description;MailAddress;Groups{hint}"))


def _named_width(cells: list[str]) -> int:
    """How many of the header's fields there are up to its last named one."""
    return max((index + 1 for index, cell in enumerate(cells) if cell.strip()), default=0)


def _header(cells: list[str], origin: Origin, other_delimiter: str) -> tuple[dict[str, int], list[InputError]]:
    """Kerio's column names mapped to their positions, and what is wrong with the header."""
    if not any(map(_is_column_name, cells)):
        return {}, [_not_a_header(cells, origin, other_delimiter)]
    columns: dict[str, int] = {}
    errors = []
    # Trailing delimiters close the header (Excel writes one per column once used).
    for index, cell in enumerate(cells[:_named_width(cells)]):
        label = cell.strip()
        column = COLUMN_BY_KEY.get(label.casefold())
        quotable = _may_quote_label(label)
        at = origin.at_column(label if quotable else str(index + 1))
        if column is None:
            hint = ""
            if other_delimiter in label:
                hint = f"; the header looks separated by {quoted(other_delimiter)}: set delimiter to auto or {quoted(other_delimiter)}"
            if not label:
                named = f"has a column without a name (column {index + 1})"
            else:
                named = f"names an unknown column {quoted(label)}" if quotable else f"has an unknown column (column {index + 1})"
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
    width: int  # the header's number of fields up to its last named one (trailing delimiters close it)
    # The header's cells up to there, stripped and case-folded: a row that repeats them is no user.
    # Not for a one-column header, where a user called "name" would repeat it.
    labels: tuple[str, ...]

    @classmethod
    def of(cls, header: dict[str, int], cells: list[str]) -> _Columns:
        width = _named_width(cells)
        labels = tuple(cell.strip().casefold() for cell in cells[:width]) if width > 1 else ()
        return cls(header["Name"], header.get("Password"), header.get("FullName"), header.get("Description"), header.get("MailAddress"),
                   header.get("Groups"), width, labels)


def _stripped(fields: list[str], index: int | None) -> str | None:
    return None if index is None else fields[index].strip()


def _name_problem(name: str, field_count: int, columns: _Columns, delimiter: str) -> str | None:
    """Why ``name`` is no login name, or ``None``; the name is not quoted when the row looks split wrong.

    A row split by another delimiter than the file's puts several of its cells, password included,
    into the Name; it then has fewer fields than the header, or a separator in its Name.
    """
    problem = login_name_problem(name)
    if problem is None:
        return None
    separator = next((character for character in SEPARATORS if character in name), None)
    if field_count < columns.width:
        found = f"the row has {field_count} of the header's {columns.width} fields and its Name is not a valid login name"
    elif separator:
        found = f"the Name holds {quoted(separator)}, which no login name does"
    else:
        return problem
    return (f"{found}: are the row's fields separated by {quoted(delimiter)}? If they are, give it a Name of ASCII letters, "
            "digits, '.', '_' and '-' (the Name is not shown, as it may hold other fields)")


def _record(fields: list[str], columns: _Columns, origin: Origin, delimiter: str) -> tuple[UserRecord | None, list[InputError]]:
    """The user a row declares (``None`` when its name is not valid) and the row's errors."""
    field_count = len(fields)
    if field_count < columns.width:  # Excel drops trailing empty fields
        fields = fields + [""] * (columns.width - field_count)
    name = fields[columns.name].strip()
    # Past the width the fields are blank: the row would have been refused otherwise.
    if (columns.labels and name.casefold() == columns.labels[columns.name]
            and tuple(field.strip().casefold() for field in fields[:columns.width]) == columns.labels):
        return None, [InputError(origin, "this line repeats the header, as when two files are joined: delete it")]
    problem = _name_problem(name, field_count, columns, delimiter)
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
    that reads more of them as wide as the header (then: more of them split, no wider than it; then: the header's).
    Detecting reads the rows, and returns them (as _read_rows does) so they are not read again.
    """
    if delimiter != "auto":
        return delimiter, delimiter, SCHEMES[delimiter], None
    semicolons, commas = lines[header_index].count(";"), lines[header_index].count(",")
    header_delimiter = ";" if semicolons >= commas else ","
    other_delimiter = "," if header_delimiter == ";" else ";"
    header, _broken = _read_rows([lines[header_index]], 0, header_delimiter)  # a broken header is reported by the caller
    width = len(header[0][1]) if header else 0

    def fit(rows: _Rows) -> tuple[int, int]:
        """Rows as wide as the header, then rows split at all but no wider (Excel drops trailing empty fields)."""
        return (sum(len(fields) == width for _line, fields in rows[0]), sum(1 < len(fields) <= width for _line, fields in rows[0]))

    header_rows = _read_rows(lines, header_index + 1, header_delimiter)
    # When every non-blank line is a row as wide as the header, the other delimiter can at best tie
    # (it cannot find more rows than there are non-blank lines), and a tie goes to the header's: so
    # does a file whose quoting breaks before the other delimiter reads any row better, and the
    # broken quote is reported.
    header_fit = fit(header_rows)
    row_delimiter, rows = header_delimiter, header_rows
    if header_rows[1] is not None or header_fit[0] != sum(1 for line in lines[header_index + 1:] if line.strip()):
        other_rows = _read_rows(lines, header_index + 1, other_delimiter)
        if fit(other_rows) > header_fit:
            row_delimiter, rows = other_delimiter, other_rows
    if header_delimiter == row_delimiter or not semicolons and not commas:  # a one-column header has no delimiter to tell
        return row_delimiter, row_delimiter, SCHEMES[row_delimiter], rows
    return header_delimiter, row_delimiter, f"header separated by {quoted(header_delimiter)}; rows: {SCHEMES[row_delimiter]}", rows


def read_csv_source(path: str, *, display_name: str | None = None, delimiter: str = "auto", encoding: str = "auto") -> CsvSource:
    """Read the users of one Kerio CSV file; ``delimiter`` and ``encoding`` are detected per file when ``auto``."""
    if delimiter not in ("auto", ";", ","):
        raise ValueError(f"delimiter must be 'auto', ';' or ',', not {quoted(delimiter)}")
    source = display_name or path
    scheme = SCHEMES.get(delimiter, "not detected")
    codec = _codec(encoding)
    if codec is None:
        return CsvSource(source, [], scheme, encoding, [InputError(Origin(source), (
            f"the source's encoding {quoted(encoding)} is not a text encoding Python can read a file in; set it to a codec name "
            "such as 'utf-8', 'utf-16' or 'cp1250', or to 'auto'"))])
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as exc:
        problem = InputError(Origin(source), f"cannot read the file: {exc.strerror}; check the path and its permissions")
        return CsvSource(source, [], scheme, encoding, [problem])
    text, codec, problem = _decode(data, codec, Origin(source))
    if problem:
        return CsvSource(source, [], scheme, codec, [problem])

    lines = io.StringIO(text, newline="").readlines()
    header_index = next((index for index, line in enumerate(lines) if line.strip(" \t\r\n;,")), None)
    if header_index is None:
        return CsvSource(source, [], scheme, codec, [InputError(Origin(source), (
            "the file has no header; its first line must name the columns, for example Name;Password;FullName;Description;MailAddress;Groups"))])
    header_delimiter, row_delimiter, scheme, detected_rows = _delimiters(lines, header_index, delimiter)
    header_origin = Origin(source, line=header_index + 1)
    header, broken = _read_rows([lines[header_index]], 0, header_delimiter)
    if broken:
        return CsvSource(source, [], scheme, codec, [InputError(header_origin, f"the header cannot be read ({broken[1]}): {_advice(broken[1])}")])
    cells = header[0][1]
    columns, errors = _header(cells, header_origin, "," if header_delimiter == ";" else ";")
    if "Name" not in columns:
        return CsvSource(source, [], scheme, codec, errors)

    records = []
    row_columns = _Columns.of(columns, cells)
    named_width = row_columns.width
    rows, broken = detected_rows or _read_rows(lines, header_index + 1, row_delimiter)
    for line, fields in rows:
        if len(fields) > named_width and "".join(fields[named_width:]).strip():  # values in columns the header does not name
            errors.append(InputError(Origin(source, line=line), (
                f"the row has {len(fields)} fields but the header names {named_width} columns; put a value holding {quoted(row_delimiter)} "
                f"in double quotes (\"read{row_delimiter}all\") or remove the extra {quoted(row_delimiter)}")))
            continue
        record, row_errors = _record(fields, row_columns, Origin(source, line), row_delimiter)
        errors.extend(row_errors)
        if record:
            records.append(record)
    if broken:
        errors.append(InputError(Origin(source, line=broken[0]), f"the row cannot be read ({broken[1]}), nor the rest of the file: {_advice(broken[1])}"))
    errors.extend(find_duplicates(records))
    return CsvSource(source, records, scheme, codec, errors)
