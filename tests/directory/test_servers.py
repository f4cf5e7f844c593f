# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The test directory servers are what the importer's tests take them for, checked with ldap3."""

# The test names say what each test proves.
# pylint: disable=missing-function-docstring

from __future__ import annotations

import ssl
import typing as t

import ldap3
import pytest
from ldap3.core.exceptions import LDAPSocketOpenError
from ldap3.utils.conv import escape_filter_chars

import seed_data
import servers

SERVER_FIXTURES = ("openldap_server", "edirectory_server", "samba_ad_server")


@pytest.fixture(name="any_server", params=SERVER_FIXTURES)
def fixture_any_server(request: pytest.FixtureRequest) -> servers.DirectoryServer:
    return request.getfixturevalue(request.param)


def paged(conn: ldap3.Connection, base: str, search_filter: str, attributes: t.Sequence[str] = ("1.1",),
          page: int = 500) -> dict[str, dict[str, t.Any]]:
    """Every entry of a paged search, by DN; the last result stays in ``conn.result``."""
    found = {}
    for item in conn.extend.standard.paged_search(base, search_filter, attributes=list(attributes), paged_size=page, generator=True):
        if item.get("type") == "searchResEntry":
            found[item["dn"]] = item
    return found


def one(conn: ldap3.Connection, base: str, search_filter: str, attributes: t.Sequence[str] = ("*",), scope: str = ldap3.SUBTREE) -> dict[str, t.Any]:
    assert conn.search(base, search_filter, scope, attributes=list(attributes)), conn.result
    assert len(conn.response) == 1, conn.response
    return conn.response[0]


def text(entry: t.Mapping[str, t.Any], attribute: str) -> list[str]:
    """The values of ``attribute`` as the server sent them, decoded (the connections read no schema)."""
    return [value.decode("utf-8") for value in entry["raw_attributes"].get(attribute, [])]


def first(entry: t.Mapping[str, t.Any], attribute: str) -> str | None:
    values = text(entry, attribute)
    return values[0] if values else None


# --- TLS and binds ---------------------------------------------------------------------------

def test_ldaps_with_the_test_ca(any_server: servers.DirectoryServer) -> None:
    conn = any_server.connect()
    assert conn.bound, conn.result
    assert conn.server.ssl and conn.socket.version().startswith("TLS")
    conn.unbind()


def test_ldaps_by_name_with_the_test_ca(any_server: servers.DirectoryServer) -> None:
    if any_server.host != servers.LOOPBACK:
        pytest.fail(f"the DC moved to {any_server.host}: another session's DC holds 127.0.0.1, which is what localhost names; stop it and re-run")
    server = ldap3.Server(any_server.ldaps_url_by_name, tls=any_server.tls(), get_info=ldap3.NONE)
    conn = ldap3.Connection(server, any_server.reader_bind, any_server.reader_password, auto_bind=True)
    assert conn.bound
    conn.unbind()


def test_ldaps_without_the_test_ca_fails(any_server: servers.DirectoryServer) -> None:
    with pytest.raises(LDAPSocketOpenError, match="CERTIFICATE_VERIFY_FAILED"):
        any_server.connect(tls=any_server.tls(ca_cert=""))


def test_ldaps_with_another_ca_fails(openldap_server: servers.DirectoryServer, edirectory_server: servers.DirectoryServer) -> None:
    with pytest.raises(LDAPSocketOpenError, match="CERTIFICATE_VERIFY_FAILED"):
        openldap_server.connect(tls=openldap_server.tls(ca_cert=edirectory_server.ca_cert))


def test_start_tls(any_server: servers.DirectoryServer) -> None:
    conn = any_server.connect(ldaps=False, start_tls=True)
    assert conn.bound and conn.tls_started, conn.result
    assert one(conn, any_server.base_dn, "(objectClass=*)", ["1.1"], ldap3.BASE)["dn"] == any_server.base_dn
    conn.unbind()


def test_samba_refuses_simple_bind_without_tls(samba_ad_server: servers.DirectoryServer) -> None:
    conn = samba_ad_server.connect(ldaps=False, auto_bind=ldap3.AUTO_BIND_NONE)
    assert not conn.bind()
    assert conn.result["description"] == "strongerAuthRequired"
    conn.unbind()


def test_wrong_password_is_invalid_credentials(any_server: servers.DirectoryServer) -> None:
    conn = any_server.connect(any_server.reader_bind, "not-the-password", auto_bind=ldap3.AUTO_BIND_NONE)
    assert not conn.bind()
    assert conn.result["result"] == 49 and conn.result["description"] == "invalidCredentials"
    if any_server.kind == "ad":
        assert "data 52e" in conn.result["message"]
    conn.unbind()


def test_admin_and_sample_users_can_bind(any_server: servers.DirectoryServer) -> None:
    assert servers.can_bind(any_server, any_server.admin_bind, any_server.admin_password)
    zoe = any_server.facts.person("zoe.angstrom")
    assert servers.can_bind(any_server, zoe.dn, zoe.password)


def test_samba_binds_by_upn_dn_and_down_level_name(samba_ad_server: servers.DirectoryServer) -> None:
    jiri = samba_ad_server.facts.person("jiri.novacek")
    for name in (f"jiri.novacek@{seed_data.AD_REALM.lower()}", jiri.dn, f"{seed_data.AD_DOMAIN}\\jiri.novacek"):
        conn = samba_ad_server.connect(name, jiri.password)
        assert conn.bound, (name, conn.result)
        conn.unbind()


def test_samba_disabled_user_cannot_bind(samba_ad_server: servers.DirectoryServer) -> None:
    hans = samba_ad_server.facts.person("hans.mueller")
    assert hans.disabled
    conn = samba_ad_server.connect(hans.dn, hans.password, auto_bind=ldap3.AUTO_BIND_NONE)
    assert not conn.bind()
    assert "data 533" in conn.result["message"]


# --- generic OpenLDAP ------------------------------------------------------------------------

def test_generic_paged_search_returns_every_person(openldap_server: servers.DirectoryServer) -> None:
    facts = openldap_server.facts
    conn = openldap_server.connect()
    people = paged(conn, facts.people_base_dn, facts.person_filter, ["uid", "mail", "memberOf", "employeeType"], page=1000)
    assert conn.result["result"] == 0
    assert len(people) == facts.people_count == 10000
    assert {first(entry, "uid") for entry in people.values()} == facts.logins
    assert sum(1 for entry in people.values() if text(entry, "employeeType") == ["disabled"]) == facts.disabled_count
    assert sum(len(text(entry, "memberOf")) for entry in people.values()) == sum(len(person.groups) for person in facts.people)
    assert sum(1 for entry in people.values() if not text(entry, "mail")) == len(facts.people_without_mail)
    conn.unbind()


def test_generic_unpaged_search_stops_at_the_size_limit(openldap_server: servers.DirectoryServer) -> None:
    facts = openldap_server.facts
    conn = openldap_server.connect()
    conn.search(facts.people_base_dn, facts.person_filter, attributes=["uid"])
    assert conn.result["description"] == "sizeLimitExceeded"
    assert len(conn.response) == facts.size_limit == 500
    conn.unbind()


def test_limited_reader_is_truncated_at_1000_even_when_paging(openldap_server: servers.DirectoryServer) -> None:
    facts = openldap_server.facts
    conn = openldap_server.connect(openldap_server.limited_reader_dn, openldap_server.reader_password)
    conn.search(facts.people_base_dn, facts.person_filter, attributes=["uid"])
    assert conn.result["description"] == "sizeLimitExceeded" and len(conn.response) == 1000
    # Paged: 300 + 300 + 300 + 100 entries, then sizeLimitExceeded on the last page. ldap3 ends its
    # paged_search generator quietly when raise_exceptions is off: only conn.result tells.
    people = paged(conn, facts.people_base_dn, facts.person_filter, ["uid"], page=300)
    assert len(people) == facts.truncation_limit == 1000
    assert conn.result["description"] == "sizeLimitExceeded"
    conn.unbind()
    # Not even raise_exceptions=True raises: ldap3 never raises for sizeLimitExceeded.
    strict = openldap_server.connect(openldap_server.limited_reader_dn, openldap_server.reader_password, raise_exceptions=True)
    assert len(paged(strict, facts.people_base_dn, facts.person_filter, ["uid"], page=300)) == 1000
    assert strict.result["description"] == "sizeLimitExceeded"
    strict.unbind()


def test_generic_person_filter_leaves_out_non_people(openldap_server: servers.DirectoryServer) -> None:
    facts = openldap_server.facts
    conn = openldap_server.connect()
    everything = paged(conn, facts.people_base_dn, "(objectClass=*)")
    people = paged(conn, facts.people_base_dn, facts.person_filter)
    for item in facts.non_people:
        assert item.dn in everything and item.dn not in people
    assert len(paged(conn, facts.people_base_dn, "(uid=*)")) == facts.people_count + 1  # the service account has a uid
    conn.unbind()


def test_generic_sample_user_and_groups(openldap_server: servers.DirectoryServer) -> None:
    facts = openldap_server.facts
    conn = openldap_server.connect()
    zoe = facts.person("zoe.angstrom")
    entry = one(conn, facts.people_base_dn, "(uid=zoe.angstrom)", ["*", "memberOf"])
    assert entry["dn"] == zoe.dn
    assert text(entry, "cn") == ["Zoë Ångström"] and text(entry, "givenName") == ["Zoë"] and text(entry, "sn") == ["Ångström"]
    assert tuple(text(entry, "mail")) == zoe.mail  # primary first, as loaded
    assert sorted(text(entry, "memberOf")) == sorted(facts.group(name).dn for name in zoe.groups)
    assert text(entry, "employeeType") == [] and text(entry, "userPassword") == []
    assert text(one(conn, facts.people_base_dn, "(uid=hans.mueller)", ["employeeType"]), "employeeType") == ["disabled"]
    for group in facts.groups:
        found = one(conn, group.dn, "(objectClass=groupOfNames)", ["member"], ldap3.BASE)
        assert sorted(text(found, "member")) == sorted(group.member_dns)
    assert facts.group("all-staff").size == facts.people_count
    assert facts.group("managers").nested_groups == ("management",)
    assert len(paged(conn, facts.base_dn, facts.disabled_filter)) == facts.disabled_count
    conn.unbind()


def test_generic_facts_are_stable() -> None:
    facts, entries = seed_data.generic_directory()
    assert facts.people_count == 10000 and len({person.login for person in facts.people}) == 10000
    assert {name: len(facts.people_in(name)) for name in facts.containers} == seed_data.GENERIC_CONTAINERS
    domains = facts.primary_domain_counts()
    assert domains["example.com"] > domains["example.org"] > 0 and domains[seed_data.FOREIGN_DOMAIN] > 0
    assert 0 < facts.disabled_count < facts.people_count // 10
    assert any(ord(char) > 127 for person in facts.people for char in person.full_name)
    assert len(entries) > facts.people_count + len(facts.groups)
    again = seed_data.generic_directory.__wrapped__()[0]
    assert again.people == facts.people and again.groups == facts.groups


# --- eDirectory ------------------------------------------------------------------------------

def test_edirectory_root_dse_names_novell(edirectory_server: servers.DirectoryServer) -> None:
    conn = edirectory_server.connect("", "")
    root = one(conn, "", "(objectClass=*)", ["vendorName", "vendorVersion", "namingContexts"], ldap3.BASE)
    assert text(root, "vendorName") == ["Novell, Inc."] and "eDirectory" in first(root, "vendorVersion")
    assert text(root, "namingContexts") == [edirectory_server.base_dn]
    conn.unbind()


def test_edirectory_users_look_like_edirectory(edirectory_server: servers.DirectoryServer) -> None:
    facts = edirectory_server.facts
    conn = edirectory_server.connect()
    people = paged(conn, facts.base_dn, facts.person_filter, ["cn", "uid", "objectClass", "fullName", "mail", "loginDisabled", "GUID", "groupMembership"])
    assert conn.result["result"] == 0 and len(people) == facts.people_count
    assert {dn.split(",", 2)[1] for dn in people} == {f"ou={name}" for name in seed_data.EDIRECTORY_CONTAINERS}
    assert sum(1 for entry in people.values() if text(entry, "loginDisabled") == ["TRUE"]) == facts.disabled_count
    assert all(text(entry, "loginDisabled") in (["TRUE"], ["FALSE"]) for entry in people.values())
    assert all(len(entry["raw_attributes"]["GUID"][0]) == 16 for entry in people.values())
    assert all(text(entry, "cn") == text(entry, "uid") for entry in people.values())
    hans = facts.person("hans.mueller")
    entry = people[hans.dn]
    assert hans.dn == "cn=hans.mueller,ou=Zürich,o=Example"
    assert text(entry, "objectClass") == list(seed_data.EDIRECTORY_USER_CLASSES)
    assert text(entry, "fullName") == ["Hans Müller, Jr."] and text(entry, "loginDisabled") == ["TRUE"]
    assert sorted(text(entry, "groupMembership")) == sorted(facts.group(name).dn for name in hans.groups)
    assert len(paged(conn, facts.base_dn, facts.disabled_filter)) == facts.disabled_count
    conn.unbind()


def test_edirectory_groups(edirectory_server: servers.DirectoryServer) -> None:
    facts = edirectory_server.facts
    conn = edirectory_server.connect()
    groups = paged(conn, facts.groups_base_dn, facts.group_filter, ["cn", "objectClass", "member", "mail", "description", "equivalentToMe"])
    assert len(groups) == len(facts.groups)
    for group in facts.groups:
        entry = groups[group.dn]
        assert sorted(text(entry, "member")) == sorted(group.member_dns) == sorted(text(entry, "equivalentToMe"))
        assert first(entry, "mail") == group.mail
        assert text(entry, "objectClass") == list(seed_data.EDIRECTORY_GROUP_CLASSES)
    assert facts.group("everyone").size == facts.people_count
    conn.unbind()


# --- Samba AD --------------------------------------------------------------------------------

AD_ATTRIBUTES = ["sAMAccountName", "userPrincipalName", "displayName", "givenName", "sn", "description", "mail",
                 "proxyAddresses", "memberOf", "userAccountControl", "objectGUID", "objectSid", "objectCategory"]


def test_ad_paged_search_returns_every_person_and_no_contact_or_computer(samba_ad_server: servers.DirectoryServer) -> None:
    facts = samba_ad_server.facts
    conn = samba_ad_server.connect()
    people = paged(conn, facts.people_base_dn, facts.person_filter, AD_ATTRIBUTES, page=500)
    assert conn.result["result"] == 0
    assert len(people) == facts.people_count > 1000
    assert {first(entry, "sAMAccountName") for entry in people.values()} == facts.logins
    non_people = {item.kind: item.dn for item in facts.non_people}
    assert non_people["contact"] not in people and non_people["computer"] not in people
    # Each half of the filter alone lets one of them in.
    assert non_people["computer"] in paged(conn, facts.people_base_dn, "(objectClass=user)")
    assert non_people["contact"] in paged(conn, facts.people_base_dn, "(objectCategory=person)")
    whole_domain = paged(conn, facts.base_dn, facts.person_filter, ["sAMAccountName"], page=1000)
    assert {first(entry, "sAMAccountName") for entry in whole_domain.values()} == facts.logins | set(facts.other_accounts)
    conn.unbind()


def test_ad_attributes_look_like_active_directory(samba_ad_server: servers.DirectoryServer) -> None:
    facts = samba_ad_server.facts
    conn = samba_ad_server.connect()
    for login in seed_data.SAMPLE_LOGINS:
        person = facts.person(login)
        entry = one(conn, facts.people_base_dn, f"(sAMAccountName={login})", AD_ATTRIBUTES)
        assert entry["dn"] == person.dn
        assert first(entry, "displayName") == person.full_name and first(entry, "givenName") == person.given_name
        assert first(entry, "userPrincipalName") == f"{login}@example.test"
        assert sorted(text(entry, "proxyAddresses")) == sorted(person.proxy_addresses)
        assert first(entry, "mail") == person.primary_mail
        if person.mail:
            assert f"SMTP:{person.primary_mail}" in text(entry, "proxyAddresses")
        assert sorted(text(entry, "memberOf")) == sorted(facts.group(name).dn for name in person.groups)
        uac = int(first(entry, "userAccountControl"))
        assert bool(uac & seed_data.UAC_ACCOUNTDISABLE) == person.disabled and uac & seed_data.UAC_NORMAL_ACCOUNT
        assert first(entry, "objectCategory").startswith("CN=Person,CN=Schema,CN=Configuration,")
        assert len(entry["raw_attributes"]["objectGUID"][0]) == 16
        assert entry["raw_attributes"]["objectSid"][0][:2] == b"\x01\x05"  # S-1-5-21-a-b-c-RID
    zoe = one(conn, facts.people_base_dn, "(sAMAccountName=zoe.angstrom)", ["proxyAddresses"])
    assert any(address.startswith("X500:") for address in text(zoe, "proxyAddresses"))
    assert len(paged(conn, facts.people_base_dn, f"(&{facts.person_filter}{facts.disabled_filter})")) == facts.disabled_count
    foreign = paged(conn, facts.people_base_dn, f"(&{facts.person_filter}(proxyAddresses=smtp:*@{seed_data.FOREIGN_DOMAIN}))")
    assert len(foreign) == len(facts.people_with_address_in(seed_data.FOREIGN_DOMAIN)) > 0
    conn.unbind()


def test_ad_groups(samba_ad_server: servers.DirectoryServer) -> None:
    facts = samba_ad_server.facts
    conn = samba_ad_server.connect()
    groups = paged(conn, facts.groups_base_dn, facts.group_filter, ["sAMAccountName", "member", "mail", "groupType"])
    assert len(groups) == len(facts.groups)
    for group in facts.groups:
        entry = groups[group.dn]
        assert sorted(text(entry, "member")) == sorted(group.member_dns)
        assert first(entry, "mail") == group.mail
    assert len(text(groups[facts.group("All Staff").dn], "member")) == facts.people_count
    assert text(groups[facts.group("Newsletter").dn], "groupType") == ["2"]
    # Samba does not split big member lists by itself (AD does past 1500); an explicit range works
    # (ldap3 files the values of "member;range=1000-*" under "member").
    ranged = one(conn, facts.group("All Staff").dn, "(objectClass=group)", ["member;range=1000-*"], ldap3.BASE)
    assert len(text(ranged, "member")) == facts.people_count - 1000
    conn.unbind()


def test_samba_does_not_enforce_max_page_size(samba_ad_server: servers.DirectoryServer) -> None:
    """Windows AD would return 1000 entries and sizeLimitExceeded here; the importer's truncation
    handling is tested against the OpenLDAP limited reader instead."""
    facts = samba_ad_server.facts
    conn = samba_ad_server.connect()
    conn.search(facts.people_base_dn, facts.person_filter, attributes=["sAMAccountName"])
    assert conn.result["result"] == 0 and len(conn.response) == facts.people_count
    conn.unbind()


# --- all three -------------------------------------------------------------------------------

def test_non_ascii_names_round_trip(any_server: servers.DirectoryServer) -> None:
    facts = any_server.facts
    conn = any_server.connect()
    name_attribute = {"openldap": "cn", "edirectory": "fullName", "ad": "displayName"}[any_server.kind]
    for login in ("zoe.angstrom", "jiri.novacek", "lukasz.zolkiewski", "bjorn.overby", "hans.mueller"):
        person = facts.person(login)
        entry = one(conn, facts.people_base_dn, f"({facts.login_attribute}={login})", [name_attribute, "sn", "givenName", "description"])
        assert entry["dn"] == person.dn
        assert text(entry, name_attribute) == [person.full_name]
        assert text(entry, "sn") == [person.surname] and text(entry, "givenName") == [person.given_name]
        assert text(entry, "description") == ([person.description] if person.description else [])
        # A filter with non-ASCII characters finds the same entry (among namesakes).
        conn.search(facts.people_base_dn, f"({name_attribute}={escape_filter_chars(person.full_name)})", attributes=[name_attribute])
        assert person.dn in [found["dn"] for found in conn.response]
        assert all(text(found, name_attribute) == [person.full_name] for found in conn.response)
    conn.unbind()


def test_reader_cannot_write(any_server: servers.DirectoryServer) -> None:
    conn = any_server.connect()
    person = any_server.facts.person("chloe.dubois")
    assert not conn.modify(person.dn, {"description": [(ldap3.MODIFY_REPLACE, ["changed"])]})
    assert conn.result["description"] == "insufficientAccessRights"
    conn.unbind()


def test_tls_helper_can_skip_validation(openldap_server: servers.DirectoryServer) -> None:
    """``tls(validate=CERT_NONE)`` is there for negative tests of the product's own checks."""
    conn = openldap_server.connect(tls=openldap_server.tls(ca_cert="", validate=ssl.CERT_NONE))
    assert conn.bound
    conn.unbind()


def test_missing_packages_name_the_install_script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(servers.REQUIRED_FILES, "openldap", ("/nonexistent/slapd",))
    hint = servers.install_hint("openldap")
    assert hint and servers.INSTALL_SCRIPT in hint and "/nonexistent/slapd" in hint
    assert servers.install_hint("edirectory") is None
