# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import codecs
import csv
import encodings
import encodings.aliases
import pathlib
import pkgutil

import pytest

from ansible_collections.kerio.connect.plugins.plugin_utils._csv_source import SCHEMES, read_csv_source
from ansible_collections.kerio.connect.plugins.plugin_utils._records import Origin

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "csv"
SEMICOLONS = SCHEMES[";"]
COMMAS = SCHEMES[","]
CZECH = "Name;FullName;Description\njnovacek;Jiří Nováček;Účetní\npdvorak;Petr Dvořák;Obchod\nzcerna;Žofie Černá;Řízení\n"


def write(tmp_path, text, name="users.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return str(path)


def read(tmp_path, text, **options):
    return read_csv_source(write(tmp_path, text), display_name="users.csv", **options)


def only_error(source):
    assert len(source.errors) == 1, source.errors
    return source.errors[0]


def by_name(source):
    return {record.name: record for record in source.records}


# The seed article's two examples, one row per line.

def test_seed_comma_example_as_printed_imports_three_users():
    source = read_csv_source(str(FIXTURES / "seed-comma-as-printed.csv"), display_name="seed.csv")
    assert source.errors == []
    assert source.scheme == f"header separated by ';'; rows: {COMMAS}"
    assert source.encoding == "utf-8"
    users = by_name(source)
    assert list(users) == ["abird", "ewood", "mtaylor"]
    assert users["abird"].password == "VbD66op1"
    assert (users["abird"].full_name, users["abird"].description) == ("Alexandra Bird", "Development")
    assert users["abird"].addresses == ()  # the login name is every user's address already
    assert users["abird"].groups == ("read", "all")
    assert users["ewood"].addresses == ("awood", "wood")
    assert users["ewood"].groups == ("sales", "all")
    assert users["mtaylor"].addresses == ("michael.taylor",)
    assert users["mtaylor"].groups == ("all",)
    assert [record.origin for record in source.records] == [Origin("seed.csv", line=line) for line in (2, 3, 4)]


def test_seed_semicolon_example_as_printed_reports_the_abird_duplicate():
    source = read_csv_source(str(FIXTURES / "seed-semicolon-as-printed.csv"), display_name="seed.csv")
    assert source.scheme == SEMICOLONS
    error = only_error(source)
    assert error.origin.line == 3
    assert "'abird'" in error.message and "seed.csv, line 2" in error.message and "seed.csv, line 3" in error.message


def test_seed_semicolon_example_corrected_imports(tmp_path):
    text = (FIXTURES / "seed-semicolon-as-printed.csv").read_text(encoding="utf-8").replace("abird;Ahdpppu4", "ewood;Ahdpppu4")
    source = read(tmp_path, text)
    assert source.errors == []
    assert source.scheme == SEMICOLONS
    users = by_name(source)
    assert list(users) == ["abird", "ewood", "mtaylor"]
    assert users["abird"].groups == ("read", "all")
    assert users["ewood"].addresses == ("wood",)
    assert users["ewood"].groups == ("sales", "all")
    assert users["mtaylor"].addresses == ("michael.taylor",)


# Schemes and delimiter detection.

@pytest.mark.parametrize("text, scheme", [
    ('Name,Groups,MailAddress\nabird,"read,all","abird,alexandra"\n', COMMAS),
    ("Name;Groups;MailAddress\nabird;read,all;abird,alexandra\n", SEMICOLONS),
    ('Name;Groups;MailAddress\nabird,"read,all","abird,alexandra"\n', f"header separated by ';'; rows: {COMMAS}"),
])
def test_auto_detects_the_scheme(tmp_path, text, scheme):
    source = read(tmp_path, text)
    assert source.errors == []
    assert source.scheme == scheme
    assert source.records[0].groups == ("read", "all")
    assert source.records[0].addresses == ("alexandra",)


def test_a_tie_keeps_the_headers_delimiter(tmp_path):
    # With ',' this row would also be two fields ("abird;read", "all"): the header decides.
    source = read(tmp_path, "Name;Groups\nabird;read,all\n")
    assert source.scheme == SEMICOLONS
    assert source.records[0].groups == ("read", "all")


def test_a_single_column_file(tmp_path):
    source = read(tmp_path, "Name\nabird\nmtaylor\n")
    assert source.errors == []
    assert [record.name for record in source.records] == ["abird", "mtaylor"]


@pytest.mark.parametrize("delimiter, text", [
    (";", "Name;Groups\nabird;read,all\n"),
    (",", 'Name,Groups\nabird,"read,all"\n'),
])
def test_a_forced_delimiter(tmp_path, delimiter, text):
    source = read(tmp_path, text, delimiter=delimiter)
    assert source.errors == []
    assert source.scheme == SCHEMES[delimiter]
    assert source.records[0].groups == ("read", "all")


def test_a_forced_delimiter_that_does_not_fit_the_header_says_so(tmp_path):
    source = read(tmp_path, "Name;Groups\nabird;read\n", delimiter=",")
    error = only_error(source)
    assert str(error).startswith("users.csv, line 1: this line does not look like a header")
    assert error.message.endswith("; split by ';' it would name them: set delimiter to auto or ';'")
    assert source.records == []


def test_an_unknown_delimiter_option_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError):
        read(tmp_path, "Name\nabird\n", delimiter="\t")


# Header.

def test_header_matches_any_case_order_subset_and_surrounding_spaces(tmp_path):
    source = read(tmp_path, " groups ;MAILADDRESS; name\nread;john;JDoe\n")
    assert source.errors == []
    record = source.records[0]
    assert (record.name, record.addresses, record.groups) == ("JDoe", ("john",), ("read",))
    # Absent columns are not managed.
    assert (record.password, record.full_name, record.description) == (None, None, None)


def test_an_unknown_column_is_named_with_the_known_ones(tmp_path):
    source = read(tmp_path, "Name;Email\nabird;abird\n")
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=1, column="Email")
    assert str(error).startswith("users.csv, line 1, column Email: the header names an unknown column 'Email'")
    assert "Name, Password, FullName, Description, MailAddress and Groups" in error.message
    assert [record.name for record in source.records] == ["abird"]  # the rest is still checked


def test_a_missing_name_column(tmp_path):
    source = read(tmp_path, "\n\nFullName;Groups\nAlexandra Bird;all\n")
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=3, column="Name")
    assert "no Name column" in error.message
    assert source.records == []


def test_a_duplicated_column(tmp_path):
    source = read(tmp_path, "Name;Groups;GROUPS\nabird;read;all\n")
    error = only_error(source)
    assert str(error).startswith("users.csv, line 1, column GROUPS: the header names the column Groups twice (columns 2 and 3)")
    assert source.records[0].groups == ("read",)  # the first one counts


def test_a_column_without_a_name(tmp_path):
    source = read(tmp_path, "Name;;Groups\nabird;;all\n")
    assert str(only_error(source)).startswith("users.csv, line 1, column 2: the header has a column without a name")


def test_a_trailing_delimiter_in_header_and_rows_is_harmless(tmp_path):
    source = read(tmp_path, "Name;Groups;\nabird;all;\n")
    assert source.errors == []
    assert source.records[0].groups == ("all",)


def test_a_row_not_split_is_measured_against_the_named_columns(tmp_path):
    error = only_error(read(tmp_path, "Name;Password;;;\nbad name;Str0ng-Pa55\n"))
    assert "the row has 2 of the header's 2 fields" not in error.message and "not valid" in error.message


def test_trailing_delimiters_close_the_header_but_a_value_under_them_is_refused(tmp_path):
    # Excel writes one ';' for each column to the right once used.
    source = read(tmp_path, "Name;Password;FullName;;;\r\nabird;Str0ng-Pa55;A;;;\r\newood;Str0ng-Pa55;E;IT-Dept\r\n")
    error = only_error(source)
    assert str(error).startswith("users.csv, line 3: the row has 4 fields but the header names 3 columns")
    assert [record.name for record in source.records] == ["abird"]


def test_a_repeated_header_is_no_user(tmp_path):
    # Two exports joined: the second one's header is in the middle.
    source = read(tmp_path, "Name;Password;FullName\nabird;Str0ng-Pa55;A\nNAME ; password;FullName\newood;Str0ng-Pa55;E\n")
    assert str(only_error(source)) == "users.csv, line 3: this line repeats the header, as when two files are joined: delete it"
    assert [record.name for record in source.records] == ["abird", "ewood"]
    # A user called "name" is a user all the same, in a file of one column too.
    assert [record.name for record in read(tmp_path, "Name;FullName\nname;Nomen Nescio\n").records] == ["name"]
    assert [record.name for record in read(tmp_path, "Name\nabird\nname\n").records] == ["abird", "name"]
    # Trailing delimiters do not hide a repeated header.
    source = read(tmp_path, "Name;Password\nabird;Str0ng-Pa55\nName;Password;\nbcat;Str0ng-Pa55\n")
    assert "repeats the header" in only_error(source).message and [record.name for record in source.records] == ["abird", "bcat"]


@pytest.mark.parametrize("first_line, hint", [
    ("Name\tPassword\tFullName", "split by tabs it would name them"),
    ("#TYPE System.Management.Automation.PSCustomObject", "export with -NoTypeInformation"),
    ("sep=;", "the 'sep=' line"),
])
def test_a_first_line_that_real_exports_write_gets_a_hint(tmp_path, first_line, hint):
    source = read(tmp_path, f"{first_line}\nName;Password\nabird;Str0ng-Pa55\n")
    error = only_error(source)
    assert error.origin.line == 1 and "does not look like a header" in error.message and hint in error.message


@pytest.mark.parametrize("text", ["", "\n\n", ";;;\n"])
def test_a_file_without_header(tmp_path, text):
    source = read(tmp_path, text)
    assert "the file has no header" in only_error(source).message
    assert source.records == []


def test_a_header_only_file_declares_nobody(tmp_path):
    source = read(tmp_path, "Name;Password\n")
    assert (source.records, source.errors) == ([], [])


# Fields.

def test_fields_and_empty_cells(tmp_path):
    source = read(tmp_path, 'Name;Password;FullName;Description;MailAddress;Groups\n  jdoe ;" s3;cr ""t"" "; John Doe ;; ;\n')
    assert source.errors == []
    record = source.records[0]
    assert record.name == "jdoe"
    assert record.password == ' s3;cr "t" '  # as given
    assert (record.full_name, record.description, record.addresses, record.groups) == ("John Doe", "", (), ())


def test_spaces_after_a_delimiter_are_layout_not_part_of_a_value(tmp_path):
    # As people write CSV by hand: ", " between fields. A password keeps no space it did not hold,
    # a quoted list after the space is one field, and a quoted value keeps the spaces inside its quotes.
    source = read(tmp_path, 'Name, Password, FullName, Groups\nabird, VbD66op1, Alexandra Bird, "read, all"\newood, " Ahdpppu4", Edward Wood, sales\n')
    assert source.errors == []
    abird, ewood = source.records
    assert (abird.password, abird.full_name, abird.groups) == ("VbD66op1", "Alexandra Bird", ("read", "all"))
    assert ewood.password == " Ahdpppu4"
    source = read(tmp_path, "Name;Password;Groups\nabird; VbD66op1; read, all\n")
    assert (source.records[0].password, source.records[0].groups) == ("VbD66op1", ("read", "all"))


def test_an_empty_password_cell_is_not_a_password(tmp_path):
    source = read(tmp_path, "Name;Password\njdoe;\n")
    assert source.records[0].password is None


def test_a_short_row_has_empty_cells(tmp_path):
    source = read(tmp_path, "Name;Password;FullName;Groups\njdoe;pw\n")
    assert source.errors == []
    record = source.records[0]
    assert (record.password, record.full_name, record.groups) == ("pw", "", ())


def test_the_login_names_own_address_is_not_listed(tmp_path):
    # Kerio's own examples list it ("abird;...;abird,alexandra"); Kerio does not store it as an alias.
    source = read(tmp_path, "Name;MailAddress\nABird;abird,Alexandra,ABIRD\nmtaylor;mtaylor\n")
    assert source.errors == []
    assert [record.addresses for record in source.records] == [("Alexandra",), ()]


def test_multiple_values_are_split_stripped_and_deduplicated(tmp_path):
    source = read(tmp_path, "Name;MailAddress;Groups\njdoe; John.Doe ,,jdoe,JOHN.DOE, jd@example.com;all, Sales,ALL,sales\n")
    assert source.errors == []
    record = source.records[0]
    # The login name is every user's address already, so it is not listed; full addresses are reduced later.
    assert record.addresses == ("John.Doe", "jd@example.com")
    assert record.groups == ("all", "Sales")


def test_a_single_value_is_stripped_as_one_of_several_is(tmp_path):
    source = read(tmp_path, "Name;MailAddress;Groups\njdoe; John.Doe ; Sales \nmsmith;  ;\t\n")
    assert source.errors == []
    jdoe, msmith = source.records
    assert (jdoe.addresses, jdoe.groups) == (("John.Doe",), ("Sales",))
    assert (msmith.addresses, msmith.groups) == ((), ())


@pytest.mark.parametrize("address, words", [
    (".jdoe", "not valid"),
    ("jdoe.", "not valid"),
    ("john..doe", "not valid"),
    ("john doe", "not valid"),
    ("jiří", "not valid"),
    ("j(doe)", "not valid"),
    ("a" * 65, "at most 64"),
    ("jdoe@example.com@example.org", "more than one '@'"),
    ("jdoe@", "ends with '@'"),
    ("@example.com", "not valid"),
])
def test_an_invalid_address(tmp_path, address, words):
    source = read(tmp_path, f'Name,MailAddress\njdoe,"{address},john.doe"\n')
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=2, column="MailAddress")
    assert str(error).startswith(f"users.csv, line 2, column MailAddress: the address {address!r}")
    assert words in error.message
    assert source.records[0].addresses == ("john.doe",)


@pytest.mark.parametrize("address", ["jdoe", "john.doe", "o'brien", "a+b", "x!#$%&*/=?^_`{|}~-y", "jdoe@example.com"])
def test_a_valid_address(tmp_path, address):
    source = read(tmp_path, f"Name;MailAddress\nkerio.user;{address}\n")
    assert source.errors == []
    assert source.records[0].addresses == (address,)


@pytest.mark.parametrize("name, words", [("", "empty"), ("   ", "empty"), ("j doe", "ASCII"), ("jiří", "ASCII")])
def test_an_invalid_name(tmp_path, name, words):
    source = read(tmp_path, f"Name;FullName\nabird;Alexandra Bird\n{name};Somebody\n")
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=3, column="Name")
    assert str(error).startswith("users.csv, line 3, column Name: ")
    assert words in error.message
    assert [record.name for record in source.records] == ["abird"]


def test_duplicates_are_found_ignoring_case(tmp_path):
    source = read(tmp_path, "Name\nabird\nmtaylor\nABird\n")
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=4)
    assert "users.csv, line 2; users.csv, line 4" in error.message


def test_a_row_with_too_many_fields(tmp_path):
    source = read(tmp_path, "Name;Password;Groups\nabird;pw;read;all\nmtaylor;pw;all\n")
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=2)
    assert str(error).startswith("users.csv, line 2: the row has 4 fields but the header names 3 columns")
    assert "double quotes" in error.message
    assert [record.name for record in source.records] == ["mtaylor"]


# Secrets: no message shows a password, nor a cell that could be one.

PASSWORD = "Pw-Alice-123"


@pytest.mark.parametrize("text, options", [
    ("alice;Pw-Alice-123;Alice A\nbob;Pw-Bob-456;Bob B\n", {}),  # no header: the first row is taken for one
    ("alice,Pw-Alice-123,Alice A\n", {}),
    ("\n\nalice;Pw-Alice-123\n", {}),
    ("name;Pw-Alice-123;Alice A\n", {}),  # no header, and a login name that is a column's name
    ("alice;Pw-Alice-123;Password\n", {}),  # no header, and a cell that is a column's name
    ('alice;"Pw-Alice-123\n', {}),  # no header, broken quoting
    ("Name;Password;FullName\nalice\tPw-Alice-123\tAlice A\n", {}),  # rows separated by tabs
    ("Name;Password;FullName\nalice Pw-Alice-123 Alice A\n", {}),  # rows separated by spaces
    ("Name;Password;FullName\nalice,Pw-Alice-123,Alice A\n", {"delimiter": ";"}),
    ("Name,Password,FullName\nalice;Pw-Alice-123;Alice A\n", {"delimiter": ","}),
    ("Name;Password\nalice,Pw-Alice-123;x\n", {}),  # one ',' too many in the Name
    ("Name;Password;FullName\nalice;Pw-Alice-123;Alice;A\n", {}),  # more fields than the header
    ('Name;Password;FullName\nalice;"Pw-Alice-123;Alice A\n', {}),  # broken quoting
    ("Name;Password;FullName\nal ice;Pw-Alice-123;Alice A\nalice;Pw-Alice-123;A\nALICE;Pw-Alice-123;A\n", {}),
])
def test_no_error_shows_a_password(tmp_path, text, options):
    source = read(tmp_path, text, **options)
    assert source.errors  # every file here is wrong somewhere
    for error in source.errors:
        assert PASSWORD not in str(error)
        assert "Pw-Bob-456" not in str(error)


def test_a_data_row_taken_for_the_header_is_not_quoted(tmp_path):
    source = read(tmp_path, "alice;Pw-Alice-123;Alice A\nbob;Pw-Bob-456;Bob B\n")
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=1)
    assert "does not look like a header" in error.message
    assert "the first line must name the columns, for example Name;Password;FullName" in error.message
    assert source.records == []


def test_an_unknown_column_that_could_be_a_password_is_named_by_position(tmp_path):
    source = read(tmp_path, "name;Pw-Alice-123;Alice A\nbob;Pw-Bob-456;Bob B\n")
    messages = [str(error) for error in source.errors]
    assert "users.csv, line 1, column 2: the header has an unknown column (column 2); " in messages[0]
    assert "users.csv, line 1, column Alice A: the header names an unknown column 'Alice A'" in messages[1]


@pytest.mark.parametrize("row, options", [
    ("alice\tPw-Alice-123\tAlice A", {}),
    ("alice,Pw-Alice-123,Alice A", {"delimiter": ";"}),
])
def test_a_row_not_split_like_the_header_says_so_without_its_cells(tmp_path, row, options):
    source = read(tmp_path, f"Name;Password;FullName\nbob;pw;Bob\n{row}\n", **options)
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=3, column="Name")
    assert str(error).startswith("users.csv, line 3, column Name: the row has 1 of the header's 3 fields and its Name is not "
                                 "a valid login name: are the row's fields separated by ';'?")
    assert [record.name for record in source.records] == ["bob"]


def test_a_name_holding_a_separator_is_not_quoted(tmp_path):
    source = read(tmp_path, "Name;Password\nalice,Pw-Alice-123;x\n")
    assert only_error(source).message.startswith("the Name holds ',', which no login name does: are the row's fields separated by ';'?")


# Lines.

@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_blank_lines_are_skipped_and_line_numbers_stay_right(tmp_path, newline):
    text = newline.join(["", "Name;Groups", "abird;all", "", "   ", ";;", "mtaylor;all", ""])
    source = read(tmp_path, text)
    assert source.errors == []
    assert [(record.name, record.origin.line) for record in source.records] == [("abird", 3), ("mtaylor", 7)]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_quoted_fields_hold_delimiters_quotes_and_newlines(tmp_path, newline):
    text = newline.join([
        "Name,Description,Groups",
        'abird,"Development; ""core"", team",all',
        f'ewood,"Sales{newline}{newline}Prague office","sales,all"',
        "mtaylor,Assistant,all",
        "bad name,x,all",
        "",
    ])
    source = read(tmp_path, text)
    users = by_name(source)
    assert users["abird"].description == 'Development; "core", team'
    assert users["ewood"].description == f"Sales{newline}{newline}Prague office"
    assert users["ewood"].groups == ("sales", "all")
    assert [(record.name, record.origin.line) for record in source.records] == [("abird", 2), ("ewood", 3), ("mtaylor", 6)]
    assert only_error(source).origin == Origin("users.csv", line=7, column="Name")


def test_broken_quoting_is_reported_where_the_row_starts(tmp_path):
    source = read(tmp_path, 'Name;FullName\nabird;Alexandra Bird\nmtaylor;"Michael Taylor\nzcerna;Zofie\n')
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=3)
    assert "close every double quote" in error.message
    assert [record.name for record in source.records] == ["abird"]


def test_short_rows_split_by_the_other_delimiter_still_win_over_broken_quoting(tmp_path):
    # The seed's ';' header over ',' rows, the rows shorter than the header and their first field quoted.
    source = read(tmp_path, 'Name;Password;FullName\n"abird",Str0ng-Pa55\n"bcat",Str0ng-Pa55\n')
    assert source.errors == [] and [record.name for record in source.records] == ["abird", "bcat"]


def test_quoting_broken_on_the_first_row_keeps_the_headers_delimiter(tmp_path):
    # Read by ',' instead, no row would be as wide as the header either: the quote is what is wrong.
    source = read(tmp_path, 'Name;Password;FullName\r\nabird;VbD66op1;"Alex" Bird\r\newood;Ahdpppu4;Edward Wood\r\n')
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=2) and "close every double quote" in error.message
    assert source.scheme == "fields separated by ';', values by ','"


def test_a_field_longer_than_the_csv_reader_takes_is_named_as_such(tmp_path):
    source = read(tmp_path, "Name;Description\nabird;" + "x" * (csv.field_size_limit() + 1) + "\nzcerna;Zofie\n")
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=2)
    assert f"a field is longer than {csv.field_size_limit()} characters" in error.message
    header = only_error(read(tmp_path, "Name;" + "x" * (csv.field_size_limit() + 1) + "\nabird;x\n"))
    assert header.message.startswith("the header cannot be read (") and "a field is longer than" in header.message


# Encodings.

FRENCH = "Name;FullName\nabird;Alexandra Bird\nflefevre;François Lefèvre\n"


@pytest.mark.parametrize("encoding, used", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("utf-16", "utf-16"),
    ("utf-32", "utf-32"),
])
def test_unicode_encodings_under_auto(tmp_path, encoding, used):
    source = read_csv_source(write(tmp_path, CZECH, encoding=encoding))
    assert source.errors == []
    assert source.encoding == used
    assert by_name(source)["jnovacek"].full_name == "Jiří Nováček"


@pytest.mark.parametrize("bom, encoding, used", [
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
    # The UTF-32 LE mark starts with the UTF-16 LE one: read as UTF-16, every other character is a NUL.
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
])
def test_utf16_and_utf32_with_either_byte_order_mark(tmp_path, bom, encoding, used):
    source = read_csv_source(write(tmp_path, bom + CZECH.replace("\n", "\r\n").encode(encoding)))
    assert source.errors == []
    assert source.encoding == used
    assert [record.origin.line for record in source.records] == [2, 3, 4]
    assert by_name(source)["zcerna"].description == "Řízení"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_utf16_or_utf32_without_a_byte_order_mark_is_refused_under_auto(tmp_path, encoding):
    source = read(tmp_path, CZECH.encode(encoding))
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=1)
    assert "cannot be told for sure" in error.message and "set the source's encoding" in error.message
    assert source.records == []
    assert read(tmp_path, CZECH.encode(encoding), encoding=encoding).errors == []


@pytest.mark.parametrize("data, encoding, marked", [
    ("\ufeffName;FullName\nabird;A\n".encode("utf-8"), "cp1250", "utf-8"),
    ("\ufeffName;FullName\nabird;A\n".encode("utf-16-le"), "cp1252", "utf-16-le"),
    ("\ufeffName;FullName\nabird;A\n".encode("utf-16-le"), "utf-8", "utf-16-le"),
    ("\ufeffName;FullName\nabird;A\n".encode("utf-16-le"), "utf-16-be", "utf-16-le"),  # the other byte order
    ("\ufeffName;FullName\nabird;A\n".encode("utf-32-le"), "utf-32-be", "utf-32-le"),
])
def test_a_byte_order_mark_that_the_encoding_given_contradicts_is_named(tmp_path, data, encoding, marked):
    error = only_error(read(tmp_path, data, encoding=encoding))
    assert error.origin.line == 1
    assert error.message.startswith(f"the file starts with the byte order mark of {marked}, but the source's encoding is ")
    assert error.message.endswith(f"set it to auto, or to {marked}")


@pytest.mark.parametrize("data, encoding", [
    ("\ufeffName;FullName\nabird;A\n".encode("utf-16-le"), "utf-16"), ("\ufeffName;FullName\nabird;A\n".encode("utf-16-le"), "utf-16-le"),
    ("\ufeffName;FullName\nabird;A\n".encode("utf-16-be"), "utf-16-be"), ("\ufeffName;FullName\nabird;A\n".encode("utf-8"), "utf-8-sig"),
])
def test_a_byte_order_mark_that_the_encoding_given_agrees_with_is_read(tmp_path, data, encoding):
    source = read(tmp_path, data, encoding=encoding)
    assert source.errors == [] and [record.full_name for record in source.records] == ["A"]


def test_a_bom_is_dropped_under_an_explicit_utf8(tmp_path):
    source = read_csv_source(write(tmp_path, CZECH, encoding="utf-8-sig"), encoding="utf-8")
    assert source.errors == []
    assert source.encoding == "utf-8"
    assert len(source.records) == 3


@pytest.mark.parametrize("encoding", ["cp1250", "windows-1250", "CP1250"])
def test_cp1250(tmp_path, encoding):
    source = read_csv_source(write(tmp_path, CZECH, encoding="cp1250"), encoding=encoding)
    assert source.errors == []
    assert source.encoding == "cp1250"
    assert {record.name: record.full_name for record in source.records} == {
        "jnovacek": "Jiří Nováček", "pdvorak": "Petr Dvořák", "zcerna": "Žofie Černá"}


@pytest.mark.parametrize("text, encoding, codec, misread", [
    (CZECH, "cp1250", "cp1250", "Ă©"), (FRENCH, "cp1252", "cp1252", "Ã©"), (FRENCH, "latin-1", "iso8859-1", "Ã©"),
])
def test_a_utf8_file_declared_in_a_code_page_is_refused_at_its_first_letter_beyond_ascii(tmp_path, text, encoding, codec, misread):
    # Read as cp1252, UTF-8's "Amélie" would be imported as "AmÃ©lie".
    source = read(tmp_path, text.encode("utf-8"), encoding=encoding)
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=2 if text == CZECH else 3)
    assert error.message == (
        f"the file is UTF-8, but the source's encoding is {codec}, which would "
        f"read this line's letters beyond ASCII as others (é as {misread}): set the encoding to auto or utf-8")
    assert source.records == []
    assert read(tmp_path, "Name;FullName\nabird;Alexandra Bird\n".encode("utf-8"), encoding=encoding).errors == []  # ASCII is ASCII in both


@pytest.mark.parametrize("text, encoding", [(CZECH, "cp1250"), (FRENCH, "cp1252"), (FRENCH, "latin-1")])
def test_a_legacy_code_page_is_not_guessed(tmp_path, text, encoding):
    # A guess reads a cp1252 "Lefèvre" as cp1250 "Lefčvre": names corrupted without a word.
    source = read(tmp_path, text.encode(encoding))
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=2 if text == CZECH else 3)
    assert error.message == (
        "the file is not UTF-8 and has no byte order mark, so its encoding cannot be told for sure: save it as UTF-8, "
        "or set the source's encoding to its code page, for example cp1250 (Central European) or cp1252 (Western European)")
    assert source.records == []


def test_a_legacy_code_page_given(tmp_path):
    source = read(tmp_path, FRENCH.encode("cp1252"), encoding="cp1252")
    assert source.errors == []
    assert by_name(source)["flefevre"].full_name == "François Lefèvre"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_the_first_line_not_in_utf8_is_named(tmp_path, newline):
    text = newline.join(["Name;FullName", "abird;Alexandra Bird", "", "mtaylor;Michael Taylor", "flefevre;Lefèvre", ""])
    assert only_error(read(tmp_path, text.encode("cp1252"))).origin == Origin("users.csv", line=5)


@pytest.mark.parametrize("encoding", [
    "no-such-codec", "", "utf-8\0",  # unknown names
    "base64", "rot13", "hex", "zlib", "uu",  # bytes to bytes or text to text
    "punycode", "idna", "undefined",  # text encodings, but not of files
])
def test_an_unknown_codec(tmp_path, encoding):
    source = read(tmp_path, CZECH, encoding=encoding)
    error = only_error(source)
    assert str(error).startswith(f"users.csv: the source's encoding {encoding!r} is not a text encoding")
    assert "'cp1250'" in error.message
    assert source.records == []


def test_the_encoding_is_checked_before_the_file_is_read(tmp_path):
    source = read_csv_source(str(tmp_path / "nowhere.csv"), display_name="nowhere.csv", encoding="punycode")
    assert str(only_error(source)).startswith("nowhere.csv: the source's encoding 'punycode' is not a text encoding")


def test_undecodable_bytes_name_the_line(tmp_path):
    source = read(tmp_path, CZECH.encode("cp1250"), encoding="utf-8")
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=2)
    assert "not valid utf-8" in error.message and "cp1250" in error.message


@pytest.mark.parametrize("data, encoding, line", [
    (codecs.BOM_UTF8 + "Name\nLefèvre\n".encode("cp1252"), "auto", 2),  # a UTF-8 mark over another encoding
    (codecs.BOM_UTF16_LE + "Name\nabird\n".encode("utf-16-le") + b"\0", "auto", 3),  # an odd number of bytes
    ("Name\nabird\n".encode("utf-16-le") + b"\0\xd8", "utf-16-le", 3),  # a lone surrogate
    ("Name\nabird\n".encode("utf-32") + b"\xff\xff\xff\xff", "utf-32", 3),
    (b"Name\nab+\xff\n", "utf-7", 2),
])
def test_undecodable_bytes_in_a_unicode_file_name_the_line(tmp_path, data, encoding, line):
    source = read(tmp_path, data, encoding=encoding)
    error = only_error(source)
    assert error.origin == Origin("users.csv", line=line)
    assert "is not valid" in error.message and "save the file as UTF-8" in error.message


def _every_codec_python_knows():
    return sorted({name for _finder, name, _package in pkgutil.iter_modules(encodings.__path__)} | set(encodings.aliases.aliases))


def test_no_codec_name_raises(tmp_path):
    # Bytes that many codecs refuse: a NUL, a lone UTF-8 continuation byte, a bare escape and shift.
    path = write(tmp_path, b"Name;FullName\nabird;\x00\x80\xff\x1b$\x0e~{+-\\u12\n")
    outcomes = {name: read_csv_source(path, encoding=name) for name in _every_codec_python_knows()}
    assert all(source.errors or source.records for source in outcomes.values())
    assert outcomes["utf_8"].errors and outcomes["latin_1"].records  # both kinds of outcome are reached


def test_a_missing_file(tmp_path):
    source = read_csv_source(str(tmp_path / "nowhere.csv"), display_name="files/nowhere.csv")
    error = only_error(source)
    assert str(error).startswith("files/nowhere.csv: cannot read the file")
    assert source.path == "files/nowhere.csv"
    assert source.records == []


def test_a_directory(tmp_path):
    assert "cannot read the file" in only_error(read_csv_source(str(tmp_path))).message


def test_the_path_names_the_source_without_display_name(tmp_path):
    path = write(tmp_path, "Name\nabird\n")
    source = read_csv_source(path)
    assert source.path == path
    assert source.records[0].origin == Origin(path, line=2)
