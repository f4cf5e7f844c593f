# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""import_users.yml fed by real directories, into the emulator: check, run, verify, re-run, scope change."""

from __future__ import annotations

import pytest

from ansible_collections.kerio.connect.tests.playbook_runner import IMPORT_TASK, write_inventory

SEED = {"domains": [{"name": "example.com", "isPrimary": True, "aliasList": ["example.org"], "userMaxCount": -1}]}


def ldap_source(server):
    """The generic directory's Support department: more than 1,000 people, so paging is needed."""
    support = server.facts.people_in("Support")
    return {
        "type": "ldap", "server": ["localhost"], "port": server.ldaps_port, "ca_cert": server.ca_cert,
        "search_base": support[0].dn.split(",", 1)[1], "bind_user": server.reader_bind, "bind_password": server.reader_password,
        "attribute_map": {"disabled": "employeeType"}, "page_size": 300,
    }, support, "uid"


def edirectory_source(server):
    return {
        "type": "edirectory", "server": ["localhost"], "port": server.ldaps_port, "ca_cert": server.ca_cert,
        "organization": server.facts.base_dn.split("=", 1)[1], "bind_user": server.reader_bind, "bind_password": server.reader_password,
    }, server.facts.people, "cn"


def active_directory_source(server):
    return {
        "type": "active_directory", "server": ["localhost"], "port": server.ldaps_port, "ca_cert": server.ca_cert,
        "domain_name": "example.test", "search_base": server.facts.people_base_dn,
        "bind_user": server.reader_bind, "bind_password": server.reader_password,
    }, server.facts.people, "sAMAccountName"


CASES = {
    "ldap": ("openldap_server", ldap_source),
    "edirectory": ("edirectory_server", edirectory_source),
    "active_directory": ("samba_ad_server", active_directory_source),
}


@pytest.mark.parametrize("kind", CASES)
def test_directory_import_check_run_verify_rerun(kind, request, emulator_factory, tmp_path, playbook_runner):
    fixture, make_source = CASES[kind]
    server = request.getfixturevalue(fixture)
    source, people, login_attribute = make_source(server)
    kerio = emulator_factory(seed=SEED)
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "sources": [source]}])
    expected = {person.login for person in people}
    assert len(expected) == len(people)
    before = kerio.users()

    check = playbook_runner(inventory=inventory, check=True)
    assert check.returncode == 0, check.output
    (planned,) = check.results(IMPORT_TASK)
    assert set(planned["created"]) == expected
    assert kerio.write_calls() == 0 and kerio.users() == before

    run = playbook_runner(inventory=inventory)
    assert run.returncode == 0, run.output
    (done,) = run.results(IMPORT_TASK)
    assert set(done["created"]) == expected and not done["errors"]
    (summary,) = done["sources"]
    assert summary["users"] == len(people) and len(summary["identities"]) == len(people)
    assert server.reader_password not in run.output

    users = kerio.users()
    assert expected <= set(users)
    for person in people:
        user = users[person.login]
        assert user["fullName"] == person.full_name, person.login
        assert user["isEnabled"] is (not person.disabled), person.login
        assert sorted(user["emailAddresses"], key=str.casefold) == sorted(person.expected_addresses(), key=str.casefold), person.login
        assert sorted(user["groups"]) == sorted(person.groups), person.login
    assert any(person.disabled for person in people)
    assert {"Jiří Nováček", "Zoë Ångström"} <= {users[person.login]["fullName"] for person in people}

    kerio.reset_stats()
    rerun = playbook_runner(inventory=inventory)
    assert rerun.returncode == 0, rerun.output
    assert rerun.changed == 0 and kerio.write_calls() == 0

    # Someone leaves the filter's scope: reported as no longer declared, and left alone.
    leaver = people[0].login
    source["filter"] = f"(!({login_attribute}={leaver}))"
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "sources": [source]}])
    scoped = playbook_runner(inventory=inventory)
    assert scoped.returncode == 0, scoped.output
    (result,) = scoped.results(IMPORT_TASK)
    assert leaver in result["undeclared"] and result["changed"] is False
    assert leaver in kerio.users()

    # Patterns select among the users a directory declares; the identities listed are the selected users'.
    chosen = people[1].login
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "sources": [source], "include": [chosen.upper()]}])
    picked = playbook_runner(inventory=inventory, check=True)
    assert picked.returncode == 0, picked.output
    (summary,) = picked.results(IMPORT_TASK)[0]["sources"]
    assert list(summary["identities"]) == [chosen] and summary["users"] == len(people) - 1


def test_truncated_directory_answer_fails_the_import_instead_of_shortening_it(openldap_server, emulator, tmp_path, playbook_runner):
    source, _people, _login = ldap_source(openldap_server)
    source.update(search_base=openldap_server.facts.people_base_dn, bind_user=openldap_server.limited_reader_dn)
    run = playbook_runner(inventory=write_inventory(tmp_path, emulator, [{"domain": "example.com", "sources": [source]}]))
    assert run.failed == 1
    assert "after 1000 entries (sizeLimitExceeded)" in run.output and "nothing is imported" in run.output, run.output
    assert emulator.write_calls() == 0


@pytest.mark.parametrize("option, value, expected", [
    ("bind_password", "wrong-Pa55word", "invalid credentials"),
    ("filter", "(uid=broken", "filter"),
    ("ca_cert", None, "certificate"),
])
def test_directory_problems_fail_clearly_and_write_nothing(option, value, expected, openldap_server, emulator, tmp_path, playbook_runner):
    source, _people, _login = ldap_source(openldap_server)
    source[option] = value
    run = playbook_runner(inventory=write_inventory(tmp_path, emulator, [{"domain": "example.com", "sources": [source]}]))
    assert run.failed == 1
    assert expected in run.output.lower()
    assert "wrong-Pa55word" not in run.output and openldap_server.reader_password not in run.output
    assert emulator.write_calls() == 0


def test_unreachable_directory_times_out_clearly(emulator, tmp_path, playbook_runner):
    source = {"type": "ldap", "server": ["127.0.0.1"], "port": 9, "search_base": "dc=example,dc=test", "timeout": 2}
    run = playbook_runner(inventory=write_inventory(tmp_path, emulator, [{"domain": "example.com", "sources": [source]}]))
    assert run.failed == 1
    assert "127.0.0.1" in run.output
    assert emulator.write_calls() == 0


def test_active_directory_imported_through_kerio_itself(samba_ad_server, emulator_factory, tmp_path, playbook_runner):
    kerio = emulator_factory(seed=SEED, extra_args=["--ldap-ca-file", samba_ad_server.ca_cert])
    host = "localhost" if samba_ad_server.host == "127.0.0.1" else samba_ad_server.host
    source = {
        "type": "kerio_directory", "directory_type": "ActiveDirectory", "domain_name": "example.test", "server": [host],
        "port": samba_ad_server.ldaps_port, "bind_user": samba_ad_server.reader_bind, "bind_password": samba_ad_server.reader_password,
    }
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "sources": [source]}])
    run = playbook_runner(inventory=inventory)
    assert run.returncode == 0, run.output
    users = kerio.users()
    assert samba_ad_server.facts.logins <= set(users)
    sample = samba_ad_server.facts.person("jiri.novacek")
    assert users["jiri.novacek"]["fullName"] == sample.full_name == "Jiří Nováček"
    assert users["jiri.novacek"]["authType"] == "UKerberosAuth" and not users["jiri.novacek"]["hasPassword"]
    assert samba_ad_server.reader_password not in run.output

    kerio.reset_stats()
    rerun = playbook_runner(inventory=inventory)
    assert rerun.returncode == 0 and rerun.changed == 0 and kerio.write_calls() == 0


def test_edirectory_imported_through_kerio_itself(edirectory_server, emulator_factory, tmp_path, playbook_runner):
    kerio = emulator_factory(seed=SEED, extra_args=["--ldap-ca-file", edirectory_server.ca_cert])
    source = {
        "type": "kerio_directory", "directory_type": "NovellEDirectory", "domain_name": edirectory_server.facts.base_dn.split("=", 1)[1],
        "server": ["localhost"], "port": edirectory_server.ldaps_port,
        "bind_user": edirectory_server.reader_bind, "bind_password": edirectory_server.reader_password,
    }
    inventory = write_inventory(tmp_path, kerio, [{"domain": "example.com", "sources": [source]}])
    run = playbook_runner(inventory=inventory)
    assert run.returncode == 0, run.output
    users = kerio.users()
    assert edirectory_server.facts.logins <= set(users)
    sample = next(person for person in edirectory_server.facts.people if not person.full_name.isascii())
    assert users[sample.login]["fullName"] == sample.full_name
    assert edirectory_server.reader_password not in run.output

    kerio.reset_stats()
    rerun = playbook_runner(inventory=inventory)
    assert rerun.returncode == 0 and rerun.changed == 0 and kerio.write_calls() == 0


def test_each_search_is_logged_at_vvv_as_a_command_to_replay(openldap_server, emulator, tmp_path, playbook_runner):
    source, _people, _login = ldap_source(openldap_server)
    source["filter"] = "(|(uid=zoe.angstrom)(uid=jiri.novacek))"
    source["search_base"] = openldap_server.facts.people_base_dn
    run = playbook_runner(inventory=write_inventory(tmp_path, emulator, [{"domain": "example.com", "sources": [source]}]), extra_args=["-vvv"])
    assert run.returncode == 0, run.output
    assert f"ldapsearch -H ldaps://localhost:{openldap_server.ldaps_port}" in run.output
    assert "(|(uid=zoe.angstrom)(uid=jiri.novacek))" in run.output and " -W " in run.output
    assert openldap_server.reader_password not in run.output
