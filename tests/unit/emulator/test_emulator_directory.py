# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Users.getFromServer against a real directory: the eDirectory-shaped OpenLDAP of tests/directory (reference §9.1).

Active Directory goes through the same code with other attributes; a Samba DC takes too long to
provision for these tests (tests/directory covers the product against it).
"""

from __future__ import annotations

import pytest

from ansible_collections.kerio.connect.tests.directory import servers

MAIL_DOMAINS = ("example.com", "example.org")  # the contract seed's example.com and its alias


@pytest.fixture(scope="module")
def edirectory(tmp_path_factory):
    if servers.missing_requirements("edirectory"):
        pytest.fail(servers.install_hint("edirectory") or "slapd is not installed: run tests/setup/install-directory-servers.sh")
    root = tmp_path_factory.mktemp("emulator-edirectory")
    server = servers.OpenLdap(root / "edirectory", "edirectory")
    info = servers.acquire(root, "edirectory", server)
    yield info
    servers.release(root, "edirectory", server)


@pytest.fixture
def directory_client(edirectory, contract_emulator_factory, client_for):
    return client_for(contract_emulator_factory(extra_args=["--ldap-ca-file", edirectory.ca_cert]))


def import_server(edirectory, **changes) -> dict:
    # By the certificate's name: ldap3 on Python >= 3.12 cannot match an IP address SAN (shared/reference/ldap-test-servers.md §5).
    server = {"directoryType": "NovellEDirectory", "remoteDomainName": "Example", "address": f"{edirectory.tls_name}:{edirectory.ldaps_port}",
              "loginName": edirectory.reader_dn, "password": edirectory.reader_password, "ldapFilter": "", "isSecureConnection": True}
    return {**server, **changes}


def new_users(client, server: dict) -> list[dict]:
    return client.result("Users.getFromServer", {"importServer": server, "domainToImport": client.domain_id()})["newUsers"]


def test_every_person_is_listed_with_names_addresses_and_groups(edirectory, directory_client):
    users = new_users(directory_client, import_server(edirectory))
    people = {person.login: person for person in edirectory.facts.people}
    assert sorted(user["userItem"]["loginName"] for user in users) == sorted(people)
    for user in users:
        item, person = user["userItem"], people[user["userItem"]["loginName"]]
        assert item["fullName"] == person.full_name
        assert item["description"] == (person.description or "")
        assert item["emailAddresses"] == [mail.split("@")[0] for mail in person.mail if mail.split("@")[1] in MAIL_DOMAINS]
        assert sorted(group["name"] for group in item["userGroups"]) == sorted(person.groups)
        assert user["isImportable"], user


def test_plain_ldap_and_a_custom_filter(edirectory, directory_client):
    login = edirectory.facts.people[0].login
    server = import_server(edirectory, address=f"127.0.0.1:{edirectory.ldap_port}", isSecureConnection=False, ldapFilter=f"(cn={login})")
    assert [user["userItem"]["loginName"] for user in new_users(directory_client, server)] == [login]


def test_a_wrong_password_is_a_directory_service_error(edirectory, directory_client):
    server = import_server(edirectory, password="wrong")
    error = directory_client.error("Users.getFromServer", {"importServer": server, "domainToImport": directory_client.domain_id()})
    assert (error["code"], error["message"]) == (1000, "Directory service error: %1.")


def test_ldaps_is_verified_against_the_configured_ca(edirectory, emulator_factory, client_for):
    client = client_for(emulator_factory())  # no --ldap-ca-file: the test CA is not trusted
    error = client.error("Users.getFromServer", {"importServer": import_server(edirectory), "domainToImport": client.domain_id()})
    assert error["code"] == 1000
    assert "certificate" in error["data"]["messageParameters"]["positionalParameters"][0].lower()
