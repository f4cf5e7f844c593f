# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import pytest

from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_directory_source import import_server
from ansible_collections.kerio.connect.plugins.plugin_utils._records import (
    DirectoryError,
    Origin,
    UserRecord,
    address_problem,
    find_duplicates,
    local_parts,
    localize_addresses,
    login_name_problem,
    server_problem,
)
from ansible_collections.kerio.connect.plugins.plugin_utils._sources import combine, read_directory_sources, read_file_sources, select


@pytest.mark.parametrize("name", ["jdoe", "john.doe", "j_doe-2", "A" * 64])
def test_valid_login_names(name):
    assert login_name_problem(name) is None


@pytest.mark.parametrize("name, words", [
    ("", "empty"), ("jiří", "ASCII"), ("j doe", "ASCII"), ("a@b@c", "ASCII"), ("A" * 65, "longer"),
    # A user principal name, as a directory or an HR system exports it: the local part is the login name.
    ("abird@example.com", "holds a domain: give it as 'abird'"),
    # DOMAIN\user, as a Windows NT domain names its accounts; the backslash shown once, as written.
    ("EXAMPLE\\abird", "the login name 'EXAMPLE\\abird' holds a Windows domain: give it as 'abird'"),
    ("EXAMPLE\\a\\bird", "the login name 'EXAMPLE\\a\\bird' is not valid"), ("\\abird", "ASCII"),
    ("jdoe\n", "ASCII"),  # a regular expression's $ would let the line break through
    (".jdoe", "leading, trailing or double '.'"), ("jdoe.", "leading, trailing or double '.'"), ("j..doe", "leading, trailing or double '.'"),
])
def test_invalid_login_names(name, words):
    assert words in login_name_problem(name)


def test_duplicates_name_every_place_case_insensitively():
    records = [UserRecord("abird", Origin("a.csv", line=2)), UserRecord("ABird", Origin("inventory", entry="users[0] (ABird)"))]
    (error,) = find_duplicates(records)
    assert "a.csv, line 2" in error.message and "inventory, users[0] (ABird)" in error.message
    assert error.message.endswith("; keep one of them, rename the others, or set duplicate_users to merge")


def test_a_user_declared_twice_in_one_source_is_not_offered_a_merge():
    (error,) = find_duplicates([UserRecord("abird", Origin("a.csv", line=2)), UserRecord("abird", Origin("a.csv", line=5))])
    assert error.message.endswith("; keep one of them or rename the others")


def test_addresses_are_reduced_to_local_parts_of_the_domain_or_its_aliases():
    records = [UserRecord("jdoe", Origin("f", line=3), addresses=("john.doe@Example.com", "jd@example.org", "jdoe", "J.Doe", "j.doe"))]
    (localized,), errors = localize_addresses(records, ["example.com", "example.org"])
    assert not errors
    assert localized.addresses == ("john.doe", "jd", "J.Doe")  # the login name is implicit; duplicates fold


def test_address_in_another_domain_is_an_error_naming_row_and_column():
    records = [UserRecord("jdoe", Origin("users.csv", line=7), addresses=("jdoe@other.test",))]
    _records, (error,) = localize_addresses(records, ["example.com"])
    assert str(error.origin) == "users.csv, line 7, column MailAddress"
    assert "other.test" in error.message and "example.com" in error.message


def test_inventory_users_become_records_with_entry_origins():
    (inventory,) = read_file_sources([], [{"name": "jdoe", "full_name": "John", "groups": ["sales"]}, {"name": "bad name"}])
    assert [r.name for r in inventory.records] == ["jdoe"]
    assert inventory.records[0].groups == ("sales",) and inventory.records[0].addresses is None
    (error,) = inventory.errors
    assert str(error.origin) == "inventory, users[1] (bad name)"


def test_duplicates_across_csv_and_inventory_are_reported(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("Name;FullName\njdoe;John\n", encoding="utf-8")
    _records, (error,) = combine(read_file_sources([{"type": "csv", "path": str(path)}], [{"name": "JDOE"}]))
    assert "line 2" in error.message and "users[0]" in error.message


def test_merge_takes_each_field_from_the_first_source_that_declares_it(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("Name;FullName;Description\njdoe;John from CSV;From CSV\n", encoding="utf-8")
    sources = read_file_sources([{"type": "csv", "path": str(path)}], [{"name": "JDOE", "full_name": "John from inventory"}])
    (merged,), errors = combine(sources, duplicate_users="merge")
    assert not errors
    assert merged.name == "JDOE" and merged.full_name == "John from inventory" and merged.description == "From CSV"
    assert merged.origin.source == "inventory"


def test_merge_still_refuses_a_user_declared_twice_in_one_source():
    sources = read_file_sources([], [{"name": "jdoe"}, {"name": "JDoe"}])
    _records, (error,) = combine(sources, duplicate_users="merge")
    assert "users[0]" in error.message and "users[1]" in error.message


def test_include_and_exclude_patterns_select_users():
    records = [UserRecord(name, Origin("f")) for name in ("sales.anna", "sales.bob", "dev.carl")]
    assert [r.name for r in select(records, ["SALES.*"], ["*bob"])] == ["sales.anna"]
    assert [r.name for r in select(records, [], ["dev.*"])] == ["sales.anna", "sales.bob"]


def test_kerio_directory_importees_become_records_and_refusals_are_reported():
    from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_directory_source import records_from_importees

    importees = [
        {"userItem": {"loginName": "jdoe", "fullName": "John", "emailAddresses": ["john.doe"], "isEnabled": True}, "isImportable": True,
         "message": ""},
        {"userItem": {"loginName": "admin"}, "isImportable": False, "message": "User admin already exists."},
        {"userItem": {"loginName": "ghost"}, "isImportable": False, "message": "Account is locked."},
        {"userItem": {"loginName": "Jiří"}, "isImportable": True, "message": ""},
    ]
    records, skipped = records_from_importees(importees, "kerio_directory WinNT CORP", existing_logins={"admin"})
    assert [r.name for r in records] == ["jdoe", "admin"]  # an existing user stays declared, for idempotence
    assert records[0].addresses == ("john.doe",) and records[0].groups is None
    assert records[0].enabled is None  # Kerio's default, which would enable users disabled in Kerio again
    assert [str(item.origin) for item in skipped] == ["kerio_directory WinNT CORP, ghost", "kerio_directory WinNT CORP, Jiří"]
    assert "Account is locked." in skipped[0].message


def test_kerio_directory_in_clear_needs_allow_plaintext_like_the_other_directories():
    source = {"type": "kerio_directory", "directory_type": "ActiveDirectory", "domain_name": "corp.example.com", "server": ["dc1"],
              "bind_user": "reader@corp.example.com", "bind_password": "B1nd-Pa55word", "tls_mode": "none"}
    directory = dict(source, type="active_directory")
    for options in (source, directory):
        # Refused before anything is asked of Kerio or the directory: no client, no server is needed.
        with pytest.raises(DirectoryError, match=r"^sources\[1\] \(\w+\): tls_mode: none would send the bind password") as info:
            read_directory_sources([{"type": "csv"}, options], client=None, domain_id="d", domain_names=["example.com"], existing_logins=set())
        assert "B1nd-Pa55word" not in str(info.value)
    assert import_server(dict(source, allow_plaintext=True))["isSecureConnection"] is False
    assert import_server(dict(source, tls_mode="ldaps"))["isSecureConnection"] is True


def test_kerio_directory_needs_a_server_but_for_an_nt_domain():
    nt_domain = {"type": "kerio_directory", "directory_type": "WinNT", "domain_name": "CORP"}
    assert import_server(nt_domain)["address"] == ""
    for directory_type in ("ActiveDirectory", "NovellEDirectory"):
        with pytest.raises(DirectoryError, match=f"^Kerio reads {directory_type} from the server its import dialog asks for .*set server"):
            import_server(dict(nt_domain, directory_type=directory_type, domain_name="corp.example.com"))


@pytest.mark.parametrize("server, port, address", [
    ("dc1.corp.example.com", None, "dc1.corp.example.com"),
    ("dc1.corp.example.com", 3269, "dc1.corp.example.com:3269"),  # Kerio's way of naming another port
    ("192.0.2.7", 3269, "192.0.2.7:3269"),
    ("2001:db8::5", 3269, "[2001:db8::5]:3269"),  # bracketed, or its last group would read as the port
    ("2001:db8::5", None, "2001:db8::5"),
])
def test_kerio_directory_server_and_port_make_one_address(server, port, address):
    source = {"type": "kerio_directory", "directory_type": "ActiveDirectory", "domain_name": "corp.example.com", "server": [server],
              "port": port}
    assert import_server(source)["address"] == address


@pytest.mark.parametrize("server", ["dc1:3268", "[2001:db8::5]", "ldaps://dc1"])
def test_kerio_directory_server_is_a_name_or_address_alone(server):
    # The port option adds the port, and brackets an IPv6 address: given here as well, they would come twice.
    source = {"type": "kerio_directory", "directory_type": "ActiveDirectory", "domain_name": "corp.example.com", "server": [server],
              "port": 3269}
    with pytest.raises(DirectoryError, match=f"^server '{re.escape(server)}': give a host name or IP address only"):
        import_server(source)


@pytest.mark.parametrize("address, words", [
    ("bad address", "is not valid"), ("a..b", "is not valid"), ("a@b@example.com", "more than one '@'"), ("jd@", "ends with '@'"),
    ("x" * 65, "at most 64"),
])
def test_addresses_from_any_source_get_the_csv_readers_syntax_check(address, words):
    (inventory,) = read_file_sources([], [{"name": "jdoe", "addresses": ["john.doe", address]}])
    (localized,), (error,) = localize_addresses(inventory.records, ["example.com"])
    assert str(error.origin) == "inventory, users[0] (jdoe), field addresses"
    assert words in error.message
    assert localized.addresses == ("john.doe",)


def test_local_parts_checks_a_list_of_addresses_outside_any_record():
    addresses, problems = local_parts(["Info@Example.org", "info", "sales desk", "x@other.test"], "", {"example.org"}, ["example.org"])
    assert addresses == ("Info",)
    assert len(problems) == 2 and "'sales desk' is not valid" in problems[0] and "not in example.org" in problems[1]


def test_an_address_ending_in_a_line_break_is_refused():
    assert "is not valid" in address_problem("john.doe\n")


def test_a_server_name_ending_in_a_line_break_is_refused():
    assert server_problem("dc1.example.com") is None
    assert "give a host name or IP address only" in server_problem("dc1.example.com\n")
