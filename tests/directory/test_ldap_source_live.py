# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The directory source against real servers: Samba AD, eDirectory-shaped OpenLDAP, generic OpenLDAP.

Expected values come from the fixtures' ``DirectoryFacts``, never from the code under test.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import typing as t
import uuid

import ldap3
import pytest

import seed_data
import servers
from ansible_collections.kerio.connect.plugins.plugin_utils._ldap_source import DirectorySource, read_directory_source
from ansible_collections.kerio.connect.plugins.plugin_utils._records import DirectoryError

DOMAINS = (seed_data.TARGET_DOMAIN, seed_data.ALIAS_DOMAIN)
TYPES = {"ad": "active_directory", "edirectory": "edirectory", "openldap": "ldap"}
SAMPLES = f"(|{''.join(f'(%s={login})' for login in seed_data.SAMPLE_LOGINS)})"


def options(directory: servers.DirectoryServer, **changes: t.Any) -> dict[str, t.Any]:
    """LDAPS with the test CA, bound as the reader, from the people's container; ``changes`` on top."""
    base = {
        "type": TYPES[directory.kind], "server": [directory.host], "port": directory.ldaps_port, "tls_mode": "ldaps",
        "ca_cert": directory.ca_cert, "cert_validation": "always", "bind_user": directory.reader_bind,
        "bind_password": directory.reader_password, "search_base": directory.facts.people_base_dn,
        "timeout": 20.0,  # a float, as the module's argument spec passes it
    }
    return {**base, **changes}


def read(server_options: dict[str, t.Any], lines: list[str] | None = None) -> DirectorySource:
    return read_directory_source(server_options, target_domains=DOMAINS, log=None if lines is None else lines.append)


def samples_filter(server: servers.DirectoryServer) -> str:
    return SAMPLES.replace("%s", server.facts.login_attribute)


def failure(server_options: dict[str, t.Any]) -> str:
    with pytest.raises(DirectoryError) as raised:
        read(server_options)
    message = str(raised.value)
    if server_options.get("bind_password"):
        assert server_options["bind_password"] not in message
    return message


def assert_matches_facts(source: DirectorySource, facts: seed_data.DirectoryFacts, *, enabled: bool = True) -> None:
    """Every person of the facts, once, with the values the directory holds."""
    by_name = {record.name: record for record in source.records}
    assert len(by_name) == len(source.records) == facts.people_count
    assert set(by_name) == facts.logins
    for person in facts.people:
        record = by_name[person.login]
        assert record.origin.entry == person.dn
        assert record.full_name == person.full_name
        assert record.description == (person.description or "")
        assert sorted(record.addresses) == sorted(person.expected_addresses(DOMAINS)), person.login
        assert sorted(record.groups) == sorted(person.groups), person.login
        assert record.enabled == (person.enabled if enabled else None)


# --- Active Directory (Samba) ---------------------------------------------------------------

def test_ad_import_across_pages_is_complete(samba_ad_server: servers.DirectoryServer) -> None:
    facts = samba_ad_server.facts
    lines: list[str] = []
    source = read(options(samba_ad_server), lines)
    assert facts.people_count > 1000
    assert_matches_facts(source, facts)
    assert not source.skipped
    non_people = {item.dn for item in facts.non_people}  # the contact and the computer
    assert not non_people & {record.origin.entry for record in source.records}
    assert len([line for line in lines if line.startswith("page ")]) == -(-facts.people_count // 500)
    assert source.searches == [lines[0]] and " -W " in lines[0] and samba_ad_server.reader_password not in "\n".join(lines)


def test_ad_identities_are_guids_as_ad_writes_them(samba_ad_server: servers.DirectoryServer) -> None:
    source = read(options(samba_ad_server, filter=samples_filter(samba_ad_server)))
    assert len(source.identities) == len(seed_data.SAMPLE_LOGINS)
    conn = samba_ad_server.connect()
    for login, guid in source.identities.items():
        # AD resolves <GUID=...> in its own string form: the identity is the GUID the directory shows.
        assert conn.search(f"<GUID={guid}>", "(objectClass=*)", ldap3.BASE, attributes=["sAMAccountName"]), conn.result
        assert conn.response[0]["raw_attributes"]["sAMAccountName"] == [login.encode()]
        assert str(uuid.UUID(guid)) == guid
    conn.unbind()


def test_ad_domain_root_leaves_out_the_critical_system_accounts(samba_ad_server: servers.DirectoryServer) -> None:
    facts = samba_ad_server.facts
    lines: list[str] = []
    source = read(options(samba_ad_server, search_base=None, domain_name=seed_data.AD_REALM.lower()), lines)
    assert source.source == f"active_directory ldaps://{samba_ad_server.host}:636 ({seed_data.AD_BASE_DN})"
    critical = set(seed_data.AD_BUILTIN_ACCOUNTS)  # Samba marks its DNS account critical as well
    assert {record.name for record in source.records} == facts.logins | (set(facts.other_accounts) - critical)


def test_ad_sample_addresses_and_states(samba_ad_server: servers.DirectoryServer) -> None:
    lines: list[str] = []
    source = read(options(samba_ad_server, filter=samples_filter(samba_ad_server)), lines)
    records = {record.name: record for record in source.records}
    assert records["zoe.angstrom"].addresses == ("zoe",)  # the X500: proxy address is no mail address
    assert records["jiri.novacek"].addresses == ()  # other.test and the SIP: address are dropped ...
    assert any("jiri.novacek@other.test" in line and "not imported" in line for line in lines)  # ... and said so at -vvv
    assert records["hans.mueller"].enabled is False and records["hans.mueller"].full_name == "Hans Müller, Jr."
    assert records["lukasz.zolkiewski"].full_name == "Łukasz Żółkiewski"


@pytest.mark.parametrize("bind", ["upn", "down-level", "dn", "user name"])
def test_ad_bind_forms(samba_ad_server: servers.DirectoryServer, bind: str) -> None:
    user = {"upn": samba_ad_server.reader_upn, "down-level": f"{seed_data.AD_DOMAIN}\\{seed_data.AD_READER_LOGIN}",
            "dn": samba_ad_server.reader_dn, "user name": seed_data.AD_READER_LOGIN}[bind]
    # A user name alone is bound as user@domain_name, as Kerio's import dialog does.
    source = read(options(samba_ad_server, bind_user=user, domain_name=seed_data.AD_REALM.lower(), filter="(sAMAccountName=zoe.angstrom)"))
    assert [record.name for record in source.records] == ["zoe.angstrom"]


def test_ad_disabled_users_skipped(samba_ad_server: servers.DirectoryServer) -> None:
    facts = samba_ad_server.facts
    source = read(options(samba_ad_server, disabled_users="skip"))
    assert len(source.records) == facts.enabled_count
    assert {error.origin.entry for error in source.skipped} == {person.dn for person in facts.people if person.disabled}
    assert all("disabled" in error.message for error in source.skipped)


def test_ad_wrong_password(samba_ad_server: servers.DirectoryServer) -> None:
    message = failure(options(samba_ad_server, bind_password="Not-The-Password-1!"))
    assert f"invalid credentials for {samba_ad_server.reader_upn}" in message and "Not-The-Password-1!" not in message


def test_ad_start_tls(samba_ad_server: servers.DirectoryServer) -> None:
    source = read(options(samba_ad_server, tls_mode="start_tls", port=samba_ad_server.ldap_port, filter=samples_filter(samba_ad_server)))
    assert len(source.records) == len(seed_data.SAMPLE_LOGINS)
    assert source.searches[0].startswith(f"LDAPTLS_CACERT={samba_ad_server.ca_cert} ldapsearch -H ldap://{samba_ad_server.host}:389 -x -ZZ ")


def test_ad_plaintext_bind_needs_tls(samba_ad_server: servers.DirectoryServer) -> None:
    message = failure(options(samba_ad_server, tls_mode="none", allow_plaintext=True, port=samba_ad_server.ldap_port))
    assert "requires an encrypted connection" in message and "ldaps or start_tls" in message


def test_ad_ldaps_without_the_ca(samba_ad_server: servers.DirectoryServer) -> None:
    message = failure(options(samba_ad_server, ca_cert=None))
    assert "could not be verified" in message and "ca_cert" in message
    assert read(options(samba_ad_server, ca_cert=None, cert_validation="ignore", filter="(sAMAccountName=zoe.angstrom)")).records


# --- eDirectory (OpenLDAP shaped as eDirectory) ---------------------------------------------

def test_edirectory_import(edirectory_server: servers.DirectoryServer) -> None:
    facts = edirectory_server.facts
    source = read(options(edirectory_server, search_base=None, organization="Example"))
    assert source.source.endswith(f"({facts.base_dn})")
    assert_matches_facts(source, facts)
    assert sum(1 for record in source.records if record.enabled is False) == facts.disabled_count > 0
    for person in facts.people:
        assert source.identities[person.login] == str(uuid.UUID(bytes=person.guid))


def test_edirectory_disabled_users_skipped(edirectory_server: servers.DirectoryServer) -> None:
    facts = edirectory_server.facts
    source = read(options(edirectory_server, disabled_users="skip"))
    assert len(source.records) == facts.enabled_count and len(source.skipped) == facts.disabled_count


# --- generic OpenLDAP -------------------------------------------------------------------------

def test_generic_ten_thousand_users(openldap_server: servers.DirectoryServer) -> None:
    facts = openldap_server.facts
    lines: list[str] = []
    source = read(options(openldap_server), lines)
    assert facts.people_count >= 10000
    assert_matches_facts(source, facts, enabled=False)
    assert any(not record.full_name.isascii() for record in source.records)
    assert len(source.identities) == facts.people_count
    assert lines[-1].endswith(f"{facts.people_count} users from {facts.people_count} entries, 0 entries or addresses not imported")


def test_generic_disabled_attribute(openldap_server: servers.DirectoryServer) -> None:
    facts = openldap_server.facts
    mapped = {"disabled": seed_data.GENERIC_DISABLED_ATTRIBUTE}
    source = read(options(openldap_server, attribute_map=mapped, filter=samples_filter(openldap_server)))
    states = {record.name: record.enabled for record in source.records}
    assert states == {login: facts.person(login).enabled for login in seed_data.SAMPLE_LOGINS}
    source = read(options(openldap_server, attribute_map=mapped, disabled_users="skip"))
    assert len(source.records) == facts.enabled_count and len(source.skipped) == facts.disabled_count


def test_generic_login_transliteration(openldap_server: servers.DirectoryServer) -> None:
    lines: list[str] = []
    chosen = "(|(uid=jiri.novacek)(uid=bjorn.overby)(uid=lukasz.zolkiewski))"
    source = read(options(openldap_server, attribute_map={"login": "sn"}, filter=chosen), lines)
    assert sorted(record.name for record in source.records) == ["Novacek", "Overby", "Zolkiewski"]
    assert any("'Nováček' imported as 'Novacek'" in line for line in lines)
    # A full name with a space cannot be a login: reported with the DN, not dropped.
    source = read(options(openldap_server, attribute_map={"login": "cn"}, filter=chosen))
    assert not source.records and len(source.skipped) == 3
    assert all("uid=" in error.origin.entry and "not valid" in error.message for error in source.skipped)


def test_generic_addresses_outside_the_domains_are_dropped(openldap_server: servers.DirectoryServer) -> None:
    facts = openldap_server.facts
    source = read(options(openldap_server))
    records = {record.name: record for record in source.records}
    foreign = facts.people_with_address_in(seed_data.FOREIGN_DOMAIN)
    assert foreign
    for person in foreign:
        assert not any(seed_data.FOREIGN_DOMAIN in local for local in records[person.login].addresses)
        assert records[person.login].addresses == person.expected_addresses(DOMAINS)
    assert records["chloe.dubois"].addresses == ()  # other.test primary dropped, the example.com one is the login


def test_generic_truncated_search_is_an_error(openldap_server: servers.DirectoryServer) -> None:
    facts = openldap_server.facts
    message = failure(options(openldap_server, bind_user=openldap_server.limited_reader_dn))
    assert "sizeLimitExceeded" in message and f"after {facts.truncation_limit} entries" in message and "nothing is imported" in message


@pytest.mark.parametrize("mode", ["ldaps", "start_tls"])
def test_generic_tls_needs_the_ca_unless_ignored(openldap_server: servers.DirectoryServer, mode: str) -> None:
    port = openldap_server.ldaps_port if mode == "ldaps" else openldap_server.ldap_port
    chosen = {"tls_mode": mode, "port": port, "filter": samples_filter(openldap_server)}
    assert len(read(options(openldap_server, **chosen)).records) == len(seed_data.SAMPLE_LOGINS)
    message = failure(options(openldap_server, ca_cert=None, **chosen))
    assert "could not be verified" in message and "ca_cert" in message
    assert len(read(options(openldap_server, ca_cert=None, cert_validation="ignore", **chosen)).records) == len(seed_data.SAMPLE_LOGINS)
    assert len(read(options(openldap_server, cert_validation="ignore_hostname", **chosen)).records) == len(seed_data.SAMPLE_LOGINS)


@contextlib.contextmanager
def forwarded(port: int, address: str = "127.0.0.2") -> t.Iterator[int]:
    """A TCP forwarder from ``address`` (a loopback address the certificates do not name) to 127.0.0.1:``port``."""
    listener = socket.create_server((address, 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def pipe(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def accept() -> None:
        while not stop.is_set():
            try:
                client, _peer = listener.accept()
            except (socket.timeout, OSError):
                continue
            upstream = socket.create_connection(("127.0.0.1", port))
            for ends in ((client, upstream), (upstream, client)):
                threading.Thread(target=pipe, args=ends, daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def test_a_certificate_for_another_address_is_refused(openldap_server: servers.DirectoryServer) -> None:
    """cert_validation always checks the address given (here 127.0.0.2) against the certificate (127.0.0.1, localhost)."""
    with forwarded(openldap_server.ldaps_port) as port:
        chosen = options(openldap_server, server=["127.0.0.2"], port=port, filter=samples_filter(openldap_server))
        message = failure(chosen)
        assert "127.0.0.2" in message and "does not name the server" in message and "ignore_hostname" in message
        assert len(read({**chosen, "cert_validation": "ignore_hostname"}).records) == len(seed_data.SAMPLE_LOGINS)


def test_generic_certificate_by_name(openldap_server: servers.DirectoryServer) -> None:
    chosen = options(openldap_server, server=[openldap_server.tls_name], filter=samples_filter(openldap_server))
    try:
        assert len(read(chosen).records) == len(seed_data.SAMPLE_LOGINS)
    except DirectoryError as error:  # "localhost" may resolve to ::1 first, where slapd does not listen
        pytest.fail(f"localhost does not reach 127.0.0.1 here: {error}")


def test_generic_wrong_password(openldap_server: servers.DirectoryServer) -> None:
    message = failure(options(openldap_server, bind_password="Not-The-Password-1!"))
    assert f"invalid credentials for {openldap_server.reader_dn}" in message and "Not-The-Password-1!" not in message


def test_closed_port_fails_fast(openldap_server: servers.DirectoryServer) -> None:
    closed = servers.free_port()
    started = time.monotonic()
    message = failure(options(openldap_server, port=closed, timeout=1.5))
    assert time.monotonic() - started < 5
    assert f"127.0.0.1:{closed}" in message and "check server, port" in message and "firewall" in message


def test_dead_first_server_falls_over(openldap_server: servers.DirectoryServer) -> None:
    # slapd listens on 127.0.0.1 only: 127.0.0.3 refuses at once, the next server answers.
    started = time.monotonic()
    source = read(options(openldap_server, server=["127.0.0.3", openldap_server.host], filter=samples_filter(openldap_server)))
    assert len(source.records) == len(seed_data.SAMPLE_LOGINS) and time.monotonic() - started < 5
    assert source.searches[0].startswith(f"LDAPTLS_CACERT={openldap_server.ca_cert} ldapsearch -H ldaps://127.0.0.1:")


def test_a_first_server_that_hangs_gives_way_to_the_next(openldap_server: servers.DirectoryServer) -> None:
    # 127.0.0.2 takes the connection on the directory's port and never answers, as a hung server does.
    with socket.create_server(("127.0.0.2", openldap_server.ldaps_port)):
        started = time.monotonic()
        source = read(options(openldap_server, server=["127.0.0.2", openldap_server.host], timeout=2, filter=samples_filter(openldap_server)))
    assert len(source.records) == len(seed_data.SAMPLE_LOGINS) and time.monotonic() - started < 10
    assert source.searches[0].startswith(f"LDAPTLS_CACERT={openldap_server.ca_cert} ldapsearch -H ldaps://127.0.0.1:")


def test_malformed_filter(openldap_server: servers.DirectoryServer) -> None:
    message = failure(options(openldap_server, filter="(&(uid=a)(mail=*)"))
    assert "'(&(uid=a)(mail=*)'" in message and "not valid" in message


def test_anonymous_bind_that_sees_nothing_is_an_error(openldap_server: servers.DirectoryServer) -> None:
    # slapd hides the base from anonymous users (noSuchObject); under a visible base they would find no one.
    message = failure(options(openldap_server, bind_user=None, bind_password=None))
    assert "does not exist, or an anonymous bind may not see it" in message


def test_a_filter_that_selects_no_one_is_an_error(openldap_server: servers.DirectoryServer) -> None:
    message = failure(options(openldap_server, filter="(uid=nobody-by-this-name)"))
    assert "found no entries" in message and "check search_base and filter" in message
