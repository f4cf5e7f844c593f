# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.kerio.connect.plugins.plugin_utils._records import (
    Origin,
    UserRecord,
    find_duplicates,
    localize_addresses,
    login_name_problem,
)
from ansible_collections.kerio.connect.plugins.plugin_utils._sources import read_declared_users, select


@pytest.mark.parametrize("name", ["jdoe", "john.doe", "j_doe-2", "A" * 64])
def test_valid_login_names(name):
    assert login_name_problem(name) is None


@pytest.mark.parametrize("name, words", [("", "empty"), ("jiří", "ASCII"), ("j doe", "ASCII"), ("a@b", "ASCII"), ("A" * 65, "longer")])
def test_invalid_login_names(name, words):
    assert words in login_name_problem(name)


def test_duplicates_name_every_place_case_insensitively():
    records = [UserRecord("abird", Origin("a.csv", line=2)), UserRecord("ABird", Origin("inventory", entry="users[0] (ABird)"))]
    (error,) = find_duplicates(records)
    assert "a.csv, line 2" in error.message and "inventory, users[0] (ABird)" in error.message


def test_addresses_are_reduced_to_local_parts_of_the_domain_or_its_aliases():
    records = [UserRecord("jdoe", Origin("f", line=3), addresses=("john.doe@Example.com", "jd@example.org", "jdoe", "J.Doe", "j.doe"))]
    (localized,), errors = localize_addresses(records, ["example.com", "example.org"])
    assert not errors
    assert localized.addresses == ("john.doe", "jd", "J.Doe")  # the login name is implicit; duplicates fold


def test_address_in_another_domain_is_an_error_naming_row_and_column():
    records = [UserRecord("jdoe", Origin("users.csv", line=7), addresses=("jdoe@other.test",))]
    _, (error,) = localize_addresses(records, ["example.com"])
    assert str(error.origin) == "users.csv, line 7, column MailAddress"
    assert "other.test" in error.message and "example.com" in error.message


def test_inventory_users_become_records_with_entry_origins():
    declared = read_declared_users([], [{"name": "jdoe", "full_name": "John", "groups": ["sales"]}, {"name": "bad name"}])
    assert [r.name for r in declared.records] == ["jdoe"]
    assert declared.records[0].groups == ("sales",) and declared.records[0].addresses is None
    (error,) = declared.errors
    assert str(error.origin) == "inventory, users[1] (bad name)"


def test_duplicates_across_csv_and_inventory_are_reported(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("Name;FullName\njdoe;John\n", encoding="utf-8")
    declared = read_declared_users([{"type": "csv", "path": str(path)}], [{"name": "JDOE"}])
    (error,) = declared.errors
    assert "line 2" in error.message and "users[0]" in error.message


def test_include_and_exclude_patterns_select_users():
    records = [UserRecord(name, Origin("f")) for name in ("sales.anna", "sales.bob", "dev.carl")]
    assert [r.name for r in select(records, ["SALES.*"], ["*bob"])] == ["sales.anna"]
    assert [r.name for r in select(records, [], ["dev.*"])] == ["sales.anna", "sales.bob"]
