# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""run_import against the emulator when writing goes wrong part-way: what the result and the passwords file then hold."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from ansible_collections.kerio.connect.plugins.plugin_utils._importer import run_import
from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import KerioClient
from ansible_collections.kerio.connect.tests.unit.plugins.plugin_utils.emulator_import import request

PASSWORD = "Str0ng-Pa55"
SEED = {"domains": [{
    "name": "example.com", "isPrimary": True, "userMaxCount": -1,
    "users": [{"loginName": "jdoe", "fullName": "John Doe", "password": PASSWORD}],
    "groups": [{"name": "all", "description": "", "emailAddresses": []}, {"name": "sales", "description": "", "emailAddresses": []}],
    "templates": [{"name": "Staff", "description": "Staff member", "userGroups": ["all"]}],
}]}


@pytest.fixture
def kerio(emulator_factory):
    return emulator_factory(seed=SEED)


def test_a_connection_lost_while_a_rejected_batch_is_halved_reports_what_the_halves_did(kerio):
    # All or nothing: "broken" fails the batch, whose first half (h0-h4) is then created; the connection drops on the second.
    kerio.set_faults(atomic_batches=True, item_failures=["broken"], fail=[{"method": "Users.create", "nth": 3, "action": "drop"}])
    users = [{"name": f"h{n}", "password": PASSWORD} for n in range(9)] + [{"name": "broken", "password": PASSWORD}]
    result = run_import(request(kerio, users, batch_size=10))
    on_server = sorted(set(kerio.users()) - {"admin", "jdoe"})
    assert on_server == ["h0", "h1", "h2", "h3", "h4"]
    assert result["failed"] and result["changed"] is True and sorted(result["created"]) == on_server


def test_a_user_whose_create_has_no_known_outcome_keeps_its_generated_password(kerio, tmp_path, monkeypatch):
    answered = KerioClient.call

    def call(self, method, params=None):
        answer = answered(self, method, params)
        return dict(answer, result=[]) if method == "Users.create" else answer  # created, but no id in the answer

    monkeypatch.setattr(KerioClient, "call", call)
    path = tmp_path / "passwords.txt"
    result = run_import(request(kerio, [{"name": "newbie"}], generated_passwords_file=str(path)))
    assert "newbie" in kerio.users() and result["errors"][0]["name"] == "newbie"
    assert path.read_text(encoding="utf-8").startswith("newbie@example.com;")


@pytest.mark.parametrize("template, caveat", [("Staff", True), (None, False)])
def test_an_interrupted_membership_says_whether_a_rerun_leaves_the_template_groups_out(kerio, template, caveat):
    kerio.set_faults(fail=[{"method": "Groups.addMemberList", "nth": 1, "action": "drop"}])
    result = run_import(request(kerio, [{"name": "newbie", "password": PASSWORD, "groups": ["sales"]}], template=template))
    assert result["failed"] and result["created"] == [] and [error["name"] for error in result["errors"]] == ["newbie"]
    (error,) = result["errors"]
    assert error["message"].startswith("was created, but the import stopped before it joined the group")
    assert ("add it in Kerio to the group 'all', which it gets from the template" in error["message"]) is caveat
    assert "errors lists the users created in this run that are not in all of their groups yet" in result["msg"]


SWAP_SEED = {"domains": [{
    "name": "example.com", "isPrimary": True, "userMaxCount": -1,
    "users": [
        {"loginName": "jdoe", "fullName": "John Doe", "emailAddresses": ["john.doe", "sales.desk"], "password": PASSWORD},
        {"loginName": "former", "fullName": "Former", "emailAddresses": ["helpdesk"], "password": PASSWORD},
    ],
}]}


def test_a_user_letting_go_of_an_address_is_a_change_even_when_the_run_stops_after_it(emulator_factory):
    kerio = emulator_factory(seed=SWAP_SEED)
    kerio.set_faults(fail=[{"method": "Users.set", "nth": 2, "action": "drop"}])  # after jdoe let go of sales.desk
    users = [{"name": "jdoe", "addresses": ["john.doe", "helpdesk"]}, {"name": "former", "addresses": ["sales.desk"]}]
    result = run_import(request(kerio, users))
    assert kerio.users()["jdoe"]["emailAddresses"] == ["john.doe"]
    assert result["failed"] and result["changed"] is True and "letting go of addresses" in result["msg"]
    kerio.set_faults()
    rerun = run_import(request(kerio, users))
    assert rerun["changed"] and not rerun.get("failed")
    assert sorted(kerio.users()["jdoe"]["emailAddresses"]) == ["helpdesk", "john.doe"] and kerio.users()["former"]["emailAddresses"] == ["sales.desk"]


def test_a_user_that_only_gives_an_address_up_is_changed_once(emulator_factory):
    kerio = emulator_factory(seed=SWAP_SEED)
    users = [{"name": "jdoe", "addresses": ["john.doe"]}, {"name": "former", "addresses": ["helpdesk", "sales.desk"]}]
    result = run_import(request(kerio, users))
    assert sorted(result["updated"]) == ["former", "jdoe"]
    assert result["api_calls"]["Users.set"] == 2  # jdoe lets go of sales.desk, which is all its change; former takes it
    assert run_import(request(kerio, users))["changed"] is False


def test_halving_goes_on_after_a_batch_of_users_refused_each_for_a_reason_of_its_own(kerio):
    kerio.set_faults(atomic_batches=True, item_failures=["bad1", "bad2", "bad3"])
    users = [{"name": name, "password": PASSWORD} for name in ("bad1", "bad2", "good1", "bad3", "good2", "good3")]
    result = run_import(request(kerio, users, batch_size=2))
    assert sorted(result["created"]) == ["good1", "good2", "good3"]
    assert sorted(error["name"] for error in result["errors"]) == ["bad1", "bad2", "bad3"]
    assert result["failed"] and result["msg"].startswith("3 user(s) could not be imported; see 'errors'. A re-run retries them")


def test_a_stop_while_creating_users_says_a_rerun_leaves_the_template_groups_out(kerio):
    kerio.set_faults(fail=[{"method": "Users.create", "nth": 2, "action": "drop"}])
    users = [{"name": f"u{number}", "password": PASSWORD} for number in range(3)]
    result = run_import(request(kerio, users, template="Staff", batch_size=1))
    assert result["created"] == [] and "except the groups that the template or defaults give a user whose creation was cut off" in result["msg"]
    (u0,) = result["errors"]  # created, but not yet in the template's group
    assert u0["name"] == "u0"
    assert u0["message"].endswith("add it in Kerio to the group 'all', which it gets from the template or defaults, given to new users only")


@pytest.mark.parametrize("stop_at", ["Users.set", "Groups.create"])
def test_a_stop_before_any_user_is_created_takes_their_generated_passwords_out_of_the_file(kerio, tmp_path, stop_at):
    kerio.set_faults(fail=[{"method": stop_at, "nth": 1, "action": "drop"}])
    path = tmp_path / "passwords.txt"
    path.write_text("earlier;Kept-Pa55word\n", encoding="utf-8")
    users = [{"name": "jdoe", "description": "changed"}, {"name": "newbie", "groups": ["new group"]}]
    result = run_import(request(kerio, users, generated_passwords_file=str(path), create_groups=True))
    assert result["failed"] and "newbie" not in kerio.users() and result["created"] == []
    # The password Kerio generated for newbie was written before the first write; no newbie exists to use it.
    assert path.read_text(encoding="utf-8") == "earlier;Kept-Pa55word\n"
    assert "generated_passwords_file" not in result


def test_two_domains_sharing_the_file_keep_a_line_each_for_the_same_login(emulator_factory, tmp_path):
    seed = {"domains": [dict(SEED["domains"][0]), {"name": "example.net", "userMaxCount": -1, "users": [], "groups": []}]}
    kerio = emulator_factory(seed=seed)
    path = tmp_path / "passwords.txt"
    for domain_name in ("example.com", "example.net"):
        result = run_import(dataclasses.replace(request(kerio, [{"name": "azubi"}], generated_passwords_file=str(path)), domain=domain_name))
        assert result["created"] == ["azubi"]
    passwords = dict(line.split(";", 1) for line in path.read_text(encoding="utf-8").splitlines())
    assert sorted(passwords) == ["azubi@example.com", "azubi@example.net"]
    for domain_name in ("example.com", "example.net"):
        stored = kerio.users(domain_name)["azubi"]["passwordSha256"]
        assert stored == hashlib.sha256(passwords[f"azubi@{domain_name}"].encode("utf-8")).hexdigest()


def test_a_create_the_server_refuses_as_a_whole_takes_the_generated_passwords_out_of_the_file(emulator_factory, tmp_path):
    # An Auditor may read (and have passwords generated) but not write: Users.create is refused as a whole.
    auditor = {"loginName": "auditor", "password": PASSWORD, "role": {"userRole": "Auditor", "publicFolderRight": False, "archiveFolderRight": False}}
    kerio = emulator_factory(seed={"domains": [dict(SEED["domains"][0], users=[*SEED["domains"][0]["users"], auditor])]})
    path = tmp_path / "passwords.txt"
    base = request(kerio, [{"name": "n1"}, {"name": "n2"}, {"name": "n3"}], generated_passwords_file=str(path), batch_size=1)
    result = run_import(dataclasses.replace(base, connection=dict(base.connection, user="auditor", password=PASSWORD)))
    assert result["failed"] and "lacks the administration rights" in result["msg"]
    assert not {"n1", "n2", "n3"} & set(kerio.users())
    assert path.read_text(encoding="utf-8") == "" and "generated_passwords_file" not in result
