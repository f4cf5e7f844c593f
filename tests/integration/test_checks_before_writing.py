# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the server would refuse part-way through is refused before the first write, in check mode and in the real run alike.

Each case once failed half-way: check mode predicted success, the real run then created some users and failed
the others. Now check mode and the real run fail together with every problem listed, and nothing is written;
what the server accepts goes through check, run and a re-run that changes nothing.
"""

from __future__ import annotations

import pytest

from ansible_collections.kerio.connect.tests.playbook_runner import IMPORT_TASK, write_inventory

ADMIN_PASSWORD = "Adm1n-S3cret-Pa55"
PASSWORD = "Str0ng-Pa55"

SEED = {
    "domains": [{
        "name": "example.com",
        "isPrimary": True,
        "aliasList": ["example.org"],
        "userMaxCount": -1,
        "passwordComplexityEnabled": True,
        "passwordMinimumLength": 8,
        "users": [
            {"loginName": "jdoe", "fullName": "John Doe", "emailAddresses": ["john.doe", "sales.desk"], "password": "Old-Pa55word"},
            {"loginName": "former.employee", "fullName": "Former", "emailAddresses": ["helpdesk"], "password": "Old-Pa55word"},
        ],
        "groups": [
            {"name": "sales", "description": "", "emailAddresses": ["sales"]},
            {"name": "all", "description": "", "emailAddresses": []},
        ],
        "aliases": [{"name": "info", "deliverTo": "jdoe@example.com", "description": "Public contact address"}],
        "templates": [{
            "name": "Staff", "description": "Staff member",
            "diskSizeLimit": {"isActive": True, "limit": {"value": 2, "units": "GigaBytes"}},
            "userGroups": ["all"],
        }],
    }],
}


@pytest.fixture
def kerio(emulator_factory):
    return emulator_factory(seed=SEED, admin_password=ADMIN_PASSWORD)


def refused_in_check_mode_and_run(kerio, playbook_runner, inventory):
    """Both runs fail with the same problems and write nothing; returns the module's result and the output."""
    before = kerio.users()
    outcomes = []
    for check in (True, False):
        run = playbook_runner(inventory=inventory, check=check)
        assert run.failed == 1, run.output
        outcomes.append((run.result(IMPORT_TASK), run.output))
    (checked, _check_output), (result, output) = outcomes
    assert checked["errors"] == result["errors"] and checked["msg"] == result["msg"]
    assert "nothing was changed" in result["msg"]
    assert kerio.write_calls() == 0 and kerio.users() == before
    return result, output


def test_every_problem_the_server_would_meet_is_listed_and_nothing_is_written(kerio, tmp_path, playbook_runner):
    csv_file = tmp_path / "users.csv"
    csv_file.write_text(
        "Name;Password;FullName;Description;MailAddress;Groups\n"
        f"user1;{PASSWORD};User One;;shared.addr;\n"
        f"user2;{PASSWORD};User Two;;shared.addr;\n"
        "user3;weakpassword;User Three;;;\n",
        encoding="utf-8",
    )
    users = [
        {"name": "user4", "password": PASSWORD, "addresses": ["bad address"]},
        {"name": "user5", "password": PASSWORD, "addresses": ["info", "SALES@example.org", "john.doe"]},
    ]
    config = {"domain": "example.com", "sources": [{"type": "csv", "path": str(csv_file)}], "users": users}

    result, output = refused_in_check_mode_and_run(kerio, playbook_runner, write_inventory(tmp_path, kerio, [config]))

    assert result["msg"].startswith("6 problem(s) found before the first write, so nothing was changed")
    found = {(error["source"], error["message"].split(";")[0]) for error in result["errors"]}
    assert found == {
        (f"{csv_file}, line 3, column MailAddress",
         f"the address 'shared.addr' is also declared for the user 'user1' ({csv_file}, line 2)"),
        (f"{csv_file}, line 4, column Password",
         "the password does not meet the domain's password policy: at least 8 characters, of three of the kinds lower-case letter, "
         "upper-case letter, digit and other character, and none of the login name, the words of the full name and the domain's name"),
        ("inventory, users[0] (user4), field addresses",
         "the address 'bad address' is not valid: its local part may hold at most 64 ASCII letters, digits and .!#$%&'*+/=?^_`{|}~- "
         "with no leading, trailing or double '.'"),
        ("inventory, users[1] (user5), field addresses", "the address 'info' is already used by the alias 'info' in the domain"),
        ("inventory, users[1] (user5), field addresses", "the address 'SALES' is already used by the group 'sales' in the domain"),
        ("inventory, users[1] (user5), field addresses", "the address 'john.doe' already belongs to the user 'jdoe', who keeps it"),
    }
    assert "weakpassword" not in output and PASSWORD not in output


def test_addresses_that_removed_and_changed_users_give_up_go_to_a_new_user(kerio, tmp_path, playbook_runner):
    users = [
        {"name": "former.employee", "state": "absent"},
        {"name": "jdoe", "addresses": ["john.doe"]},
        {"name": "support", "password": PASSWORD, "addresses": ["helpdesk", "sales.desk"]},
    ]
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "users": users}])

    check = playbook_runner(inventory=inventory, check=True)
    assert check.returncode == 0, check.output
    planned = check.result(IMPORT_TASK)
    assert (planned["created"], planned["updated"], planned["removed"]) == (["support"], ["jdoe"], ["former.employee"])
    assert kerio.write_calls() == 0

    run = playbook_runner(inventory=inventory)
    assert run.returncode == 0, run.output
    done = run.result(IMPORT_TASK)
    assert (done["created"], done["updated"], done["removed"]) == (["support"], ["jdoe"], ["former.employee"])
    held = kerio.users()
    assert sorted(held["support"]["emailAddresses"]) == ["helpdesk", "sales.desk"] and held["jdoe"]["emailAddresses"] == ["john.doe"]

    kerio.reset_stats()
    rerun = playbook_runner(inventory=inventory)
    assert rerun.returncode == 0 and rerun.changed == 0 and kerio.write_calls() == 0


def test_existing_users_swap_addresses_in_one_run(kerio, tmp_path, playbook_runner):
    # jdoe and former.employee swap sales.desk and helpdesk; Kerio checks each Users.set on its own.
    users = [
        {"name": "jdoe", "addresses": ["john.doe", "helpdesk"]},
        {"name": "former.employee", "addresses": ["sales.desk"]},
    ]
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "users": users}])

    check = playbook_runner(inventory=inventory, check=True)
    assert check.returncode == 0, check.output
    assert sorted(check.result(IMPORT_TASK)["updated"]) == ["former.employee", "jdoe"] and kerio.write_calls() == 0

    run = playbook_runner(inventory=inventory)
    assert run.returncode == 0, run.output
    assert sorted(run.result(IMPORT_TASK)["updated"]) == ["former.employee", "jdoe"]
    held = kerio.users()
    assert sorted(held["jdoe"]["emailAddresses"]) == ["helpdesk", "john.doe"] and held["former.employee"]["emailAddresses"] == ["sales.desk"]
    assert kerio.stats()["Users.set"] == 2 + 2  # each lets go of the address the other takes, then each gets its new list

    kerio.reset_stats()
    rerun = playbook_runner(inventory=inventory)
    assert rerun.returncode == 0 and rerun.changed == 0 and kerio.write_calls() == 0


def test_a_swap_cut_short_lists_the_users_changed_in_part_and_a_rerun_completes_it(kerio, tmp_path, playbook_runner):
    users = [{"name": "jdoe", "addresses": ["john.doe", "helpdesk"]}, {"name": "former.employee", "addresses": ["sales.desk"]}]
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "users": users}])
    kerio.set_faults(fail=[{"method": "Users.set", "nth": 2, "action": "drop"}])  # after the first user let go of its address

    run = playbook_runner(inventory=inventory)
    assert run.failed == 1
    result = run.result(IMPORT_TASK)
    assert result["updated"] == [] and "Users.set" in result["msg"]
    (partly,) = result["errors"]
    assert partly["message"].startswith("was changed only in part when the import stopped")

    kerio.set_faults()
    repair = playbook_runner(inventory=inventory)
    assert repair.returncode == 0, repair.output
    held = kerio.users()
    assert sorted(held["jdoe"]["emailAddresses"]) == ["helpdesk", "john.doe"] and held["former.employee"]["emailAddresses"] == ["sales.desk"]


def test_more_users_than_the_licence_leaves_room_for_are_refused_before_any_is_created(emulator_factory, tmp_path, playbook_runner):
    # admin, jdoe and former.employee are enabled already: a licence for 33 leaves room for 30.
    kerio = emulator_factory(seed=SEED, admin_password=ADMIN_PASSWORD, licence_limit=33)
    users = [{"name": f"user{number:02}", "password": PASSWORD} for number in range(1, 68)]
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "users": users}])

    result, _output = refused_in_check_mode_and_run(kerio, playbook_runner, inventory)
    (error,) = result["errors"]
    assert error["source"] == "inventory, users[30] (user31)"
    assert error["message"].startswith("only 30 of the 67 enabled users this import creates or enables fit in the domain "
                                       "(3 enabled in the domain; the licence allows it 33")

    # What fits goes through: the users beyond the licence created disabled.
    for user in users[30:]:
        user["enabled"] = False
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "users": users}])
    check = playbook_runner(inventory=inventory, check=True)
    assert check.returncode == 0, check.output
    assert len(check.result(IMPORT_TASK)["created"]) == 67 and kerio.write_calls() == 0
    run = playbook_runner(inventory=inventory)
    assert run.returncode == 0, run.output
    held = kerio.users()
    assert sum(held[user["name"]]["isEnabled"] for user in users) == 30
    kerio.reset_stats()
    rerun = playbook_runner(inventory=inventory)
    assert rerun.returncode == 0 and rerun.changed == 0 and kerio.write_calls() == 0


def test_a_user_enabled_again_takes_the_place_another_one_disabled_in_the_same_run_frees(emulator_factory, tmp_path, playbook_runner):
    # admin, jdoe and former.employee fill a licence for 3; Kerio refuses to enable one more before another is disabled.
    seed = {"domains": [dict(SEED["domains"][0], users=[*SEED["domains"][0]["users"], {"loginName": "resting", "isEnabled": False,
                                                                                       "password": "Old-Pa55word"}])]}
    kerio = emulator_factory(seed=seed, admin_password=ADMIN_PASSWORD, licence_limit=3)
    users = [{"name": "resting", "enabled": True}, {"name": "former.employee", "enabled": False}]
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "users": users}])

    check = playbook_runner(inventory=inventory, check=True)
    assert check.returncode == 0, check.output
    run = playbook_runner(inventory=inventory)
    assert run.returncode == 0, run.output
    assert sorted(run.result(IMPORT_TASK)["updated"]) == ["former.employee", "resting"]
    held = kerio.users()
    assert held["resting"]["isEnabled"] is True and held["former.employee"]["isEnabled"] is False
    rerun = playbook_runner(inventory=inventory)
    assert rerun.returncode == 0 and rerun.changed == 0


def test_the_account_the_import_logs_in_with_is_not_removed(kerio, tmp_path, playbook_runner):
    users = [{"name": "former.employee", "state": "absent"}, {"name": "Admin", "state": "absent"}]
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "users": users}])

    result, _output = refused_in_check_mode_and_run(kerio, playbook_runner, inventory)
    (error,) = result["errors"]
    assert error["source"] == "inventory, users[1] (Admin)"
    assert error["message"].startswith("the user 'Admin' is the account this import logs in with (kerio_user)")
    assert "admin" in kerio.users() and "former.employee" in kerio.users()


def test_the_account_the_import_logs_in_with_keeps_the_group_its_rights_come_from(emulator_factory, tmp_path, playbook_runner):
    # Out of Admins, this admin (a user's role of its own) could not log in to run the import again.
    seed = {"domains": [dict(SEED["domains"][0], groups=[*SEED["domains"][0]["groups"], {"name": "Admins", "role": "FullAdmin"}],
                             users=[{"loginName": "admin", "fullName": "Administrator", "groups": ["Admins", "sales"],
                                     "role": {"userRole": "UserRole", "publicFolderRight": False, "archiveFolderRight": False}}])]}
    kerio = emulator_factory(seed=seed, admin_password=ADMIN_PASSWORD)
    entry = {"domain": "example.com", "remove_from_unlisted_groups": True, "users": [{"name": "admin", "groups": ["all"]}]}
    inventory = write_inventory(tmp_path, kerio, [entry])

    result, _output = refused_in_check_mode_and_run(kerio, playbook_runner, inventory)
    (error,) = result["errors"]
    assert error["source"] == "inventory, users[0] (admin), field groups"
    assert error["message"].startswith("the user 'admin' is the account this import logs in with (kerio_user), and the group 'Admins' "
                                       "gives administration rights")
    assert sorted(kerio.users()["admin"]["groups"]) == ["Admins", "sales"]


def test_template_groups_stay_and_the_diff_shows_what_the_template_sets(kerio, tmp_path, playbook_runner):
    config = {
        "domain": "example.com", "template": "Staff", "remove_from_unlisted_groups": True,
        "users": [{"name": "abird", "password": PASSWORD, "full_name": "Alexandra Bird", "groups": ["sales"]}],
    }
    inventory = write_inventory(tmp_path, kerio, [config])

    check = playbook_runner(inventory=inventory, check=True, diff=True)
    assert check.returncode == 0, check.output
    (entry,) = check.result(IMPORT_TASK)["diff"]
    after = entry["after"]
    for line in ("description: Staff member\n", "disk_size_limit:\n", "  isActive: true\n", "- all\n", "- sales\n",
                 "full_name: Alexandra Bird\n", "password: (changed)\n", "enabled: true\n"):
        assert line in after, (line, after)
    assert PASSWORD not in check.output and kerio.write_calls() == 0

    run = playbook_runner(inventory=inventory, diff=True)
    assert run.returncode == 0, run.output
    assert run.result(IMPORT_TASK)["diff"] == check.result(IMPORT_TASK)["diff"]
    abird = kerio.users()["abird"]
    assert sorted(abird["groups"]) == ["all", "sales"]
    assert abird["description"] == "Staff member" and abird["diskSizeLimit"]["limit"] == {"value": 2, "units": "GigaBytes"}

    kerio.reset_stats()
    for check_mode in (True, False):
        rerun = playbook_runner(inventory=inventory, check=check_mode)
        assert rerun.returncode == 0 and rerun.changed == 0, rerun.output
        assert rerun.result(IMPORT_TASK)["unchanged"] == ["abird"]
    assert kerio.write_calls() == 0
