# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""run_import against the emulator: the checks before the first write read the server only as the plan needs."""

from __future__ import annotations

import pytest

from ansible_collections.kerio.connect.plugins.plugin_utils._importer import ImportAborted, run_import
from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import KerioClient
from ansible_collections.kerio.connect.plugins.plugin_utils._records import DirectoryError, InputValidationError
from ansible_collections.kerio.connect.tests.unit.plugins.plugin_utils.emulator_import import request

PASSWORD = "Str0ng-Pa55"
SEED = {"domains": [{
    "name": "example.com", "isPrimary": True, "userMaxCount": -1, "passwordComplexityEnabled": True, "passwordMinimumLength": 8,
    "users": [{"loginName": "jdoe", "fullName": "John Doe", "password": PASSWORD}],
}]}
CHECK_READS = ("Server.findEntityByEmail", "Domains.getUserCountInfo", "Session.whoAmI")


@pytest.fixture
def kerio(emulator_factory):
    return emulator_factory(seed=SEED)


def check_reads(result):
    return {method: count for method, count in result["api_calls"].items() if method in CHECK_READS}


def test_the_checks_read_only_what_the_plan_needs(kerio):
    assert check_reads(run_import(request(kerio, [{"name": "jdoe", "full_name": "John Doe"}]), check_mode=True)) == {}
    assert check_reads(run_import(request(kerio, [{"name": "jdoe", "state": "absent"}]), check_mode=True)) == {"Session.whoAmI": 1}
    assert check_reads(run_import(request(kerio, [{"name": "jdoe", "enabled": False}]), check_mode=True)) == {"Session.whoAmI": 1}
    created = run_import(request(kerio, [{"name": f"user{n}", "password": PASSWORD, "addresses": [f"u{n}"]} for n in range(3)]),
                         check_mode=True)
    assert check_reads(created) == {"Server.findEntityByEmail": 1, "Domains.getUserCountInfo": 1}
    disabled = run_import(request(kerio, [{"name": "quiet", "password": PASSWORD, "enabled": False}]), check_mode=True)
    assert check_reads(disabled) == {"Server.findEntityByEmail": 1}


def test_default_addresses_are_checked_like_declared_ones(kerio):
    with pytest.raises(InputValidationError) as raised:
        run_import(request(kerio, [{"name": "newbie", "password": PASSWORD}], defaults={"addresses": ["no spaces", "x@other.test"]}))
    assert [str(error.origin) for error in raised.value.errors] == ["defaults, addresses"] * 2
    assert kerio.write_calls() == 0


def test_a_default_address_two_new_users_would_get_says_it_comes_from_defaults(kerio):
    users = [{"name": "neu20", "password": PASSWORD}, {"name": "neu21", "password": PASSWORD}, {"name": "own", "password": PASSWORD, "addresses": ["x"]}]
    with pytest.raises(InputValidationError) as raised:
        run_import(request(kerio, users, defaults={"addresses": ["buero"]}))
    (error,) = raised.value.errors  # own declares its addresses, so the defaults give it none
    assert str(error.origin) == "inventory, users[1] (neu21), field addresses"
    assert error.message.startswith("the address 'buero' (from defaults, as the user declares no addresses) is also declared for the user 'neu20'")
    assert kerio.write_calls() == 0


@pytest.mark.parametrize("batch_size", [0, -5])
def test_a_batch_size_below_one_is_refused_before_anything_is_asked(kerio, batch_size):
    with pytest.raises(ImportAborted, match=f"batch_size {batch_size} is not valid: .* at least 1"):
        run_import(request(kerio, [{"name": "newbie", "password": PASSWORD}], batch_size=batch_size))
    assert kerio.stats() == {}


def test_inline_and_default_values_are_stripped_and_listed_once_as_a_csv_cells_are(kerio):
    # "sales, support" given as a string for a list reaches the module split on ',' only.
    users = [{"name": "newbie", "password": PASSWORD, "groups": ["sales", " support", "SALES", ""], "addresses": [" nb ", "NB"]},
             {"name": "other", "password": PASSWORD}]
    result = run_import(request(kerio, users, defaults={"groups": [" staff", "Staff "]}))
    assert sorted(result["groups_created"]) == ["sales", "staff", "support"]
    created = kerio.users()
    assert created["newbie"]["groups"] == ["sales", "support"] and created["newbie"]["emailAddresses"] == ["nb"]
    assert created["other"]["groups"] == ["staff"]


def test_defaults_fill_a_column_the_csv_leaves_out_not_an_empty_cell_of_a_column_it_names(kerio, tmp_path):
    named = tmp_path / "named.csv"
    named.write_text(f"Name;Password;FullName;Groups\nblank;{PASSWORD};;\n", encoding="utf-8")
    left_out = tmp_path / "left-out.csv"
    left_out.write_text(f"Name;Password\nfilled;{PASSWORD}\n", encoding="utf-8")
    sources = [{"type": "csv", "path": str(path), "delimiter": "auto", "encoding": "auto"} for path in (named, left_out)]
    run_import(request(kerio, [], sources=sources, defaults={"full_name": "New Staff", "groups": ["staff"]}))
    created = kerio.users()
    assert (created["blank"]["fullName"], created["blank"]["groups"]) == ("", [])
    assert (created["filled"]["fullName"], created["filled"]["groups"]) == ("New Staff", ["staff"])


def test_a_user_declared_twice_is_one_error_not_also_an_address_given_twice_or_users_without_a_password(kerio, tmp_path):
    # The inventory's declaration has a password, the CSV files' have none; all give the same address.
    paths = []
    for name in ("a.csv", "b.csv"):
        paths.append(tmp_path / name)
        paths[-1].write_text("Name;MailAddress\nnewu;new.user\n", encoding="utf-8")
    sources = [{"type": "csv", "path": str(path), "delimiter": "auto", "encoding": "auto"} for path in paths]
    with pytest.raises(InputValidationError) as raised:
        run_import(request(kerio, [{"name": "newu", "password": PASSWORD, "addresses": ["new.user"]}], sources=sources))
    (error,) = raised.value.errors
    assert "newu" in error.message and "a.csv, line 2" in error.message and "b.csv, line 2" in error.message
    assert kerio.write_calls() == 0


def test_each_declaration_of_a_user_declared_twice_is_still_checked(kerio):
    users = [{"name": "newu", "password": PASSWORD}, {"name": "NEWU", "password": "weak", "addresses": ["x@other.test"]}]
    with pytest.raises(InputValidationError) as raised:
        run_import(request(kerio, users))
    messages = [str(error) for error in raised.value.errors]
    assert len(messages) == 3 and "declared more than once" in messages[0]
    assert any(message.startswith("inventory, users[1] (NEWU), field password: the password does not meet") for message in messages)
    assert any("'x@other.test' is not in example.com" in message for message in messages)


def test_a_directory_source_that_could_not_be_used_is_refused_before_kerio_is_asked(kerio):
    source = {"type": "edirectory", "server": ["ldap.example.test"], "organization": "Example", "bind_user": "reader",
              "bind_password": "B1nd-Pa55word"}
    with pytest.raises(DirectoryError, match=r"^sources\[0\] \(edirectory\): bind_user 'reader' is a plain user name") as raised:
        run_import(request(kerio, [], sources=[source]))
    assert "B1nd-Pa55word" not in str(raised.value) and kerio.stats() == {}


def test_a_directory_kerio_cannot_read_is_named_after_its_source(emulator_factory):
    kerio = emulator_factory(seed=dict(SEED, nt_domains={"CORP": {"users": []}}))
    source = {"type": "kerio_directory", "directory_type": "WinNT", "domain_name": "ELSEWHERE"}
    with pytest.raises(DirectoryError, match=r"^sources\[0\] \(kerio_directory\): .*Users.getFromServer") as raised:
        run_import(request(kerio, [], sources=[source]))
    # The console's prerequisite for an NT domain, which the server's own message does not give.
    assert "only when it runs on Windows on a computer that belongs to that domain" in str(raised.value)
    assert "Directory Service Lookup" in str(raised.value)
    assert kerio.write_calls() == 0


class WeakGenerator(KerioClient):
    """A server whose generated passwords its own policy refuses."""

    def generate_password(self, domain_id):
        return "weak"


class NamingGenerator(KerioClient):
    """A server whose first generated password holds the user's login name, which its policy refuses."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.generated = 0

    def generate_password(self, domain_id):
        self.generated += 1
        password = super().generate_password(domain_id)
        return "Newbie-Pa55word" if self.generated == 1 else password


def test_a_generated_password_holding_the_users_name_is_asked_for_again(kerio, tmp_path):
    passwords = tmp_path / "generated.txt"
    result = run_import(request(kerio, [{"name": "newbie"}], generated_passwords_file=str(passwords)), client_factory=NamingGenerator)
    assert result["created"] == ["newbie"] and result["api_calls"]["Domains.generatePassword"] == 2
    (line,) = passwords.read_text(encoding="utf-8").splitlines()
    assert line.startswith("newbie@example.com;") and "newbie" not in line.split(";", 1)[1].casefold()


def test_a_generated_password_the_policy_refuses_stops_the_import_before_any_write(kerio, tmp_path):
    passwords = tmp_path / "generated.txt"
    with pytest.raises(ImportAborted, match="its own password policy"):
        run_import(request(kerio, [{"name": "newbie"}], generated_passwords_file=str(passwords)), client_factory=WeakGenerator)
    assert kerio.write_calls() == 0 and not passwords.exists()
    assert "newbie" not in kerio.users()
