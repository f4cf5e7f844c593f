# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Domains, user counts, generated passwords, address look-up and templates (reference §5, §8, §10)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.kerio.connect.tests.emulator.harness import EmulatorError


def test_user_count_info_unlimited(client):
    info = client.result("Domains.getUserCountInfo", {"domainId": client.domain_id()})["countInfo"]
    assert info == {"currentUsers": 4, "allowedUsers": {"isUnlimited": True, "allowedUsers": -1, "limit": -1, "limitType": "DomainLimit"}}


def test_user_count_info_domain_limit(client):
    info = client.result("Domains.getUserCountInfo", {"domainId": client.domain_id("strict.test")})["countInfo"]
    assert info == {"currentUsers": 1, "allowedUsers": {"isUnlimited": False, "allowedUsers": 3, "limit": 3, "limitType": "DomainLimit"}}


def test_user_count_info_licence_limit_leaves_out_disabled_users(licensed_client):
    client = licensed_client(20)
    client.result("Users.create", {"users": [client.new_user("off", isEnabled=False)]})
    info = client.result("Domains.getUserCountInfo", {"domainId": client.domain_id()})["countInfo"]
    # 4 enabled users here, 1 in strict.test: this domain may have 20 - 1.
    assert info == {"currentUsers": 4, "allowedUsers": {"isUnlimited": False, "allowedUsers": 19, "limit": 20, "limitType": "LicenseLimit"}}


def test_user_count_info_names_the_licence_when_it_leaves_the_room_the_domain_limit_leaves(licensed_client):
    client = licensed_client(7)
    info = client.result("Domains.getUserCountInfo", {"domainId": client.domain_id("strict.test")})["countInfo"]
    # strict.test may have 3 users, and the licence of 7 leaves it 3 beside example.com's 4 enabled users.
    assert info == {"currentUsers": 1, "allowedUsers": {"isUnlimited": False, "allowedUsers": 3, "limit": 7, "limitType": "LicenseLimit"}}


def test_an_unknown_domain_fails_the_call(client):
    assert client.error("Domains.getUserCountInfo", {"domainId": "keriodb://domain/unknown"})["code"] == 1002
    assert client.error("Users.get", {"query": {}, "domainId": "keriodb://domain/unknown"})["code"] == 1002


def test_generated_passwords_meet_the_domain_policy(client):
    domain_id = client.domain_id("strict.test")
    for number in range(20):
        password = client.result("Domains.generatePassword", {"domainId": domain_id})["password"]
        assert len(password) >= 10
        assert all(re.search(pattern, password) for pattern in ("[a-z]", "[A-Z]", "[0-9]", "[^a-zA-Z0-9]"))
        user = client.new_user(f"generated{number}", "strict.test", password=password, isEnabled=False)
        assert client.result("Users.create", {"users": [user]})["errors"] == []


def test_find_entity_by_email_names_the_owners(client):
    params = {"addresses": ["john.doe", "SALES", "info", "free", "asmith"], "updatedEntity": {"kind": "EntityUser"}, "domainId": client.domain_id()}
    entities = client.result("Server.findEntityByEmail", params)["entities"]
    assert [(entity["kind"], entity["name"], entity["collisionAddress"]) for entity in entities] == [
        ("EntityUser", "jdoe", "john.doe@example.com"),
        ("EntityGroup", "sales", "SALES@example.com"),
        ("EntityAlias", "info", "info@example.com"),
        ("EntityUser", "asmith", "asmith@example.com"),
    ]
    assert all(entity["isPattern"] is False for entity in entities)


@pytest.mark.parametrize("address", ["asmith@example.com", "asmith@example.org", "asmith@elsewhere.com"])
def test_find_entity_by_email_takes_local_parts_only(client, address):
    # "addresses without domain" (reference §6.1): a client that sends full addresses finds out here.
    params = {"addresses": ["john.doe", address], "updatedEntity": {"kind": "EntityUser"}, "domainId": client.domain_id()}
    error = client.error("Server.findEntityByEmail", params)
    assert error["code"] == -32602
    assert address in error["data"]["messageParameters"]["positionalParameters"][0]


def test_find_entity_by_email_leaves_out_the_entity_being_updated(client):
    params = {"addresses": ["john.doe"], "updatedEntity": {"kind": "EntityUser", "id": client.user_id("jdoe")}, "domainId": client.domain_id()}
    assert client.result("Server.findEntityByEmail", params)["entities"] == []


def test_available_templates_are_this_domain_and_all_domains_without_admin_rights(client):
    names = [template["name"] for template in client.result("UserTemplates.getAvailable", {"domainId": client.domain_id()})["userTemplateList"]]
    assert names == ["Staff", "Everywhere"]
    names = [template["name"] for template in client.result("UserTemplates.getAvailable", {"domainId": client.domain_id("strict.test")})["userTemplateList"]]
    assert names == ["Strict only", "Everywhere"]


def test_a_template_role_has_no_folder_rights_and_a_template_without_domain_no_addresses(emulator_factory, client_for):
    # Reference §8: a template's role is a UserRight "excluding public/archive folder rights", and its
    # emailAddresses and userGroups are "filled only if domain is set".
    seed = {"domains": [{"name": "example.com", "templates": [{"name": "Here", "emailAddresses": ["shared"]}]}],
            "templates": [{"name": "Anywhere", "emailAddresses": ["shared"], "role": {"userRole": "UserRole"}}]}
    client = client_for(emulator_factory(seed=seed))
    listed = client.result("UserTemplates.getAvailable", {"domainId": client.domain_id()})["userTemplateList"]
    templates = {template["name"]: template for template in listed}
    assert templates["Here"]["role"] == templates["Anywhere"]["role"] == {"userRole": "UserRole"}
    assert templates["Here"]["emailAddresses"] == ["shared"]
    assert templates["Anywhere"]["emailAddresses"] == []


def test_a_seed_cannot_give_a_template_folder_rights(emulator_factory):
    seed = {"templates": [{"name": "Rights", "role": {"userRole": "UserRole", "publicFolderRight": True, "archiveFolderRight": False}}]}
    with pytest.raises(EmulatorError, match="publicFolderRight"):
        emulator_factory(seed=seed)


def test_a_template_of_one_domain_lists_its_groups(client):
    staff = client.result("UserTemplates.getAvailable", {"domainId": client.domain_id()})["userTemplateList"][0]
    assert staff["scope"] == "OneDomain"
    assert staff["domainId"] == client.domain_id()
    assert staff["diskSizeLimit"] == {"isActive": True, "limit": {"value": 2, "units": "GigaBytes"}}
    assert [group["id"] for group in staff["userGroups"]] == [client.group_id("sales")]


def test_api_version(client):
    assert client.result("Version.getApiVersion") == {"apiVersion": 18}
