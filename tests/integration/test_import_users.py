# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""playbooks/import_users.yml against the emulator, the way users feel it: check, run, verify, re-run."""

from __future__ import annotations

import copy
import hashlib
import os
import stat

import pytest

from ansible_collections.kerio.connect.tests.playbook_runner import IMPORT_TASK, REPO, write_inventory

CSV_DIR = REPO / "playbooks" / "files"
ADMIN_PASSWORD = "Adm1n-S3cret-Pa55"

SEED = {
    "domains": [{
        "name": "example.com",
        "isPrimary": True,
        "aliasList": ["example.org"],
        "userMaxCount": -1,
        "users": [
            {"loginName": "jdoe", "fullName": "John Doe", "description": "", "isEnabled": True,
             "emailAddresses": ["john.doe"], "password": "Old-Pa55word", "groups": ["sales"]},
            {"loginName": "former.employee", "fullName": "Former", "password": "Old-Pa55word"},
        ],
        "groups": [{"name": "sales", "description": "", "emailAddresses": []}],
        "templates": [{
            "name": "Staff", "description": "Staff member",
            "diskSizeLimit": {"isActive": True, "limit": {"value": 2, "units": "GigaBytes"}},
        }],
    }],
}


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def domain(**overrides):
    config = {
        "domain": "example.com",
        "template": "Staff",
        "sources": [
            {"type": "csv", "path": str(CSV_DIR / "users-semicolon.csv")},
            {"type": "csv", "path": str(CSV_DIR / "users-comma.csv")},
        ],
        "users": [
            {"name": "jdoe", "full_name": "John Q. Doe", "groups": ["sales", "all"]},
            {"name": "helpdesk", "full_name": "Help Desk", "addresses": ["help@example.org", "support.desk"],
             "groups": ["support"], "password": "H3lp-Desk-Pa55"},
            {"name": "former.employee", "state": "absent"},
        ],
    }
    config.update(overrides)
    return config


@pytest.fixture
def kerio(emulator_factory):
    return emulator_factory(seed=SEED, admin_password=ADMIN_PASSWORD)


def test_check_run_verify_rerun(kerio, tmp_path, playbook_runner):
    inventory = write_inventory(tmp_path, kerio, [domain()])
    before = kerio.users()

    check = playbook_runner(inventory=inventory, check=True, diff=True)
    assert check.returncode == 0, check.output
    (planned,) = check.results(IMPORT_TASK)
    assert planned["changed"] is True
    assert sorted(planned["created"]) == ["abird", "ewood", "helpdesk", "jnovak", "mtaylor", "zangstrom"]
    assert planned["updated"] == ["jdoe"] and planned["removed"] == ["former.employee"]
    assert kerio.write_calls() == 0 and kerio.users() == before

    kerio.reset_stats()
    run = playbook_runner(inventory=inventory, diff=True)
    assert run.returncode == 0, run.output
    (done,) = run.results(IMPORT_TASK)
    for key in ("created", "updated", "removed", "summary"):
        assert done[key] == planned[key], key

    users = kerio.users()
    assert "former.employee" not in users
    abird = users["abird"]
    assert abird["fullName"] == "Alexandra Bird" and abird["description"] == "Development"
    assert abird["emailAddresses"] == []  # its only address is its login name
    assert sorted(abird["groups"]) == ["all", "read"]
    assert abird["passwordSha256"] == sha256("VbD66op1")
    assert abird["diskSizeLimit"]["limit"]["value"] == 2  # from the Staff template
    assert sorted(users["ewood"]["emailAddresses"]) == ["wood"]
    assert users["jnovak"]["fullName"] == "Jiří Nováček"
    assert sorted(users["helpdesk"]["emailAddresses"]) == ["help", "support.desk"]
    assert users["jdoe"]["fullName"] == "John Q. Doe" and sorted(users["jdoe"]["groups"]) == ["all", "sales"]
    assert users["jdoe"]["passwordSha256"] == sha256("Old-Pa55word")  # on_create: an existing password stays

    kerio.reset_stats()
    rerun = playbook_runner(inventory=inventory)
    assert rerun.returncode == 0, rerun.output
    assert rerun.changed == 0
    (again,) = rerun.results(IMPORT_TASK)
    assert again["changed"] is False and again["summary"]["unchanged"] == 8
    assert kerio.write_calls() == 0


def test_diff_shows_fields_and_never_passwords(kerio, tmp_path, playbook_runner):
    inventory = write_inventory(tmp_path, kerio, [domain()])
    run = playbook_runner(inventory=inventory, diff=True, extra_args=["-vvv"])
    assert run.returncode == 0, run.output
    assert "Jiří Nováček" in run.output and "John Q. Doe" in run.output
    for secret in (ADMIN_PASSWORD, "VbD66op1", "H3lp-Desk-Pa55", "Kv7pLm2q"):
        assert secret not in run.output
    (result,) = run.results(IMPORT_TASK)
    jdoe = next(entry for entry in result["diff"] if entry["before_header"] == "user jdoe")
    assert "full_name: John Doe\n" in jdoe["before"] and "full_name: John Q. Doe\n" in jdoe["after"]
    zoe = next(entry for entry in result["diff"] if entry["after_header"] == "user zangstrom")
    assert "full_name: Zoë Ångström\n" in zoe["after"] and "password: (changed)\n" in zoe["after"]


def test_result_matches_documented_return(kerio, tmp_path, playbook_runner):
    import yaml
    from ansible_collections.kerio.connect.plugins.modules import kerio_user_import

    documented = yaml.safe_load(kerio_user_import.RETURN)
    run = playbook_runner(inventory=write_inventory(tmp_path, kerio, [domain(generated_passwords_file=str(tmp_path / "pw.txt"))]))
    (result,) = run.results(IMPORT_TASK)
    own_keys = set(result) - {"changed", "failed", "msg", "invocation", "item", "ansible_loop_var", "_ansible_no_log", "_ansible_item_label"}
    assert own_keys <= set(documented), own_keys - set(documented)
    for key, spec in documented.items():
        if spec["returned"].startswith(("always", "unless the task failed before its first write")):
            assert key in result, key
    assert set(result["summary"]) == set(documented["summary"]["contains"])

    # Failures before the first write: a domain the server lacks, and a CSV file that cannot be found.
    for name, config in (("nowhere.yml", domain(domain="nowhere.example")), ("lost.yml", domain(sources=[{"type": "csv", "path": "lost.csv"}]))):
        early = playbook_runner(inventory=write_inventory(tmp_path, kerio, [config], name=name))
        (failure,) = early.results(IMPORT_TASK)
        assert early.failed == 1 and failure["errors"] == [] and failure["msg"], failure
        assert not set(failure) & {key for key, spec in documented.items() if spec["returned"].startswith("unless")}


def test_a_file_wrong_on_every_line_lists_the_first_hundred_problems(kerio, tmp_path, playbook_runner):
    bad = tmp_path / "bad-names.csv"
    bad.write_text("Name;Password\n" + "".join(f"user {number};Pa55-word-1\n" for number in range(150)), encoding="utf-8")
    run = playbook_runner(inventory=write_inventory(tmp_path, kerio, [domain(sources=[{"type": "csv", "path": str(bad)}])]))
    (result,) = run.results(IMPORT_TASK)
    assert run.failed == 1 and len(result["errors"]) == 100 and result["errors"][0]["source"].endswith("bad-names.csv, line 2, column Name")
    assert result["msg"].startswith("150 problem(s) found before the first write, so nothing was changed:")
    assert result["msg"].endswith("- and 50 more, not listed: fix these and run again")
    assert kerio.write_calls() == 0


def test_generated_passwords_go_only_to_the_file(kerio, tmp_path, playbook_runner):
    passwords = tmp_path / "generated.txt"
    config = domain(sources=[], users=[{"name": "newbie", "full_name": "New Bie"}], generated_passwords_file=str(passwords))
    run = playbook_runner(inventory=write_inventory(tmp_path, kerio, [config]), extra_args=["-vvv"])
    assert run.returncode == 0, run.output
    (line,) = passwords.read_text(encoding="utf-8").splitlines()
    name, password = line.split(";", 1)
    assert name == "newbie@example.com" and password  # as the user signs in
    assert stat.S_IMODE(os.stat(passwords).st_mode) == 0o600
    assert password not in run.output
    assert kerio.users()["newbie"]["passwordSha256"] == sha256(password)


def test_missing_password_without_a_file_is_refused_before_any_write(kerio, tmp_path, playbook_runner):
    config = domain(users=[{"name": "newbie"}])
    run = playbook_runner(inventory=write_inventory(tmp_path, kerio, [config]))
    assert run.failed == 1
    assert "generated_passwords_file" in run.output and "newbie" in run.output
    assert kerio.write_calls() == 0


@pytest.mark.parametrize("atomic_batches", [False, True], ids=["item by item", "all or nothing"])
def test_a_refused_user_is_reported_and_a_rerun_repairs_it(kerio, tmp_path, playbook_runner, atomic_batches):
    inventory = write_inventory(tmp_path, kerio, [domain()])
    kerio.set_faults(item_failures=["mtaylor"], atomic_batches=atomic_batches)
    run = playbook_runner(inventory=inventory)
    assert run.failed == 1
    (result,) = run.results(IMPORT_TASK)
    (error,) = result["errors"]
    assert error["name"] == "mtaylor" and error["source"].endswith("users-semicolon.csv, line 4")
    assert "mtaylor" not in kerio.users() and "abird" in kerio.users()
    assert sorted(result["created"]) == sorted(set(kerio.users()) - {"admin", "jdoe"})

    kerio.set_faults()
    repair = playbook_runner(inventory=inventory)
    assert repair.returncode == 0, repair.output
    (result,) = repair.results(IMPORT_TASK)
    assert result["created"] == ["mtaylor"] and result["summary"]["unchanged"] == 7


@pytest.mark.parametrize("case, expected", [
    ("missing_name_column", "Name"),
    ("duplicate", "more than once"),
    ("unknown_domain", "does not exist on the Kerio server"),
    ("alias_domain", "'Example.org' is an alias of the domain 'example.com' on the Kerio server; set the domain option to 'example.com'"),
    ("empty_path", "sources[0]: path is empty; give the CSV file's path"),
    ("wrong_admin_password", "Username or password is not correct."),
    ("missing_file", "there is no file"),
    ("missing_relative_file", "cannot find the file 'absent.csv' on the controller (searched "),
    ("foreign_address", "other.test"),
    # Ansible's own check names only the list an option is in; each entry is named.
    ("not_a_boolean", "users[3] (newbie): argument 'enabled' is of type"),
    ("unknown_source_option", "sources[1] (csv): unsupported parameter delimter"),
])
def test_bad_input_fails_clearly_and_changes_nothing(kerio, tmp_path, playbook_runner, case, expected):
    host_vars = {}
    config = domain()
    if case == "missing_name_column":
        bad = tmp_path / "no-name.csv"
        bad.write_text("FullName;Password\nAlexandra Bird;x\n", encoding="utf-8")
        config["sources"] = [{"type": "csv", "path": str(bad)}]
    elif case == "duplicate":
        config["users"].append({"name": "ABird"})
    elif case == "unknown_domain":
        config["domain"] = "nowhere.test"
    elif case == "alias_domain":
        config["domain"] = "Example.org"
    elif case == "empty_path":
        config["sources"] = [{"type": "csv", "path": ""}]
    elif case == "wrong_admin_password":
        host_vars["kerio_password"] = "not-the-password"
    elif case == "missing_file":
        config["sources"] = [{"type": "csv", "path": str(tmp_path / "absent.csv")}]
    elif case == "missing_relative_file":
        config["sources"] = [{"type": "csv", "path": "absent.csv"}]
    elif case == "foreign_address":
        config["users"].append({"name": "outsider", "addresses": ["outsider@other.test"], "password": "Pa55-word-1"})
    elif case == "not_a_boolean":
        config["users"].append({"name": "newbie", "enabled": "maybe", "password": "Pa55-word-1"})
    elif case == "unknown_source_option":
        config["sources"][1]["delimter"] = ";"
    before = kerio.users()
    run = playbook_runner(inventory=write_inventory(tmp_path, kerio, [config], host_vars=host_vars))
    assert run.failed == 1
    assert expected in run.output and "remote_src" not in run.output  # an option of Ansible's advice, not this module's
    assert kerio.write_calls() == 0 and kerio.users() == before
    assert ADMIN_PASSWORD not in run.output and "Pa55-word-1" not in run.output


def test_a_user_declared_twice_is_merged_when_the_role_says_so(kerio, tmp_path, playbook_runner):
    config = domain(duplicate_users="merge")
    config["users"].append({"name": "ABird", "full_name": "Alexandra B. Bird"})  # also a row of users-semicolon.csv
    run = playbook_runner(inventory=write_inventory(tmp_path, kerio, [config]))
    assert run.returncode == 0, run.output
    abird = kerio.users()["ABird"]  # the login name as inventory, first, spells it
    assert abird["fullName"] == "Alexandra B. Bird" and abird["description"] == "Development"  # inventory first, then the file


def test_two_entries_for_one_domain_stop_the_role_before_anything_is_asked(kerio, tmp_path, playbook_runner):
    # The second entry's users would be lost without a word: the import task looks an entry up by its domain.
    entries = [domain(), {"domain": "other.test"}, {"domain": "EXAMPLE.com", "users": [{"name": "only.in.second", "password": "Sec0nd-Pa55word"}]}]
    run = playbook_runner(inventory=write_inventory(tmp_path, kerio, entries))
    assert run.failed == 1
    assert "user_import_domains has more than one entry for example.com (domain names ignore case): give each domain one entry" in run.output
    assert "Sec0nd-Pa55word" not in run.output
    assert kerio.stats() == {}


def test_a_read_only_administrator_can_check_but_not_change(emulator_factory, tmp_path, playbook_runner):
    auditor_password = "Aud1tor-Pa55word"
    seed = copy.deepcopy(SEED)
    seed["domains"][0]["users"].append({"loginName": "auditor", "password": auditor_password,
                                        "role": {"userRole": "Auditor", "publicFolderRight": False, "archiveFolderRight": False}})
    kerio = emulator_factory(seed=seed, admin_password=ADMIN_PASSWORD)
    inventory = write_inventory(tmp_path, kerio, [domain()], host_vars={"kerio_user": "auditor", "kerio_password": auditor_password})
    before = kerio.users()

    check = playbook_runner(inventory=inventory, check=True)
    assert check.returncode == 0, check.output
    assert "abird" in check.results(IMPORT_TASK)[0]["created"] and kerio.write_calls() == 0

    run = playbook_runner(inventory=inventory)
    assert run.failed == 1
    assert "Insufficient rights" in run.output and "'auditor' lacks the administration rights" in run.output
    # Running again with the same account would be refused again: the advice says so.
    assert "When the account or the server allows this call, run the task again" in run.output and "Run the task again" not in run.output
    assert kerio.write_calls() == 1 and kerio.users() == before  # stopped at the first write
    assert auditor_password not in run.output


def test_each_domain_gets_its_own_options_and_the_rest_from_module_defaults(emulator_factory, tmp_path, playbook_runner):
    # The role hands each domain's entry to the module as a whole (module_defaults): nothing of one
    # domain's entry may reach the other, and an option an entry leaves out takes the play's
    # module_defaults for the collection's action group, or else the module's own default.
    other = {"name": "example.net", "userMaxCount": -1, "users": [
        {"loginName": "jdoe", "fullName": "John Doe", "description": "kept", "password": "Old-Pa55word"},
    ]}
    kerio = emulator_factory(seed={"domains": [*copy.deepcopy(SEED["domains"]), other]}, admin_password=ADMIN_PASSWORD)
    declared = [{"name": "jdoe", "full_name": "John Q. Doe", "description": "changed"}]
    inventory = write_inventory(tmp_path, kerio, [
        {"domain": "example.com", "users": declared},
        {"domain": "example.net", "users": declared, "update_existing": False},
    ])

    run = playbook_runner(inventory=inventory)
    assert run.returncode == 0, run.output
    first, second = run.results(IMPORT_TASK)
    assert (first["item"], first["updated"]) == ("example.com", ["jdoe"])
    assert (second["item"], second["updated"], second["unchanged"]) == ("example.net", [], ["jdoe"])
    assert kerio.users("example.com")["jdoe"]["fullName"] == "John Q. Doe"
    assert kerio.users("example.com")["jdoe"]["groups"] == ["sales"]  # remove_from_unlisted_groups: the module's default, false
    assert kerio.users("example.net")["jdoe"]["fullName"] == "John Doe"
    assert playbook_runner(inventory=inventory).changed == 0

    # A play's defaults for the action group fill in what an entry and the host's variables leave
    # out, the connection included; an entry's own value wins.
    playbook = tmp_path / "group_defaults.yml"
    playbook.write_text(f"""
- hosts: kerio_servers
  gather_facts: false
  module_defaults:
    group/kerio.connect.kerio:
      update_existing: false
      kerio_url: {kerio.url}
      kerio_password: {ADMIN_PASSWORD}
      validate_certs: false
  roles:
    - role: kerio.connect.user_import
""", encoding="utf-8")
    again = [{"name": "jdoe", "full_name": "Jane Doe"}]
    inventory = write_inventory(tmp_path, kerio, [
        {"domain": "example.com", "users": again},
        {"domain": "example.net", "users": again, "update_existing": True},
    ], host_vars={"kerio_url": None, "kerio_password": None, "kerio_ca_path": None}, name="again.yml")
    run = playbook_runner(playbook=playbook, inventory=inventory)
    assert run.returncode == 0, run.output
    assert kerio.users("example.com")["jdoe"]["fullName"] == "John Q. Doe"
    assert kerio.users("example.net")["jdoe"]["fullName"] == "Jane Doe"


def test_connection_set_once_through_the_action_group(kerio, tmp_path, playbook_runner):
    playbook = tmp_path / "module_defaults.yml"
    playbook.write_text(f"""
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/kerio.connect.kerio:
      kerio_url: {kerio.url}
      kerio_user: {kerio.admin_user}
      kerio_password: {ADMIN_PASSWORD}
      ca_path: {kerio.ca_path}
  tasks:
    - name: Import one user
      kerio.connect.kerio_user_import:
        domain: example.com
        users: [{{name: solo, full_name: Solo User, password: S0lo-Pa55word}}]
""", encoding="utf-8")
    run = playbook_runner(playbook=playbook, inventory="localhost,")
    assert run.returncode == 0, run.output
    assert kerio.users()["solo"]["fullName"] == "Solo User"


def test_an_entry_named_in_the_options_check_hides_no_other_problem(kerio, tmp_path, playbook_runner):
    # Used directly, the module's own check meets every mistake at once (through the role, its argument check comes first).
    playbook = tmp_path / "direct.yml"
    playbook.write_text(f"""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Import with two mistakes
      kerio.connect.kerio_user_import:
        kerio_url: {kerio.url}
        kerio_user: {kerio.admin_user}
        kerio_password: {ADMIN_PASSWORD}
        ca_path: {kerio.ca_path}
        users: [{{name: solo, enabled: maybe, password: S0lo-Pa55word}}]
        sources: [{{type: kerio_directory, directory_type: NovellEDirectory, organization: acme}}]
""", encoding="utf-8")
    run = playbook_runner(playbook=playbook, inventory="localhost,")
    assert run.failed == 1
    assert "users[0] (solo): argument 'enabled' is of type" in run.output and "missing required arguments: domain" in run.output
    assert "sources[0] (kerio_directory): type is kerio_directory but all of the following are missing: domain_name" in run.output
    assert "found in 'users'" not in run.output and "found in sources" not in run.output  # said once, with the entry named
    assert ADMIN_PASSWORD not in run.output and "S0lo-Pa55word" not in run.output and kerio.stats() == {}


def test_certificate_is_verified_by_default(kerio, tmp_path, playbook_runner):
    inventory = write_inventory(tmp_path, kerio, [domain()], host_vars={"kerio_ca_path": None})
    run = playbook_runner(inventory=inventory)
    assert run.failed == 1
    assert "certificate" in run.output.lower()
    assert kerio.write_calls() == 0


def test_nt_domain_imported_through_kerio_itself(emulator_factory, tmp_path, playbook_runner):
    jdoe_disabled_by_hand = dict(SEED["domains"][0]["users"][0], isEnabled=False)
    seed = {
        "domains": [dict(SEED["domains"][0], users=[jdoe_disabled_by_hand, *SEED["domains"][0]["users"][1:]])],
        "nt_domains": {"CORP": {
            "users": [
                {"loginName": "pnovak", "fullName": "Petr Novák", "description": "Accounting", "emailAddresses": ["petr.novak"]},
                # Kerio lists no addresses and no description for an NT user: jdoe keeps his.
                {"loginName": "jdoe", "fullName": "John Doe"},
                {"loginName": "Jiří", "fullName": "Not importable"},
            ],
            "groups": [{"name": "accounting", "description": "Accounting", "members": ["pnovak"]}],
        }},
    }
    kerio = emulator_factory(seed=seed, admin_password=ADMIN_PASSWORD)
    source = {"type": "kerio_directory", "directory_type": "WinNT", "domain_name": "CORP", "bind_user": "CORP\\reader",
              "bind_password": "B1nd-Pa55word"}
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "sources": [source]}])

    check = playbook_runner(inventory=inventory, check=True, extra_args=["-vvv"])
    assert check.returncode == 0, check.output
    assert "Kerio lists the users of WinNT 'CORP' from its default server, bound as CORP\\reader" in check.output
    assert "Directory Service Lookup" in check.output and "B1nd-Pa55word" not in check.output
    (planned,) = check.results(IMPORT_TASK)
    assert planned["created"] == ["pnovak"] and kerio.write_calls() == 0
    (refused,) = planned["not_imported"]
    assert refused["source"] == "kerio_directory WinNT CORP, Jiří" and "ASCII" in refused["message"]

    run = playbook_runner(inventory=inventory)
    assert run.returncode == 0, run.output
    users = kerio.users()
    assert users["pnovak"]["fullName"] == "Petr Novák" and users["pnovak"]["emailAddresses"] == ["petr.novak"]
    assert users["pnovak"]["groups"] == ["accounting"]
    assert users["pnovak"]["authType"] == "UWindowsNTAuth" and not users["pnovak"]["hasPassword"]
    assert users["jdoe"]["authType"] == "UInternalAuth"  # the NT default never changes an existing user's sign-in
    assert "jdoe" in run.results(IMPORT_TASK)[0]["unchanged"]
    assert users["jdoe"]["emailAddresses"] == ["john.doe"] and users["jdoe"]["groups"] == ["sales"]
    assert users["jdoe"]["isEnabled"] is False  # Kerio lists every user enabled: its default, not the directory's word

    kerio.reset_stats()
    rerun = playbook_runner(inventory=inventory)
    assert rerun.returncode == 0 and rerun.changed == 0 and kerio.write_calls() == 0


def test_relative_csv_paths_are_found_like_copy_src_and_patterns_select_users(kerio, tmp_path, playbook_runner):
    config = domain(
        sources=[{"type": "csv", "path": "users-semicolon.csv"}, {"type": "csv", "path": "users-comma.csv"}],
        users=[], include=["*wood", "M*", "abird", "jn*", "Administrator", "x*"], exclude=["j*"],
    )
    run = playbook_runner(inventory=write_inventory(tmp_path, kerio, [config]))
    assert run.returncode == 0, run.output
    (result,) = run.results(IMPORT_TASK)
    assert sorted(result["created"]) == ["abird", "ewood", "mtaylor"]  # jnovak: exclusion wins; zangstrom: not included
    # A pattern that matches nobody is said so (jn* matched jnovak, whom exclude then took out).
    warned = [line for line in run.output.splitlines() if "matches no user the sources declare" in line]
    assert len(warned) == 2 and "'Administrator'" in warned[0] and "'x*'" in warned[1], run.output
    assert result["sources"][0]["source"] == str(CSV_DIR / "users-semicolon.csv")


def test_users_needing_the_same_change_share_one_call(emulator_factory, tmp_path, playbook_runner):
    names = [f"user{number}" for number in range(5)]
    seed = {"domains": [dict(SEED["domains"][0], users=[{"loginName": name, "password": "Pa55-word-1"} for name in names])]}
    kerio = emulator_factory(seed=seed, admin_password=ADMIN_PASSWORD)
    users = [{"name": name, "enabled": False} for name in names] + [{"name": "user0b", "password": "Pa55-word-2"}]
    run = playbook_runner(inventory=write_inventory(tmp_path, kerio, [domain(sources=[], users=users, batch_size=2)]))
    assert run.returncode == 0, run.output
    assert kerio.stats()["Users.set"] == 3  # one pattern, five users, batches of two
    assert not any(kerio.users()[name]["isEnabled"] for name in names)


def test_a_connection_dropped_mid_apply_reports_what_was_done_and_a_rerun_repairs_it(kerio, tmp_path, playbook_runner):
    inventory = write_inventory(tmp_path, kerio, [domain()])
    kerio.set_faults(fail=[{"method": "Groups.addMemberList", "nth": 1, "action": "drop"}])
    run = playbook_runner(inventory=inventory)
    assert run.failed == 1
    (result,) = run.results(IMPORT_TASK)
    assert result["changed"] is True
    assert result["created"] == [] and result["updated"] == [] and result["removed"] == ["former.employee"]
    # jdoe's new full name was set, his joining "all" cut off: not listed as updated, but as changed in part;
    # the users created, whose joining of their groups was cut off, as created in part.
    errors = {error["name"]: error["message"] for error in result["errors"]}
    assert errors.pop("jdoe").startswith("was changed only in part when the import stopped")
    assert sorted(errors) == ["abird", "ewood", "helpdesk", "jnovak", "mtaylor", "zangstrom"]
    # Every group these users were to join is declared by their sources: a re-run adds them.
    assert errors["abird"] == ("was created, but the import stopped before it joined the groups 'read', 'all'; a re-run with "
                               "update_existing true adds it to the groups 'read', 'all', which its sources declare")
    assert sorted(result["groups_created"]) == ["all", "read", "support"]
    assert result["summary"] == {"created": 0, "updated": 0, "removed": 1, "unchanged": 0, "failed": 7}
    assert "Groups.addMemberList" in result["msg"] and "outcome of this write is unknown" in result["msg"]
    assert "again" in result["msg"]
    assert ADMIN_PASSWORD not in run.output and "H3lp-Desk-Pa55" not in run.output
    users = kerio.users()
    assert "former.employee" not in users and "abird" in users and users["abird"]["groups"] == []

    kerio.set_faults()
    repair = playbook_runner(inventory=inventory)
    assert repair.returncode == 0, repair.output
    assert sorted(kerio.users()["abird"]["groups"]) == ["all", "read"]
    assert sorted(kerio.users()["jdoe"]["groups"]) == ["all", "sales"]
    rerun = playbook_runner(inventory=inventory)
    assert rerun.returncode == 0 and rerun.changed == 0


def password_lines(path) -> list[tuple[str, str]]:
    """The (login, password) of each line of a generated-passwords file, every line naming a user of example.com."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name, password = line.split(";", 1)
        login, domain_name = name.split("@")
        assert domain_name == "example.com", line
        lines.append((login, password))
    return lines


def test_generated_passwords_file_holds_each_created_user_once(kerio, tmp_path, playbook_runner):
    passwords = tmp_path / "generated.txt"
    users = [{"name": f"gen{number:02d}"} for number in range(12)]
    config = domain(sources=[], users=users, generated_passwords_file=str(passwords), batch_size=5)
    inventory = write_inventory(tmp_path, kerio, [config])
    refused = ["gen03", "gen07", "gen08"]
    kerio.set_faults(item_failures=refused)  # the server refuses these users, so their passwords are worth nothing
    for attempt in range(2):
        run = playbook_runner(inventory=inventory)
        assert run.failed == 1, run.output
        (result,) = run.results(IMPORT_TASK)
        assert sorted(error["name"] for error in result["errors"]) == refused
        lines = password_lines(passwords)
        existing = {login: user for login, user in kerio.users().items() if login.startswith("gen")}
        assert sorted(login for login, _password in lines) == sorted(existing) and len(existing) == 9, attempt  # once each, only those that exist
        for login, password in lines:
            assert existing[login]["passwordSha256"] == sha256(password)
        assert stat.S_IMODE(os.stat(passwords).st_mode) == 0o600


def test_generated_passwords_of_an_interrupted_create_are_kept_and_replaced_by_the_rerun(kerio, tmp_path, playbook_runner):
    passwords = tmp_path / "generated.txt"
    names = ["gen1", "gen2", "gen3", "gen4", "gen5"]
    config = domain(sources=[], users=[{"name": name} for name in names], generated_passwords_file=str(passwords), batch_size=2)
    inventory = write_inventory(tmp_path, kerio, [config])
    kerio.set_faults(fail=[{"method": "Users.create", "nth": 2, "action": "drop"}])
    run = playbook_runner(inventory=inventory)
    assert run.failed == 1
    (result,) = run.results(IMPORT_TASK)
    assert result["changed"] is True and result["created"] == ["gen1", "gen2"]
    assert "Users.create" in result["msg"] and "outcome of this write is unknown" in result["msg"]
    # gen3 and gen4 may or may not exist after the dropped call: their passwords stay until a run knows.
    assert [login for login, _password in password_lines(passwords)] == names

    kerio.set_faults()
    repair = playbook_runner(inventory=inventory)
    assert repair.returncode == 0, repair.output
    assert repair.results(IMPORT_TASK)[0]["created"] == ["gen3", "gen4", "gen5"]
    lines = password_lines(passwords)
    assert sorted(login for login, _password in lines) == names
    users = kerio.users()
    for login, password in lines:
        assert users[login]["passwordSha256"] == sha256(password)


@pytest.mark.parametrize("where", ["directory", "missing_parent", "parent_is_a_file"])
def test_an_unusable_generated_passwords_file_fails_check_mode_and_run_alike(kerio, tmp_path, playbook_runner, where):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    path = {"directory": tmp_path, "missing_parent": tmp_path / "absent" / "pw.txt", "parent_is_a_file": tmp_path / "a-file" / "pw.txt"}[where]
    config = domain(users=[{"name": "newbie"}], generated_passwords_file=str(path))
    inventory = write_inventory(tmp_path, kerio, [config])
    before = kerio.users()
    for check in (True, False):
        run = playbook_runner(inventory=inventory, check=check)
        assert run.failed == 1 and run.changed == 0, run.output
        (result,) = run.results(IMPORT_TASK)
        assert "generated_passwords_file" in result["msg"] and str(path) in result["msg"]
        assert "Errno" not in result["msg"]
    assert kerio.write_calls() == 0 and kerio.users() == before


def test_the_environment_keyword_reaches_the_connection_fallbacks_and_proxies(kerio, tmp_path, playbook_runner):
    # The module runs in Ansible's worker on the controller, which the environment keyword does not
    # touch by itself; a module run there would see it, and so does this one.
    playbook = tmp_path / "environment.yml"
    playbook.write_text(f"""
- hosts: localhost
  gather_facts: false
  environment:
    KERIO_URL: {kerio.url}
    KERIO_USER: {kerio.admin_user}
    KERIO_PASSWORD: "{{{{ admin_password }}}}"
  tasks:
    - name: Import one user, connected through the play's environment
      kerio.connect.kerio_user_import:
        domain: example.com
        ca_path: {kerio.ca_path}
        users: [{{name: solo, full_name: Solo User, password: S0lo-Pa55word}}]
    - name: Through a proxy that refuses connections, set for this task only
      kerio.connect.kerio_user_import:
        domain: example.com
        ca_path: {kerio.ca_path}
        users: [{{name: duo, password: Du0-Pa55word}}]
      environment:
        HTTPS_PROXY: http://127.0.0.1:9
        NO_PROXY: ""
      ignore_errors: true
    - name: The proxy was this task's only
      kerio.connect.kerio_user_import:
        domain: example.com
        ca_path: {kerio.ca_path}
        users: [{{name: trio, password: Tri0-Pa55word}}]
""", encoding="utf-8")
    run = playbook_runner(playbook=playbook, inventory="localhost,", extra_args=["-e", f"admin_password={ADMIN_PASSWORD}"],
                          env={"KERIO_URL": "", "KERIO_USER": "", "KERIO_PASSWORD": "", "HTTPS_PROXY": "", "NO_PROXY": "127.0.0.1"})
    assert run.returncode == 0, run.output
    assert run.result("Import one user, connected through the play's environment")["created"] == ["solo"]
    proxied = run.result("Through a proxy that refuses connections, set for this task only")
    assert "could not connect to the proxy" in proxied["msg"] and "port=9" in proxied["msg"], proxied
    assert run.result("The proxy was this task's only")["created"] == ["trio"]
    assert set(kerio.users()) >= {"solo", "trio"} and "duo" not in kerio.users()
    assert ADMIN_PASSWORD not in run.output


def test_the_articles_comma_example_and_an_nt_domain_with_a_template(emulator_factory, tmp_path, playbook_runner):
    # Kerio's article, as printed: a ';' header over ',' rows, imported with a template, beside an NT
    # domain read by Kerio itself ("you can even use a template" holds for both).
    seed = copy.deepcopy(SEED)
    seed["nt_domains"] = {"CORP": {"users": [{"loginName": "pnovak", "fullName": "Petr Novák"}]}}
    kerio = emulator_factory(seed=seed, admin_password=ADMIN_PASSWORD)
    article = tmp_path / "article-comma.csv"
    article.write_text('Name;Password;FullName;Description;MailAddress;Groups\n'
                       'abird,VbD66op1,Alexandra Bird,Development,abird,"read,all"\n'
                       'ewood,Ahdpppu4,Edward Wood,Sales,"awood,wood","sales,all"\n'
                       'mtaylor,SpoiuS158,Michael Taylor,Assistant,"mtaylor,michael.taylor",all\n', encoding="utf-8")
    sources = [{"type": "csv", "path": str(article)}, {"type": "kerio_directory", "directory_type": "WinNT", "domain_name": "CORP"}]
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "template": "Staff", "sources": sources}])

    check = playbook_runner(inventory=inventory, check=True)
    assert check.returncode == 0, check.output
    assert sorted(check.result(IMPORT_TASK)["created"]) == ["abird", "ewood", "mtaylor", "pnovak"] and kerio.write_calls() == 0

    run = playbook_runner(inventory=inventory)
    assert run.returncode == 0, run.output
    users = kerio.users()
    assert sorted(users["abird"]["groups"]) == ["all", "read"] and users["abird"]["passwordSha256"] == sha256("VbD66op1")
    assert sorted(users["ewood"]["emailAddresses"]) == ["awood", "wood"] and sorted(users["ewood"]["groups"]) == ["all", "sales"]
    assert users["mtaylor"]["emailAddresses"] == ["michael.taylor"] and users["mtaylor"]["description"] == "Assistant"
    for name in ("abird", "ewood", "mtaylor", "pnovak"):
        assert users[name]["diskSizeLimit"]["limit"]["value"] == 2, name  # from the Staff template
    assert users["pnovak"]["authType"] == "UWindowsNTAuth"  # the directory's sign-in, not the template's

    kerio.reset_stats()
    rerun = playbook_runner(inventory=inventory)
    assert rerun.returncode == 0 and rerun.changed == 0 and kerio.write_calls() == 0, rerun.output
