# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Directory sources without a server: options, filters, mapping, the log line, paging and referrals.

End to end runs use ldap3's MOCK_SYNC strategy in place of a network connection; the real servers
are in tests/directory/test_ldap_source.py.
"""

from __future__ import annotations

import dataclasses
import uuid

import ldap3
import pytest

from ansible_collections.kerio.connect.plugins.plugin_utils import _ldap_connection as connection
from ansible_collections.kerio.connect.plugins.plugin_utils import _ldap_mapping as mapping
from ansible_collections.kerio.connect.plugins.plugin_utils import _ldap_search as search
from ansible_collections.kerio.connect.plugins.plugin_utils import _ldap_source as source
from ansible_collections.kerio.connect.plugins.plugin_utils._ldap_source import read_directory_source
from ansible_collections.kerio.connect.plugins.plugin_utils._records import DirectoryError, InputError

PASSWORD = "S3cret-Bind-Pw!"
DOMAINS = ("example.com", "example.org")
AD_OPTIONS = {"type": "active_directory", "server": ["dc1.example.test"], "domain_name": "example.test",
              "bind_user": "EXAMPLE\\reader", "bind_password": PASSWORD}


def entry(dn: str, **attributes) -> dict:
    """A raw entry as ldap3 returns it (values as lists of bytes)."""
    raw = {name: [value if isinstance(value, bytes) else str(value).encode("utf-8") for value in (values if isinstance(values, list) else [values])]
           for name, values in attributes.items()}
    return {"type": "searchResEntry", "dn": dn, "raw_attributes": raw}


def ad_mapping() -> mapping.Mapping:
    return source.DEFAULTS[source.ACTIVE_DIRECTORY].mapping


# --- login names ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("Nováček", "Novacek"), ("  jdoe  ", "jdoe"), ("Straße", "Strasse"), ("Øverby", "Overby"), ("øre", "ore"), ("Æsir", "AEsir"),
    ("Łukasz.Żółkiewski", "Lukasz.Zolkiewski"), ("Zoë.Ångström", "Zoe.Angstrom"), ("ＡＢＣ", "ABC"), ("Þór", "THor"),
])
def test_logins_fold_to_ascii_where_unambiguous(value, expected):
    assert mapping.normalise_login(value) == expected


@pytest.mark.parametrize("value", ["Иван", "山田", "john smith", "a@b"])
def test_logins_that_do_not_fold_stay_invalid(value):
    problem, identity = mapping.EntryMapper(ad_mapping(), "src", DOMAINS).map(entry("CN=x,DC=t", sAMAccountName=value), [])
    assert isinstance(problem, InputError) and identity is None
    assert problem.origin.entry == "CN=x,DC=t" and value in problem.message and "sAMAccountName" in problem.message


# --- values --------------------------------------------------------------------------------

@pytest.mark.parametrize("dn, expected", [
    ("CN=Hans Müller\\, Jr.,OU=Zürich,DC=example,DC=test", ("CN", "Hans Müller, Jr.")),
    ("cn=M\\C3\\BCller,o=x", ("cn", "Müller")),
    ("cn=a+uid=b,o=x", ("cn", "a")),
    ("CN=VPN Users,OU=Groups,DC=example,DC=test", ("CN", "VPN Users")),
    ("cn=\\#hash\\=eq,o=x", ("cn", "#hash=eq")),
])
def test_first_rdn_unescapes(dn, expected):
    assert mapping.first_rdn(dn) == expected


def test_group_names_are_first_rdn_values_case_kept_and_unique():
    values = ["CN=VPN Users,OU=Groups,DC=x", "cn=vpn users,ou=other,dc=x", "CN=Finance\\, EMEA,DC=x", "plain-group", " "]
    assert mapping.group_names(values) == ("VPN Users", "Finance, EMEA", "plain-group")


def test_only_smtp_proxy_addresses_are_mail():
    values = ["SMTP:Primary@Example.com", "smtp:alias@example.org", "X500:/o=Exchange/cn=x", "SIP:primary@example.com", "plain@example.com"]
    assert mapping.smtp_addresses(values) == ["Primary@Example.com", "alias@example.org", "plain@example.com"]


def test_addresses_keep_target_domains_as_local_parts_without_the_login():
    notes = []
    addresses = ["jdoe@example.com", "John.Doe@EXAMPLE.ORG", "john.doe@example.com", "jd@other.test", "nodomain"]
    found = mapping.local_parts_in_target_domains(addresses, "JDoe", DOMAINS, notes.append)
    assert found == ("John.Doe",)
    assert any("jd@other.test" in note and "not in example.com or example.org" in note for note in notes)
    assert any("nodomain" in note for note in notes)


@pytest.mark.parametrize("attribute, values, disabled", [
    ("userAccountControl", ["514"], True), ("userAccountControl", ["512"], False), ("userAccountControl", ["66050"], True),
    ("userAccountControl", ["66048"], False), ("loginDisabled", ["TRUE"], True), ("loginDisabled", ["FALSE"], False),
    ("employeeType", ["contractor", "Disabled"], True), ("employeeType", ["contractor"], False), ("x", ["yes"], True), ("x", ["1"], True),
])
def test_disabled_rules(attribute, values, disabled):
    assert mapping.is_disabled(attribute, values) is disabled


def test_identities_as_text():
    guid = uuid.UUID("01234567-89ab-cdef-0123-456789abcdef")
    assert mapping.identity_text("objectGUID", guid.bytes_le) == str(guid)  # AD's display order
    assert mapping.identity_text("GUID", guid.bytes) == str(guid)
    assert mapping.identity_text("entryUUID", b"9817799a-7c88-1041-964d-9fe8f0f914e5") == "9817799a-7c88-1041-964d-9fe8f0f914e5"
    assert mapping.identity_text("nsUniqueId", b"\x00\x01\x02") == "000102"


# --- entries to records --------------------------------------------------------------------

def test_an_ad_entry_becomes_a_record():  # pylint: disable=too-many-locals
    guid = uuid.uuid4()
    item = entry(
        "CN=Jiří Nováček,OU=Praha,OU=Staff,DC=example,DC=test", sAMAccountName="Nováček", displayName="Jiří Nováček", description="Vývoj",
        mail="jiri@example.com",
        proxyAddresses=["SMTP:jiri@example.com", "smtp:novacek@example.com", "smtp:j.novacek@example.org", "smtp:jiri@other.test", "X500:/o=x"],
        memberOf=["CN=Finance,OU=Groups,DC=example,DC=test", "CN=VPN Users,OU=Groups,DC=example,DC=test"], userAccountControl="514",
        objectGUID=guid.bytes_le,
    )
    notes = []
    mapped = mapping.EntryMapper(ad_mapping(), "ad", DOMAINS, notes.append).map_all([item])
    (record,) = mapped.records
    assert record.name == "Novacek" and record.full_name == "Jiří Nováček" and record.description == "Vývoj"
    assert record.addresses == ("jiri", "j.novacek") and record.groups == ("Finance", "VPN Users") and record.enabled is False
    assert record.origin.source == "ad" and record.origin.entry == item["dn"]
    assert mapped.identities == {"novacek": str(guid)}
    assert any("imported as 'Novacek'" in note for note in notes) and any("jiri@other.test" in note for note in notes)


def test_an_address_kerio_would_refuse_is_left_out_and_reported_not_the_whole_import():
    item = entry("CN=Bad Mail,DC=example,DC=test", sAMAccountName="bad.mail", mail="bad mail@example.com",
                 proxyAddresses=["smtp:b.mail@example.com", "smtp:jürgen@example.com", "smtp:jd@x@example.com"])
    mapped = mapping.EntryMapper(ad_mapping(), "ad", DOMAINS).map_all([item])
    (record,) = mapped.records
    assert record.addresses == ("b.mail",)
    assert [(str(problem.origin), problem.message.split(":")[0]) for problem in mapped.skipped] == [
        ("ad, CN=Bad Mail,DC=example,DC=test", "the address 'bad mail' is not valid"),
        ("ad, CN=Bad Mail,DC=example,DC=test", "the address 'jürgen' is not valid"),
        ("ad, CN=Bad Mail,DC=example,DC=test", "the address 'jd@x' (before its domain) holds an '@'; the address is left out of the user"),
    ]
    assert all(problem.message.endswith("; the address is left out of the user") for problem in mapped.skipped)


def test_an_ad_account_without_a_display_name_takes_its_cn_as_full_name():
    (record,) = mapping.EntryMapper(ad_mapping(), "ad", DOMAINS).map_all([entry("CN=Script Made,DC=t", sAMAccountName="s.made", cn="Script Made")]).records
    assert record.full_name == "Script Made"


def test_a_blank_display_name_gives_way_to_the_cn_as_a_missing_one_does():
    entries = [entry("CN=Real Name,DC=t", sAMAccountName="r.name", displayName=" ", cn="Real Name"),
               entry("CN=No Name,DC=t", sAMAccountName="n.name", displayName="", cn=" ")]
    real, nameless = mapping.EntryMapper(ad_mapping(), "ad", DOMAINS).map_all(entries).records
    assert real.full_name == "Real Name"
    assert nameless.full_name == ""  # declared empty, as when neither attribute is there


def test_missing_attributes_are_declared_empty_and_unmapped_fields_unmanaged():
    generic = source.DEFAULTS[source.GENERIC_LDAP].mapping
    (record,) = mapping.EntryMapper(generic, "s", DOMAINS).map_all([entry("uid=a,o=x", uid="a", cn="Anna A")]).records
    assert record.full_name == "Anna A"  # cn when there is no displayName
    assert record.description == "" and record.addresses == () and record.groups == ()
    assert record.enabled is None  # generic LDAP has no account state unless attribute_map names one
    unmanaged = dataclasses.replace(generic, description=(), mail=(), groups=())
    (record,) = mapping.EntryMapper(unmanaged, "s", DOMAINS).map_all([entry("uid=a,o=x", uid="a", description="d")]).records
    assert record.description is None and record.addresses is None and record.groups is None


def test_the_login_prefers_the_value_that_names_the_entry():
    edir = source.DEFAULTS[source.EDIRECTORY].mapping
    named = entry("cn=jdoe,ou=Praha,o=Example", cn=["John Doe", "jdoe"], loginDisabled="FALSE")
    (record,) = mapping.EntryMapper(edir, "s", DOMAINS).map_all([named]).records
    assert record.name == "jdoe" and record.enabled is True
    (record,) = mapping.EntryMapper(edir, "s", DOMAINS).map_all([entry("uid=jdoe,o=Example", uid="jdoe")]).records  # no cn: uid
    assert record.name == "jdoe"
    # A tree that names users by uid: cn, mandatory, holds the full name, which is no login name.
    (record,) = mapping.EntryMapper(edir, "s", DOMAINS).map_all([entry("uid=jane.roe,o=Example", uid="jane.roe", cn="Jane Roe")]).records
    assert record.name == "jane.roe"
    (skipped,) = mapping.EntryMapper(edir, "s", DOMAINS).map_all([entry("cn=Jane Roe,o=Example", cn="Jane Roe")]).skipped
    assert "(cn 'Jane Roe'); it is not imported" in skipped.message


def test_unusable_and_disabled_entries_are_reported_not_dropped():
    entries = [
        entry("CN=No Login,DC=t", displayName="No Login"),
        entry("CN=Empty,DC=t", sAMAccountName="  "),
        entry("CN=Off,DC=t", sAMAccountName="off", userAccountControl="514"),
        entry("CN=On,DC=t", sAMAccountName="on", userAccountControl="512"),
    ]
    mapped = mapping.EntryMapper(ad_mapping(), "s", DOMAINS).map_all(entries, skip_disabled=True)
    assert [record.name for record in mapped.records] == ["on"]
    reasons = {error.origin.entry: error.message for error in mapped.skipped}
    assert "has no sAMAccountName" in reasons["CN=No Login,DC=t"]
    assert "empty" in reasons["CN=Empty,DC=t"]
    assert "disabled" in reasons["CN=Off,DC=t"] and "skip" in reasons["CN=Off,DC=t"]


def test_ranged_attributes_are_merged():
    values = mapping.entry_values({"memberOf;range=0-1": [b"cn=a,o=x"], "MEMBEROF": [b"cn=b,o=x"]})
    assert values == {"memberof": [b"cn=a,o=x", b"cn=b,o=x"]}


# --- options -------------------------------------------------------------------------------

@pytest.mark.parametrize("options, base", [
    ({"type": "active_directory", "domain_name": "corp.example.com"}, "DC=corp,DC=example,DC=com"),
    ({"type": "active_directory", "domain_name": "corp.example.com", "search_base": "OU=Staff,DC=corp,DC=example,DC=com"},
     "OU=Staff,DC=corp,DC=example,DC=com"),
    ({"type": "edirectory", "organization": "Acme, Inc"}, "o=Acme\\, Inc"),
    ({"type": "ldap", "search_base": "dc=example,dc=test"}, "dc=example,dc=test"),
])
def test_search_bases(options, base):
    assert source.search_base(options) == base


@pytest.mark.parametrize("kind, needs", [("active_directory", "domain_name"), ("edirectory", "organization"), ("ldap", "search_base")])
def test_a_search_base_is_required(kind, needs):
    with pytest.raises(DirectoryError, match=needs):
        source.search_base({"type": kind})


@pytest.mark.parametrize("custom", ["mail=*", "(mail=*)", " (mail=*) ", "(|(mail=*)(department=IT))"])
def test_custom_filters_narrow_the_person_filter(custom):
    combined = source.combined_filter("(objectClass=inetOrgPerson)", custom)
    inner = custom.strip() if custom.strip().startswith("(") else f"({custom})"
    assert combined == f"(&(objectClass=inetOrgPerson){inner})"


@pytest.mark.parametrize("custom", ["(mail=*", "(mail=*))", "(&(a=b)(c=(d))", "(a=b)(c=d"])
def test_malformed_filters_are_named(custom):
    with pytest.raises(DirectoryError) as raised:
        source.combined_filter("(objectClass=user)", custom)
    assert repr(custom) in str(raised.value) and "not valid" in str(raised.value)


def test_defaults_for_active_directory():
    config = source.directory_config(AD_OPTIONS)
    assert config.settings.port == 636 and config.settings.tls_mode == "ldaps" and config.settings.cert_validation == "always"
    assert config.request.page_size == 500 and config.request.base == "DC=example,DC=test"
    assert config.request.filter == "(&(objectCategory=person)(objectClass=user)(!(isCriticalSystemObject=TRUE)))"
    assert config.display == "active_directory ldaps://dc1.example.test:636 (DC=example,DC=test)"
    assert config.request.attributes == ("sAMAccountName", "displayName", "cn", "description", "mail", "proxyAddresses", "memberOf",
                                         "userAccountControl", "objectGUID")


@pytest.mark.parametrize("changes, words", [
    ({"tls_mode": "none"}, "allow_plaintext"),
    ({"tls_mode": "smoke"}, "tls_mode"),
    ({"cert_validation": "sometimes"}, "cert_validation"),
    ({"bind_password": None}, "bind_password is empty"),
    ({"bind_user": None}, "bind_user is not"),
    ({"bind_user": " "}, "bind_user is blank"),
    ({"server": []}, "server is empty"),
    ({"server": ["ldaps://dc1:636"]}, "host name or IP address only"),
    ({"server": ["dc1.example.test:636"]}, "server 'dc1.example.test:636': give a host name or IP address only; the port"),
    ({"server": ["dc1", "127.0.0.1:1"]}, "server '127.0.0.1:1': give a host name"),
    ({"server": [":::"]}, "server ':::'"), ({"server": ["-"]}, "server '-'"), ({"server": ["a..b"]}, "server 'a..b'"),
    ({"server": ["[2001:db8::5]"]}, "server '[2001:db8::5]'"),
    ({"port": 70000}, "port"),
    ({"page_size": 0}, "page_size"),
    ({"attribute_map": {"surname": "sn"}}, "unknown keys surname"),
    ({"attribute_map": {"mail": "mail)(uid=*"}}, "not an LDAP attribute name"),
    ({"attribute_map": {"mail": "mail\n"}}, "not an LDAP attribute name"),
    ({"attribute_map": {"login": None}}, "login cannot be empty"),
    ({"disabled_users": "hide"}, "disabled_users"),
    ({"type": "nis"}, "directory type"),
])
def test_bad_options_fail_clearly_without_the_password(changes, words):
    with pytest.raises(DirectoryError) as raised:
        source.directory_config({**AD_OPTIONS, **changes})
    assert words in str(raised.value) and PASSWORD not in str(raised.value)


def test_a_server_holding_credentials_is_refused_without_showing_them():
    with pytest.raises(DirectoryError) as raised:
        source.directory_config({**AD_OPTIONS, "server": ["ldap://reader:B1nd-S3cret-xyz@127.0.0.1:1"]})
    assert "a server: give a host name or IP address only" in str(raised.value) and "B1nd-S3cret-xyz" not in str(raised.value)


@pytest.mark.parametrize("server", ["dc1", "dc1.example.test", "dc1.example.test.", "ad_dc-2.corp.example.test", "192.0.2.7", "2001:db8::5",
                                    "fe80::1%eth0"])
def test_host_names_and_addresses_are_servers(server):
    assert source.directory_config({**AD_OPTIONS, "server": [server]}).settings.hosts == (server,)


@pytest.mark.parametrize("changes, bind", [
    ({"bind_user": "reader"}, "reader@example.test"),  # as Kerio's dialog takes a user name
    ({"bind_user": " reader ", "domain_name": "Example.Test."}, "reader@Example.Test"),
    ({"bind_user": "reader@corp.example.test"}, "reader@corp.example.test"),
    ({"bind_user": "EXAMPLE\\reader"}, "EXAMPLE\\reader"),
    ({"bind_user": "CN=Reader,CN=Users,DC=example,DC=test"}, "CN=Reader,CN=Users,DC=example,DC=test"),
    ({"type": "edirectory", "organization": "Example", "bind_user": "cn=reader,o=Example"}, "cn=reader,o=Example"),
    ({"bind_user": None, "bind_password": None}, None),
])
def test_bind_names(changes, bind):
    assert source.directory_config({**AD_OPTIONS, **changes}).settings.bind_user == bind


@pytest.mark.parametrize("changes, words", [
    ({"type": "edirectory", "organization": "Example", "bind_user": "reader"}, "give the account's full DN"),
    ({"type": "ldap", "search_base": "dc=example,dc=test", "bind_user": "reader"}, "give the account's full DN"),
    ({"domain_name": None, "search_base": "DC=example,DC=test", "bind_user": "reader"}, "give user@domain, DOMAIN\\user or a DN"),
])
def test_a_plain_user_name_that_cannot_be_bound_as_is_refused_before_connecting(changes, words):
    with pytest.raises(DirectoryError, match="bind_user 'reader' is a plain user name") as raised:
        source.directory_config({**AD_OPTIONS, **changes})
    assert words in str(raised.value)


def test_numbers_keep_their_kind():
    settings = source.directory_config({**AD_OPTIONS, "timeout": 2.5, "port": 3269}).settings
    assert settings.timeout == 2.5 and settings.port == 3269
    assert source.directory_config({**AD_OPTIONS, "page_size": 1000}).request.page_size == 1000


def test_plaintext_needs_consent_and_defaults_to_389():
    config = source.directory_config({**AD_OPTIONS, "tls_mode": "none", "allow_plaintext": True})
    assert config.settings.port == 389
    assert source.directory_config({**AD_OPTIONS, "tls_mode": "start_tls"}).settings.port == 389


def test_attribute_map_overrides_and_lists():
    config = source.directory_config({**AD_OPTIONS, "attribute_map": {"login": "userPrincipalName", "groups": None, "mail": ["mail", "otherMailbox"]}})
    assert config.mapping.login == ("userPrincipalName",) and not config.mapping.groups and config.mapping.mail == ("mail", "otherMailbox")
    assert "memberOf" not in config.request.attributes


def test_the_password_stays_out_of_reprs():
    config = source.directory_config(AD_OPTIONS)
    assert PASSWORD not in repr(config) and PASSWORD not in repr(config.settings)


# --- the replayable command line -----------------------------------------------------------

def test_ldapsearch_line_for_ldaps_with_a_bind():
    config = source.directory_config({**AD_OPTIONS, "ca_cert": "/etc/ssl/ad ca.pem", "filter": "(sn=O'Brien)"})
    line = search.ldapsearch_command(config.settings, "ldaps://dc1.example.test:636", config.request)
    assert line == ("LDAPTLS_CACERT='/etc/ssl/ad ca.pem' ldapsearch -H ldaps://dc1.example.test:636 -x -D 'EXAMPLE\\reader' -W "
                    "-b 'DC=example,DC=test' -E pr=500/noprompt "
                    "'(&(&(objectCategory=person)(objectClass=user)(!(isCriticalSystemObject=TRUE)))(sn=O'\"'\"'Brien))' "
                    "sAMAccountName displayName cn description mail proxyAddresses memberOf userAccountControl objectGUID")
    assert PASSWORD not in line


def test_ldapsearch_line_for_start_tls_anonymous_and_no_validation():
    options = {"type": "ldap", "server": ["ldap1"], "search_base": "dc=x", "tls_mode": "start_tls", "cert_validation": "ignore"}
    config = source.directory_config(options)
    line = search.ldapsearch_command(config.settings, "ldap://ldap1:389", config.request)
    assert line.startswith("LDAPTLS_REQCERT=never ldapsearch -H ldap://ldap1:389 -x -ZZ -b 'dc=x' -E pr=500/noprompt ")
    assert " -D " not in line and " -W" not in line


# --- paging, limits, referrals (a fake connection) -----------------------------------------

class FakeConnection:
    """Answers each search with the next scripted page: (entries, result code, cookie, references)."""

    def __init__(self, pages, host="dc1", port=636):
        self.pages = list(pages)
        self.server = dataclasses.make_dataclass("S", ["host", "port"])(host, port)
        self.searches = []
        self.result = self.response = None
        self.unbound = False

    def search(self, base, search_filter, **kwargs):
        self.searches.append((base, search_filter, kwargs))
        entries, code, cookie, references = self.pages.pop(0)
        controls = {search.PAGED_RESULTS_OID: {"value": {"size": 0, "cookie": cookie}}}
        self.result = {"result": code, "description": {0: "success", 4: "sizeLimitExceeded", 10: "referral", 32: "noSuchObject"}[code],
                       "message": "", "controls": controls, "referrals": references if code == 10 else None}
        self.response = [*entries, *({"type": "searchResRef", "uri": [uri]} for uri in (references if code == 0 else ()))]
        return code == 0

    def unbind(self):
        self.unbound = True


def users(*names):
    return [entry(f"CN={name},DC=example,DC=test", sAMAccountName=name) for name in names]


SETTINGS = connection.ConnectionSettings(hosts=("dc1",), port=636, bind_user="reader@example.test", bind_password=PASSWORD)
REQUEST = search.SearchRequest("DC=example,DC=test", "(objectClass=user)", ("sAMAccountName",), page_size=2)


def test_pages_are_followed_to_the_end_and_logged():
    conn = FakeConnection([(users("a", "b"), 0, b"c1", ()), (users("c", "d"), 0, b"c2", ()), (users("e"), 0, b"", ())])
    lines = []
    found = list(search.paged_entries(conn, SETTINGS, REQUEST, lines.append, []))
    assert [item["dn"][3] for item in found] == list("abcde")
    assert [call[2]["paged_cookie"] for call in conn.searches] == [None, b"c1", b"c2"]
    assert all(call[2]["paged_size"] == 2 for call in conn.searches)
    assert lines[:3] == ["page 1: 2 entries (2 so far)", "page 2: 2 entries (4 so far)", "page 3: 1 entries (5 so far)"]
    assert lines[3].startswith("5 entries in 3 pages from ldaps://dc1:636")


def test_a_constant_cookie_is_fine_while_pages_bring_new_entries():
    # Samba sends its search's id as the cookie of every page.
    conn = FakeConnection([(users("a", "b"), 0, b"1\x00", ()), (users("c", "d"), 0, b"1\x00", ()), (users("e"), 0, b"", ())])
    assert len(list(search.paged_entries(conn, SETTINGS, REQUEST, lambda line: None, []))) == 5


@pytest.mark.parametrize("third, words", [
    ((users("a", "b"), 0, b"c2", ()), "sent CN=a,DC=example,DC=test twice (page 3, 6 entries)"),
    (([], 0, b"c2", ()), "same paging cookie again with no new entries"),
])
def test_a_server_going_round_in_circles_stops_the_import(third, words):
    conn = FakeConnection([(users("a", "b"), 0, b"c1", ()), (users("c", "d"), 0, b"c2", ()), third, (users("x"), 0, b"", ())])
    with pytest.raises(DirectoryError) as raised:
        list(search.paged_entries(conn, SETTINGS, REQUEST, lambda line: None, []))
    assert words in str(raised.value) and "nothing is imported" in str(raised.value)
    assert len(conn.searches) == 3


def test_a_size_limit_is_an_error_not_a_short_import():
    conn = FakeConnection([(users("a", "b"), 0, b"c1", ()), (users("c"), 4, b"", ())])
    with pytest.raises(DirectoryError) as raised:
        list(search.paged_entries(conn, SETTINGS, REQUEST, lambda line: None, []))
    assert "after 3 entries (sizeLimitExceeded)" in str(raised.value) and "nothing is imported" in str(raised.value)


def test_a_missing_base_names_the_options():
    conn = FakeConnection([([], 32, b"", ())])
    with pytest.raises(DirectoryError, match="does not exist, or reader@example.test may not see it.*search_base"):
        list(search.paged_entries(conn, SETTINGS, REQUEST, lambda line: None, []))


def test_a_missing_base_is_named_as_written():
    # An RDN holding a comma is escaped with a backslash; the message shows it once, as given.
    request = search.SearchRequest("OU=Sales\\, EMEA,DC=example,DC=test", "(objectClass=user)", ("sAMAccountName",), page_size=2)
    conn = FakeConnection([([], 32, b"", ())])
    with pytest.raises(DirectoryError) as raised:
        list(search.paged_entries(conn, SETTINGS, request, lambda line: None, []))
    assert "the search base 'OU=Sales\\, EMEA,DC=example,DC=test' does not exist" in str(raised.value)


def test_referrals_are_refused_or_followed(monkeypatch):
    with pytest.raises(DirectoryError, match="refers to ldap://dc2.example.test/DC=example,DC=test.*referrals: true"):
        referring = FakeConnection([([], 10, b"", ["ldap://dc2.example.test/DC=example,DC=test"])])
        list(search.paged_entries(referring, SETTINGS, REQUEST, lambda line: None, []))
    opened = []
    scripts = {
        None: [(users("a"), 0, b"", ["ldaps://child.example.test/DC=child,DC=example,DC=test", "ldap://x.example.test/CN=Configuration"])],
        "child.example.test": [(users("b"), 0, b"", ())],
        "x.example.test": [([], 0, b"", ())],
    }

    def fake_open(settings, hosts=None):
        host = hosts[0][0] if hosts else None
        opened.append((hosts, settings.referrals))
        return FakeConnection(scripts[host], host=host or "dc1")

    monkeypatch.setattr(search, "open_connection", fake_open)
    lines = []
    outcome = search.search_directory(SETTINGS, REQUEST, lines.append)
    assert [item["dn"] for item in outcome.entries] == ["CN=a,DC=example,DC=test"]
    assert any("not followed (referrals: false)" in line for line in lines) and len(opened) == 1
    outcome = search.search_directory(dataclasses.replace(SETTINGS, referrals=True), REQUEST, lines.append)
    assert [item["dn"] for item in outcome.entries] == ["CN=a,DC=example,DC=test", "CN=b,DC=example,DC=test"]
    # ldaps referral: its port is kept (none given: ours); ldap:// under tls_mode ldaps: our port
    assert opened[2][0] == [("child.example.test", None)] and opened[3][0] == [("x.example.test", None)]
    assert len(outcome.commands) == 3 and "-b 'DC=child,DC=example,DC=test'" in outcome.commands[1]


# --- errors say what to check, never the password --------------------------------------------

def test_bind_errors():
    invalid = {"result": 49, "description": "invalidCredentials",
               "message": "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1"}
    message = str(connection._bind_error(invalid, SETTINGS, "ldaps://dc1:636"))  # pylint: disable=protected-access
    assert "invalid credentials for reader@example.test" in message and "wrong password" in message
    stronger = {"result": 8, "description": "strongerAuthRequired", "message": "BindSimple: Transport encryption required."}
    assert "use tls_mode: ldaps or start_tls" in str(connection._bind_error(stronger, SETTINGS, "ldap://dc1:389"))  # pylint: disable=protected-access
    bare = dataclasses.replace(SETTINGS, bind_user="Administrator")
    assert "DOMAIN\\user" in str(connection._bind_error(invalid, bare, "x"))  # pylint: disable=protected-access


def test_exception_texts_are_scrubbed():
    error = ldap3.core.exceptions.LDAPSocketOpenError(f"unable to open socket for Connection(user='r', password='{PASSWORD}')")
    message = str(connection.connection_error(error, SETTINGS, "ldaps://dc1:636"))
    assert PASSWORD not in message and "********" in message and "check server, port 636 and firewall" in message


def test_certificate_errors_point_at_ca_cert_or_the_name():
    unknown = ldap3.core.exceptions.LDAPSocketOpenError(
        "socket ssl wrapping error: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)")
    assert "ca_cert" in str(connection.connection_error(unknown, SETTINGS, "ldaps://dc1:636"))
    mismatch = ldap3.core.exceptions.LDAPSocketOpenError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: IP address mismatch, certificate is not valid for '127.0.0.2'. (_ssl.c:1006)")
    assert "ignore_hostname" in str(connection.connection_error(mismatch, SETTINGS, "ldaps://127.0.0.2:636"))


def test_without_ldap3_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setattr(connection, "ldap3", None)
    with pytest.raises(DirectoryError, match="pip install ldap3"):
        read_directory_source(AD_OPTIONS, target_domains=DOMAINS)


# --- end to end on ldap3's mock server ------------------------------------------------------

@pytest.fixture(name="mock_directory")
def fixture_mock_directory(monkeypatch):
    """An AD-shaped MOCK_SYNC directory: 7 people, a contact and a computer; the source connects to it."""
    server = ldap3.Server("dc1.example.test", port=636, use_ssl=True, get_info=ldap3.NONE)
    conn = ldap3.Connection(server, user="CN=reader,DC=example,DC=test", password=PASSWORD, client_strategy=ldap3.MOCK_SYNC)
    conn.strategy.add_entry("CN=reader,DC=example,DC=test", {"userPassword": PASSWORD})
    person = {"objectClass": ["top", "person", "organizationalPerson", "user"], "objectCategory": "person"}
    for index in range(7):
        conn.strategy.add_entry(f"CN=User {index},OU=Staff,DC=example,DC=test", {
            **person, "sAMAccountName": f"user{index}", "displayName": f"Ünïcode Üser {index}", "objectGUID": uuid.UUID(int=index).bytes_le,
            "userAccountControl": "514" if index == 3 else "512", "memberOf": ["CN=Staff,OU=Groups,DC=example,DC=test"],
            "proxyAddresses": [f"SMTP:user{index}@example.com", f"smtp:u{index}@example.org", f"smtp:user{index}@other.test"],
        })
    conn.strategy.add_entry("CN=Contact,OU=Staff,DC=example,DC=test", {"objectClass": ["top", "person", "contact"], "objectCategory": "person",
                                                                       "sAMAccountName": "contact"})
    conn.strategy.add_entry("CN=WS1,OU=Staff,DC=example,DC=test", {"objectClass": ["top", "user", "computer"], "objectCategory": "computer",
                                                                   "sAMAccountName": "WS1$"})
    assert conn.bind()
    monkeypatch.setattr(search, "open_connection", lambda settings, hosts=None: conn)
    return conn


def test_mock_directory_end_to_end(mock_directory):  # pylint: disable=unused-argument
    lines = []
    result = read_directory_source({**AD_OPTIONS, "page_size": 3}, target_domains=DOMAINS, log=lines.append)
    assert sorted(record.name for record in result.records) == [f"user{index}" for index in range(7)]
    record = next(record for record in result.records if record.name == "user3")
    assert record.enabled is False and record.full_name == "Ünïcode Üser 3" and record.addresses == ("u3",) and record.groups == ("Staff",)
    assert result.identities["user3"] == str(uuid.UUID(int=3))
    assert result.source == "active_directory ldaps://dc1.example.test:636 (DC=example,DC=test)"
    assert result.searches == [lines[0]] and lines[0].startswith("ldapsearch -H ldaps://dc1.example.test:636 -x -D 'EXAMPLE\\reader' -W")
    pages = ["page 1: 3 entries (3 so far)", "page 2: 3 entries (6 so far)", "page 3: 1 entries (7 so far)"]
    assert [line for line in lines if line.startswith("page ")] == pages
    assert any("user3@other.test" in line for line in lines)
    assert not any(PASSWORD in line for line in lines) and PASSWORD not in repr(result)


def test_mock_directory_skips_disabled_users_when_asked(mock_directory):  # pylint: disable=unused-argument
    result = read_directory_source({**AD_OPTIONS, "disabled_users": "skip", "filter": "sAMAccountName=user*"}, target_domains=DOMAINS)
    assert len(result.records) == 6
    (skipped,) = result.skipped
    assert skipped.origin.entry == "CN=User 3,OU=Staff,DC=example,DC=test" and "disabled" in skipped.message


def test_an_empty_result_is_an_error(monkeypatch):
    monkeypatch.setattr(search, "open_connection", lambda settings, hosts=None: FakeConnection([([], 0, b"", ())]))
    with pytest.raises(DirectoryError, match="found no entries.*reader@example.test may read the users"):
        search.search_directory(SETTINGS, REQUEST)


@pytest.mark.parametrize("content", [None, "not a certificate\n"])
def test_a_bad_ca_cert_is_named(tmp_path, content):
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_text(content, encoding="ascii")
    settings = dataclasses.replace(SETTINGS, ca_cert=str(path))
    with pytest.raises(DirectoryError, match=f"ca_cert '{path}' cannot be used.*PEM CA certificate"):
        connection.open_connection(settings)


def test_the_receive_timeout_is_whole_seconds(monkeypatch):
    """ldap3 packs receive_timeout into SO_RCVTIMEO as an integer; the module's timeout is a float."""
    seen = {}

    class Stop(Exception):
        pass

    def fake_connection(server, **kwargs):
        seen.update(kwargs, server=server)
        raise Stop()

    monkeypatch.setattr(connection.ldap3, "Connection", fake_connection)
    with pytest.raises(Stop):
        connection.open_connection(dataclasses.replace(SETTINGS, timeout=2.5, hosts=("dc1", "dc2")))
    assert seen["receive_timeout"] == 3 and isinstance(seen["receive_timeout"], int)
    assert seen["server"].host == "dc1" and seen["server"].connect_timeout == 2.5
    assert seen["auto_referrals"] is False and seen["read_only"] is True


def test_servers_are_tried_in_turn_until_one_answers(monkeypatch):
    """A server that cannot be reached or hangs gives way to the next; a refused certificate does not."""
    tried = []

    class FakeConnection:
        def __init__(self, server, **_kwargs):
            self.server = server
            tried.append(server.host)

        def open(self):
            failures = {
                "down": ldap3.core.exceptions.LDAPSocketOpenError("socket connection error while opening: [Errno 111] Connection refused"),
                "hung": ldap3.core.exceptions.LDAPSocketOpenError("socket ssl wrapping error: _ssl.c:1000: The handshake operation timed out"),
                "closing": ldap3.core.exceptions.LDAPSessionTerminatedByServerError("session terminated by server"),
                "forged": ldap3.core.exceptions.LDAPSocketOpenError(
                    "socket ssl wrapping error: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"),
            }
            if self.server.host in failures:
                raise failures[self.server.host]

        def bind(self):
            return True

        def unbind(self):
            pass

    monkeypatch.setattr(connection.ldap3, "Connection", FakeConnection)
    assert connection.open_connection(dataclasses.replace(SETTINGS, hosts=("down", "hung", "closing", "dc1", "dc2"))).server.host == "dc1"
    assert tried == ["down", "hung", "closing", "dc1"]
    with pytest.raises(DirectoryError, match=r"^no server of 2 answered: cannot talk to ldaps://down:636 .*; ldaps://hung:636 did not answer"):
        connection.open_connection(dataclasses.replace(SETTINGS, hosts=("down", "hung")))
    tried.clear()
    with pytest.raises(DirectoryError, match="the TLS certificate could not be verified"):
        connection.open_connection(dataclasses.replace(SETTINGS, hosts=("forged", "dc1")))
    assert tried == ["forged"]
