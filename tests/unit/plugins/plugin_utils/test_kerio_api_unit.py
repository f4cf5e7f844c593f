# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the Kerio API client against an in-process fake mounted as a requests adapter.

The fake answers like the reference describes (§2, §4) and can be scripted per method, which
reaches corner cases the emulator does not offer (odd inputIndex, a server ignoring paging
start, HTTP errors that are not JSON). The emulator-backed tests are in test_kerio_api_emulator.py.
"""

from __future__ import annotations

import logging
import re
import shutil
import socket

import certifi
import pytest
import requests

from ansible_collections.kerio.connect.plugins.plugin_utils import _kerio_api, _kerio_transport
from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import (
    ItemError,
    ItemOutcome,
    KerioApiError,
    KerioClient,
    KerioConnectionError,
    KerioError,
    KerioProtocolError,
    build_endpoint,
    is_read_method,
    removal_request,
    substitute,
)
from ansible_collections.kerio.connect.tests.unit.plugins.plugin_utils.fake_kerio import ADMIN_PASSWORD, URL, FakeKerio, rpc_error

ENDPOINT = "https://kerio.test:4040/admin/api/jsonrpc/"
USER_PASSWORD = "Us3r-S3cret-Pw"
DOMAIN_ID = "keriodb://domain/ea4d5326-98fe-4ce2-be4f-34078d3527a4"


def item_error(index, code, message, *positional):
    return {"inputIndex": index, "code": code, "message": message,
            "messageParameters": {"positionalParameters": list(positional), "plurality": 1}}


@pytest.fixture
def fake():
    return FakeKerio()


@pytest.fixture
def make_client(fake):
    def make(**options):
        options.setdefault("backoff", 0.001)
        client = KerioClient(URL, options.pop("user", "admin"), options.pop("password", ADMIN_PASSWORD), **options)
        client._session._http.mount("https://", fake)  # pylint: disable=protected-access
        return client
    return make


# Pure helpers ------------------------------------------------------------------------------

@pytest.mark.parametrize("message, parameters, expected", [
    ("User %1 already exists.", ["jdoe"], "User jdoe already exists."),
    ("%2 before %1", ["a", "b"], "b before a"),
    ("%1 and %10", [str(n) for n in range(1, 11)], "1 and 10"),
    ("Missing %2", ["only one"], "Missing %2"),
    ("No placeholders", None, "No placeholders"),
    ("Count %1", [3], "Count 3"),
    (None, ["x"], ""),
])
def test_substitute(message, parameters, expected):
    assert substitute(message, parameters) == expected


@pytest.mark.parametrize("url", [
    "https://mail.example.com:4040", "https://mail.example.com:4040/", "https://mail.example.com:4040/admin/api/jsonrpc",
    "https://mail.example.com:4040/admin/api/jsonrpc/", " https://mail.example.com:4040 ",
    # copied from the browser's address bar
    "https://mail.example.com:4040/admin/", "https://mail.example.com:4040/admin/#users", "https://mail.example.com:4040/admin/api",
])
def test_build_endpoint(url):
    assert build_endpoint(url) == "https://mail.example.com:4040/admin/api/jsonrpc/"


def test_build_endpoint_keeps_a_prefix_path():
    assert build_endpoint("https://proxy.example.com/kerio") == "https://proxy.example.com/kerio/admin/api/jsonrpc/"
    assert build_endpoint("https://proxy.example.com/kerio/admin/") == "https://proxy.example.com/kerio/admin/api/jsonrpc/"


@pytest.mark.parametrize("url", [
    "mail.example.com:4040", "ftp://mail.example.com", "", "https://", "https://[::1:4040", "https://mail.example.com:99999",
    "https://mail.example.com:port",
])
def test_build_endpoint_rejects_what_is_not_a_url(url):
    with pytest.raises(KerioConnectionError, match="not valid"):
        build_endpoint(url)


def test_build_endpoint_refuses_http_which_would_send_the_password_in_clear():
    with pytest.raises(KerioConnectionError, match="http://.*in clear: use https://"):
        build_endpoint("http://mail.example.com:4040")


@pytest.mark.parametrize("url", [
    "https://admin:{}@mail.example.com:4040", "htps://admin:{}@mail.example.com:4040", "admin:{}@mail.example.com:4040",
    "http://admin:{}@[::1",
])
def test_build_endpoint_rejects_credentials_without_echoing_them(url):
    with pytest.raises(KerioConnectionError, match="must not contain a user name or password") as info:
        build_endpoint(url.format(ADMIN_PASSWORD))
    assert ADMIN_PASSWORD not in str(info.value) and ADMIN_PASSWORD not in repr(info.value)


def test_read_and_write_methods():
    for method in ("Users.get", "Groups.get", "Domains.get", "Session.whoAmI", "Version.getApiVersion", "Domains.getUserCountInfo",
                   "Domains.generatePassword", "Users.getFromServer", "Users.parseFromCsv", "Server.findEntityByEmail",
                   "UserTemplates.getAvailable"):
        assert is_read_method(method), method
    for method in ("Users.create", "Users.set", "Users.remove", "Groups.create", "Groups.addMemberList", "Groups.removeMemberList",
                   "Session.logout", "Users.activate"):
        assert not is_read_method(method), method


def test_removal_request():
    assert removal_request("u1") == {"userId": "u1", "method": "UDeleteUser", "removeReferences": False, "targetUserId": ""}
    assert removal_request("u1", delete_mailbox=True)["method"] == "UDeleteFolder"


def test_item_error_str():
    assert str(ItemError(1001, "User a already exists.")) == "User a already exists. (code 1001)"
    assert str(ItemError(None, "unknown")) == "unknown"


def test_missing_requests_gives_a_clear_error(monkeypatch):
    monkeypatch.setattr(_kerio_transport, "requests", None)
    monkeypatch.setattr(_kerio_transport, "REQUESTS_IMPORT_ERROR", ImportError("No module named 'requests'"))
    with pytest.raises(KerioError, match="'requests' is required"):
        KerioClient(URL, "admin", ADMIN_PASSWORD)


def test_missing_ca_path_is_named(tmp_path):
    missing = str(tmp_path / "nope.pem")
    with pytest.raises(KerioConnectionError, match="ca_path") as info:
        KerioClient(URL, "admin", ADMIN_PASSWORD, ca_path=missing)
    assert missing in str(info.value)


def test_tls_verification_defaults_on(tmp_path, monkeypatch):
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # they would replace the system store (True)
        monkeypatch.delenv(name, raising=False)

    def verify(**options):
        return KerioClient(URL, "admin", ADMIN_PASSWORD, **options)._session._http.verify  # pylint: disable=protected-access

    bundle = tmp_path / "ca.pem"
    shutil.copyfile(certifi.where(), bundle)  # certificates in PEM, as a private CA's file is
    assert verify() is True and verify(validate_certs=False) is False
    assert verify(ca_path=str(bundle)) == str(bundle)
    # Ansible's convention: validate_certs=false wins, and an unused ca_path is not checked.
    assert verify(validate_certs=False, ca_path=str(bundle)) is False
    assert verify(validate_certs=False, ca_path=str(tmp_path / "missing.pem")) is False


def test_a_ca_path_that_holds_no_certificate_is_refused_before_connecting(tmp_path):
    not_pem = tmp_path / "ca.der"
    not_pem.write_bytes(b"\x30\x82\x01\x0a not a PEM file")
    for path, problem in ((not_pem, "cannot be read as PEM certificates"), (tmp_path / "missing.pem", "does not exist")):
        with pytest.raises(KerioConnectionError, match=f"ca_path='{re.escape(str(path))}' {problem}"):
            KerioClient(URL, "admin", ADMIN_PASSWORD, ca_path=str(path))


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), 1e400, 3601, (5, 0)])
def test_a_timeout_that_is_no_wait_requests_can_make_is_refused(timeout):
    with pytest.raises(KerioError, match="timeout .* is not valid: give the seconds"):
        KerioClient(URL, "admin", ADMIN_PASSWORD, timeout=timeout)


@pytest.mark.parametrize("user, password, missing", [("admin", "", "password (kerio_password)"), ("admin", None, "password"), ("", "pw", "user name")])
def test_an_empty_user_or_password_is_refused_before_logging_in(user, password, missing):
    with pytest.raises(KerioError, match=re.escape(f"The administrator's {missing}")):
        KerioClient(URL, user, password)


# Session --------------------------------------------------------------------------------

def test_login_call_logout(make_client, fake):
    with make_client(application={"name": "tests", "vendor": "me", "version": "1"}) as client:
        assert client.call("Session.whoAmI") == {}
    assert fake.methods() == ["Session.login", "Session.whoAmI", "Session.logout"]
    login, whoami, logout = fake.calls
    assert login.params == {"userName": "admin", "password": ADMIN_PASSWORD, "application": {"name": "tests", "vendor": "me", "version": "1"}}
    assert "X-Token" not in login.headers
    assert whoami.headers["X-Token"] == f"{1:064x}" and logout.headers["X-Token"] == f"{1:064x}"
    assert "token" not in whoami.body and "params" not in whoami.body
    assert whoami.headers["Content-Type"].startswith("application/json-rpc")
    assert whoami.body["jsonrpc"] == "2.0" and whoami.body["id"] != login.body["id"]
    assert client.call_counts == {"Session.login": 1, "Session.whoAmI": 1, "Session.logout": 1}


def test_logout_also_when_the_block_raises(make_client, fake):
    with pytest.raises(ZeroDivisionError):
        with make_client():
            raise ZeroDivisionError
    assert fake.methods() == ["Session.login", "Session.logout"]


def test_a_failing_logout_does_not_hide_the_original_error(make_client, fake):
    fake.script["Session.logout"] = [503]
    with pytest.raises(KerioApiError, match="Boom 42"):
        with make_client() as client:
            fake.script["Users.create"] = [rpc_error(1000, "Boom %1", "42")]
            client.call("Users.create", {"users": []})


def test_a_failing_logout_after_success_is_only_logged(make_client, fake, caplog):
    fake.script["Session.logout"] = [requests.exceptions.ConnectionError("connection reset")]
    with caplog.at_level(logging.WARNING, logger="kerio.connect.api"):
        with make_client() as client:
            client.call("Session.whoAmI")
    assert "Session.logout failed" in caplog.text
    assert not client._session.logged_in  # pylint: disable=protected-access


def test_logout_of_an_expired_session_is_quiet(make_client, fake, caplog):
    with caplog.at_level(logging.WARNING, logger="kerio.connect.api"):
        with make_client():
            fake.token = "expired"
    assert fake.methods() == ["Session.login", "Session.logout"] and not caplog.records


def test_call_before_login_is_refused(make_client):
    with pytest.raises(KerioError, match="not logged in"):
        make_client().call("Users.get", {})


def test_wrong_password(make_client, fake):
    with pytest.raises(KerioApiError) as info:
        with make_client(password="wrong-password"):
            pass
    error = info.value
    assert error.method == "Session.login" and error.code == -32000
    assert error.message == "Username or password is not correct."
    assert "check the user ('admin') and password" in str(error).lower()
    assert "wrong-password" not in str(error) and "wrong-password" not in repr(error)
    assert fake.methods() == ["Session.login"]


def test_login_without_token_is_a_protocol_error(make_client, fake):
    fake.script["Session.login"] = [{"something": "else"}]
    with pytest.raises(KerioProtocolError, match="no token"):
        with make_client():
            pass


def test_whole_call_error_is_substituted(make_client, fake):
    fake.script["Users.get"] = [rpc_error(-32602, "Invalid params: %1 is not %2.", "query", "an object")]
    with make_client() as client:
        with pytest.raises(KerioApiError) as info:
            client.call("Users.get", {"query": 1})
    assert info.value.code == -32602 and info.value.method == "Users.get"
    assert info.value.message == "Invalid params: query is not an object."
    assert "Users.get" in str(info.value) and ENDPOINT in str(info.value)


def test_whole_call_error_without_data(make_client, fake):
    fake.script["Users.get"] = [{"error": {"code": -32700, "message": "Request parse error"}}]
    with make_client() as client:
        with pytest.raises(KerioApiError, match="Request parse error"):
            client.call("Users.get", {})


def test_expired_session_logs_in_again_and_repeats_once(make_client, fake):
    fake.handlers["Users.create"] = lambda params: {"errors": [], "result": [{"inputIndex": 0, "id": "u1"}]}
    with make_client() as client:
        fake.token = "expired-on-the-server"
        outcomes = client.create_users([{"loginName": "a"}])
    assert outcomes == [ItemOutcome(0, True, "u1")]
    assert fake.methods() == ["Session.login", "Users.create", "Session.login", "Users.create", "Session.logout"]
    assert fake.calls[3].headers["X-Token"] == f"{2:064x}"


def test_expired_session_twice_raises(make_client, fake):
    fake.script["Users.get"] = [rpc_error(-32001, "Session expired.")] * 2
    with make_client() as client:
        with pytest.raises(KerioApiError) as info:
            client.call("Users.get", {})
    assert info.value.code == -32001
    assert fake.methods().count("Users.get") == 2 and fake.methods().count("Session.login") == 2


def test_reads_are_retried_on_503_and_dropped_connections(make_client, fake):
    fake.script["Users.get"] = [503, requests.exceptions.ConnectionError("Connection aborted."), 502]
    fake.handlers["Users.get"] = lambda params: {"list": [], "totalItems": 0}
    messages = []
    with make_client(retries=3, log=messages.append) as client:
        assert client.list_users(DOMAIN_ID) == []
    assert fake.methods().count("Users.get") == 4
    assert client.call_counts["Users.get"] == 4
    assert any("retrying" in message for message in messages)


def test_reads_give_up_after_the_retries(make_client, fake):
    fake.script["Domains.get"] = [504] * 3
    with make_client(retries=2) as client:
        with pytest.raises(KerioConnectionError) as info:
            client.list_domains()
    assert fake.methods().count("Domains.get") == 3
    assert "after 3 attempts" in str(info.value) and ENDPOINT in str(info.value) and "504" in str(info.value)
    assert not info.value.outcome_unknown


@pytest.mark.parametrize("failure", [503, requests.exceptions.ConnectionError("Connection aborted."),
                                     requests.exceptions.ReadTimeout("read timed out")])
def test_writes_are_never_repeated(make_client, fake, failure):
    fake.script["Users.create"] = [failure]
    with make_client(retries=5) as client:
        with pytest.raises(KerioConnectionError) as info:
            client.create_users([{"loginName": "a"}])
    assert fake.methods().count("Users.create") == 1
    assert info.value.outcome_unknown and "outcome of this write is unknown" in str(info.value)
    assert info.value.method == "Users.create"


def test_write_interrupted_in_a_later_batch_reports_the_finished_ones(make_client, fake):
    fake.script["Users.create"] = [creating()({"users": [{"loginName": "a"}, {"loginName": "b"}]}), 503]
    with make_client() as client:
        with pytest.raises(KerioConnectionError) as info:
            client.create_users([{"loginName": name} for name in "abcd"], batch_size=2)
    assert info.value.completed == [ItemOutcome(0, True, "id-a"), ItemOutcome(1, True, "id-b")]


def test_timeouts_are_passed_and_named(make_client, fake, monkeypatch):
    seen = []
    original = fake.send

    def send(request, **options):
        seen.append(options["timeout"])
        return original(request, **options)

    monkeypatch.setattr(fake, "send", send)
    fake.script["Users.get"] = [requests.exceptions.ReadTimeout("read timed out")]
    with make_client(timeout=(3, 45), retries=0) as client:
        with pytest.raises(KerioConnectionError, match=r"no answer within the timeout \(45 s\)"):
            client.call("Users.get", {})
    assert seen[0] == (3, 45)


def test_tls_errors_are_not_retried(make_client, fake):
    fake.script["Session.login"] = [requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")]
    with pytest.raises(KerioConnectionError) as info:
        with make_client():
            pass
    assert fake.methods() == ["Session.login"]
    assert "ca_path" in str(info.value) and "validate_certs" in str(info.value) and ENDPOINT in str(info.value)


def test_tls_handshake_to_a_plain_port_is_not_retried(make_client, fake):
    fake.script["Session.login"] = [requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")]
    with pytest.raises(KerioConnectionError, match="TLS handshake failed.*https and the administration port"):
        with make_client():
            pass
    assert fake.methods() == ["Session.login"]


def test_a_tls_connection_breaking_mid_write_has_an_unknown_outcome(make_client, fake):
    fake.script["Users.set"] = [requests.exceptions.SSLError("[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol")]
    fake.script["Users.get"] = [requests.exceptions.SSLError("[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol")]
    fake.handlers["Users.get"] = paged([])
    with make_client() as client:
        assert client.list_users(DOMAIN_ID) == []
        with pytest.raises(KerioConnectionError) as info:
            client.set_users(["u1"], {"isEnabled": True})
    assert info.value.outcome_unknown
    assert fake.methods().count("Users.get") == 2 and fake.methods().count("Users.set") == 1


def test_http_404_names_the_port(make_client, fake):
    fake.script["Session.login"] = [404]
    with pytest.raises(KerioConnectionError, match="HTTP 404.*4040"):
        with make_client():
            pass
    assert fake.methods() == ["Session.login"]


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_not_followed_so_the_password_goes_nowhere_else(make_client, fake, status):
    fake.script["Session.login"] = [(status, "http://admin:hunter2@elsewhere.test:8080/steal?token=abc#x")]
    client = make_client()
    client._session._http.mount("http://", fake)  # pylint: disable=protected-access
    with pytest.raises(KerioConnectionError) as info:
        with client:
            pass
    assert fake.methods() == ["Session.login"]  # the login, password and all, went to the url given and nowhere else
    message = str(info.value)
    assert f"HTTP {status}" in message and "a redirect to http://elsewhere.test:8080/steal that was not followed" in message
    assert "Set url to the Kerio Connect administration address itself" in message
    assert "hunter2" not in message and "token=abc" not in message and ADMIN_PASSWORD not in message


def test_a_redirect_of_a_write_is_not_followed_either(make_client, fake):
    fake.script["Users.set"] = [(307, "https://other.test:4040/admin/api/jsonrpc/")]
    with make_client() as client:
        client._session._http.mount("https://other.test", fake)  # pylint: disable=protected-access
        with pytest.raises(KerioConnectionError, match="HTTP 307.*redirect to https://other.test:4040/admin/api/jsonrpc/"):
            client.set_users(["u1"], {"isEnabled": True})
    assert fake.methods().count("Users.set") == 1


def test_non_json_answer_is_a_protocol_error(make_client, fake):
    fake.script["Session.login"] = [b"<html>Kerio WebMail</html>"]
    with pytest.raises(KerioProtocolError, match="did not answer with JSON-RPC"):
        with make_client():
            pass


def test_connection_refused_on_a_real_socket():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = KerioClient(f"https://127.0.0.1:{port}", "admin", ADMIN_PASSWORD, retries=2, backoff=0.001, timeout=2)
    with pytest.raises(KerioConnectionError) as info:
        with client:
            pass
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message and "could not connect" in message and "after 3 attempts" in message
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert client.call_counts == {"Session.login": 3}


def test_a_write_that_could_not_connect_says_nothing_was_written(make_client, fake):
    refused = requests.exceptions.ConnectionError(
        _kerio_transport.urllib3.exceptions.MaxRetryError(None, ENDPOINT, _kerio_transport.urllib3.exceptions.NewConnectionError(
            None, "Failed to establish a new connection: [Errno 111] Connection refused")))
    fake.script["Users.set"] = [refused]
    with make_client() as client:
        with pytest.raises(KerioConnectionError) as info:
            client.set_users(["u1"], {"isEnabled": False})
    assert not info.value.outcome_unknown and "Nothing was written" in str(info.value)
    assert "Connection refused" in str(info.value)


def test_a_write_whose_proxy_refused_the_connection_says_nothing_was_written(make_client, fake):
    urllib3_errors = _kerio_transport.urllib3.exceptions
    refused = requests.exceptions.ProxyError(urllib3_errors.MaxRetryError(None, ENDPOINT, urllib3_errors.ProxyError(
        "Unable to connect to proxy", urllib3_errors.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused"))))
    fake.script["Users.set"] = [refused]
    with make_client() as client:
        with pytest.raises(KerioConnectionError) as info:
            client.set_users(["u1"], {"isEnabled": False})
    assert not info.value.outcome_unknown and "Nothing was written" in str(info.value)
    assert "could not connect to the proxy" in str(info.value) and "HTTPS_PROXY" in str(info.value)


def test_a_proxy_that_refuses_the_tunnel_is_not_asked_again_and_nothing_was_written(make_client, fake):
    urllib3_errors = _kerio_transport.urllib3.exceptions
    refused = requests.exceptions.ProxyError(urllib3_errors.MaxRetryError(None, ENDPOINT, urllib3_errors.ProxyError(
        "Unable to connect to proxy", OSError("Tunnel connection failed: 407 Proxy Authentication Required"))))
    fake.script["Users.set"] = [refused]
    fake.script["Users.get"] = [refused]
    with make_client() as client:
        with pytest.raises(KerioConnectionError) as write:
            client.set_users(["u1"], {"isEnabled": False})
        with pytest.raises(KerioConnectionError) as read:
            client.list_users(DOMAIN_ID)
    assert not write.value.outcome_unknown and "Nothing was written" in str(write.value)
    assert "the proxy did not open a connection to the server" in str(write.value) and "407" in str(write.value)
    assert "after" not in str(read.value) and fake.methods().count("Users.get") == 1  # a refusal that a repeat would meet again


def test_a_redirect_to_a_malformed_address_is_reported_as_such(make_client, fake):
    fake.script["Session.login"] = [(307, "https://[2001:db8::1/x")]
    with pytest.raises(KerioConnectionError, match=r"Session.login: .* failed: the server's answer could not be read \(Invalid IPv6 URL\)"):
        with make_client():
            pass


# Paging ---------------------------------------------------------------------------------

def paged(items, cap=None, total=True):
    def handler(params):
        query = params["query"]
        start, limit = query["start"], query["limit"]
        if cap:
            limit = min(limit, cap)
        result = {"list": items[start:start + limit]}
        if total:
            result["totalItems"] = len(items)
        return result
    return handler


USERS = [{"id": f"keriodb://user/d/{n:03}", "loginName": f"user{n:03}"} for n in range(25)]


def test_paging_reads_every_page(make_client, fake):
    fake.handlers["Users.get"] = paged(USERS)
    with make_client() as client:
        assert client.list_users(DOMAIN_ID, ["id", "loginName"], page_size=10) == USERS
    queries = [params["query"] for params in fake.params_of("Users.get")]
    assert [(q["start"], q["limit"]) for q in queries] == [(0, 10), (10, 10), (20, 10)]
    assert queries[0]["fields"] == ["id", "loginName"] and queries[0]["orderBy"] == [{"columnName": "loginName", "direction": "Asc"}]
    assert all(params["domainId"] == DOMAIN_ID for params in fake.params_of("Users.get"))


def test_paging_exact_multiple_stops_on_total(make_client, fake):
    fake.handlers["Groups.get"] = paged(USERS[:20])
    with make_client() as client:
        assert len(client.list_groups(DOMAIN_ID, ["name"], page_size=10)) == 20
    assert fake.methods().count("Groups.get") == 2
    assert fake.params_of("Groups.get")[0]["query"]["fields"] == ["id", "name"]


def test_paging_follows_a_server_side_page_cap(make_client, fake):
    fake.handlers["Users.get"] = paged(USERS, cap=4)
    with make_client() as client:
        assert client.list_users(DOMAIN_ID, page_size=10) == USERS
    assert fake.methods().count("Users.get") == 7


def test_paging_without_total_stops_on_a_short_page(make_client, fake):
    fake.handlers["Users.get"] = paged(USERS, total=False)
    with make_client() as client:
        assert client.list_users(DOMAIN_ID, page_size=10) == USERS
    assert fake.methods().count("Users.get") == 3


def test_paging_drops_an_item_seen_twice(make_client, fake):
    shifted = [{"list": USERS[0:10], "totalItems": 25}, {"list": USERS[9:19], "totalItems": 26},
               {"list": USERS[19:25] + [{"id": "new", "loginName": "zzz"}], "totalItems": 26}]
    fake.script["Users.get"] = shifted
    with make_client() as client:
        users = client.list_users(DOMAIN_ID, page_size=10)
    assert [u["id"] for u in users] == [u["id"] for u in USERS] + ["new"]


def test_paging_guard_server_ignoring_start(make_client, fake):
    fake.handlers["Users.get"] = lambda params: {"list": USERS[:10], "totalItems": 1000000}
    with make_client() as client:
        with pytest.raises(KerioProtocolError, match="ignore the paging start"):
            client.list_users(DOMAIN_ID, page_size=10)
    assert fake.methods().count("Users.get") == 2


def test_paging_guard_without_ids_or_total(make_client, fake, monkeypatch):
    monkeypatch.setattr(_kerio_api, "MAX_PAGES", 5)
    fake.handlers["Users.get"] = lambda params: {"list": [{"loginName": "same"}] * params["query"]["limit"]}
    with make_client() as client:
        with pytest.raises(KerioProtocolError, match="after 5 pages"):
            client.list_users(DOMAIN_ID, [], page_size=3)
    assert fake.methods().count("Users.get") == 5


def test_find_domain(make_client, fake):
    domains = [{"id": "d1", "name": "example.com", "service": {"authentication": {"username": "cn=bind", "password": "Bind-Pa55"}}},
               {"id": "d2", "name": "Other.ORG"}]
    fake.handlers["Domains.get"] = paged(domains)
    with make_client() as client:
        assert client.find_domain("example.com")["id"] == "d1"
        assert client.find_domain("other.org.")["id"] == "d2"
        assert client.find_domain("missing.net") is None
        assert [d["name"] for d in client.list_domains()] == ["example.com", "Other.ORG"]
        assert client.find_domain("example.com")["service"]["authentication"] == {"username": "cn=bind"}
    assert "domainId" not in fake.params_of("Domains.get")[0]


# Batches --------------------------------------------------------------------------------

def creating(fail=()):
    """A Users.create/Groups.create handler that fails the names in ``fail`` as duplicates."""
    def handler(params):
        items = params.get("users") or params.get("groups")
        errors, created = [], []
        for index, item in enumerate(items):
            name = item.get("loginName") or item.get("name")
            if name in fail:
                errors.append(item_error(index, 1001, "User %1 already exists.", name))
            else:
                created.append({"inputIndex": index, "id": f"id-{name}"})
        return {"errors": errors, "result": created}
    return handler


def test_create_users_in_batches(make_client, fake):
    fake.handlers["Users.create"] = creating(fail={"u03", "u17"})
    users = [{"loginName": f"u{n:02}", "password": USER_PASSWORD} for n in range(25)]
    with make_client() as client:
        outcomes = client.create_users(users, batch_size=10)
    assert [len(params["users"]) for params in fake.params_of("Users.create")] == [10, 10, 5]
    assert client.call_counts["Users.create"] == 3
    assert [outcome.index for outcome in outcomes] == list(range(25))
    assert [outcome.index for outcome in outcomes if not outcome.ok] == [3, 17]
    assert outcomes[17].error == ItemError(1001, "User u17 already exists.") and outcomes[17].id is None
    assert outcomes[16] == ItemOutcome(16, True, "id-u16")


def test_create_with_an_item_neither_created_nor_failed(make_client, fake):
    fake.script["Users.create"] = [{"errors": [], "result": [{"inputIndex": 1, "id": "id-b"}]}]
    with make_client() as client:
        outcomes = client.create_users([{"loginName": "a"}, {"loginName": "b"}])
    assert not outcomes[0].ok and "neither" in outcomes[0].error.message
    assert outcomes[1] == ItemOutcome(1, True, "id-b")


def test_an_all_created_batch_maps_each_id_by_its_input_index(make_client, fake):
    created = [{"inputIndex": 2, "id": "id-c"}, {"inputIndex": 0, "id": "id-a"}, {"inputIndex": 1, "id": "id-b"}]
    fake.script["Users.create"] = [{"errors": [], "result": created}]
    with make_client() as client:
        outcomes = client.create_users([{"loginName": "a"}, {"loginName": "b"}, {"loginName": "c"}])
    assert outcomes == [ItemOutcome(0, True, "id-a"), ItemOutcome(1, True, "id-b"), ItemOutcome(2, True, "id-c")]


def test_a_created_entry_without_an_id_is_not_taken_for_created(make_client, fake):
    fake.script["Users.create"] = [{"errors": [], "result": [{"inputIndex": 0, "id": "id-a"}, {"inputIndex": 1, "id": ""}]}]
    with make_client() as client:
        outcomes = client.create_users([{"loginName": "a"}, {"loginName": "b"}])
    assert outcomes[0] == ItemOutcome(0, True, "id-a")
    assert not outcomes[1].ok and "neither" in outcomes[1].error.message


def test_a_batch_rejected_as_a_whole_is_sent_again_in_halves_until_the_bad_item_is_found(make_client, fake):
    fake.handlers["Groups.create"] = creating()
    # g1: rejected in the batch of g0..g3, in the half g0-g1, and alone; the other items pass.
    taken = rpc_error(1001, "Group %1 already exists.", "g1")
    fake.script["Groups.create"] = [taken, taken, creating()({"groups": [{"name": "g0"}]}), taken]
    with make_client() as client:
        outcomes = client.create_groups([{"name": f"g{n}"} for n in range(5)], batch_size=4)
    assert [outcome.ok for outcome in outcomes] == [True, False, True, True, True]
    assert [outcome.index for outcome in outcomes] == [0, 1, 2, 3, 4]
    assert outcomes[1].error == ItemError(1001, "Group g1 already exists.")
    assert all(outcome.id for outcome in outcomes if outcome.ok)
    sent = [[group["name"] for group in params["groups"]] for params in fake.params_of("Groups.create")]
    assert sent == [["g0", "g1", "g2", "g3"], ["g0", "g1"], ["g0"], ["g1"], ["g2", "g3"], ["g4"]]


def test_two_bad_items_with_the_same_message_are_both_found(make_client, fake):
    weak = rpc_error(1000, "The password does not meet the domain's policy.")
    fake.handlers["Users.create"] = lambda params: (
        weak if any(user["loginName"] in ("u1", "u6") for user in params["users"]) else creating()(params))
    with make_client() as client:
        outcomes = client.create_users([{"loginName": f"u{n}"} for n in range(8)], batch_size=8)
    assert [outcome.index for outcome in outcomes if not outcome.ok] == [1, 6]


def test_a_server_that_takes_no_item_of_a_batch_is_not_asked_item_by_item_again(make_client, fake):
    fake.handlers["Users.create"] = lambda params: rpc_error(1003, "User count license exceeded.")
    with make_client() as client:
        outcomes = client.create_users([{"loginName": f"u{n}"} for n in range(12)], batch_size=4)
    assert [outcome.error for outcome in outcomes] == [ItemError(1003, "User count license exceeded.")] * 12
    assert client.call_counts["Users.create"] == 7 + 1 + 1  # the first batch halved down to each item, the others sent once


def test_a_method_the_server_lacks_fails_each_item_without_halving(make_client, fake):
    # An older server without Groups.removeMemberList: no item is to blame, so none is looked for.
    fake.handlers["Groups.removeMemberList"] = lambda params: rpc_error(-32601, "Method not found.")
    with make_client() as client:
        outcomes = client.remove_group_members("g", [f"u{n}" for n in range(12)], batch_size=8)
    assert [outcome.error for outcome in outcomes] == [ItemError(-32601, "Method not found.")] * 12
    assert [outcome.id for outcome in outcomes] == [f"u{n}" for n in range(12)]
    assert client.call_counts["Groups.removeMemberList"] == 2  # each batch once


def test_a_connection_lost_while_halving_keeps_what_the_halves_before_it_did(make_client, fake):
    fake.handlers["Users.create"] = creating()
    fake.script["Users.create"] = [rpc_error(1000, "Bad user %1.", "u0"), rpc_error(1000, "Bad user %1.", "u0"),
                                   rpc_error(1000, "Bad user %1.", "u0"), creating()({"users": [{"loginName": "u1"}]}), 503]
    with make_client() as client:
        with pytest.raises(KerioConnectionError) as info:
            client.create_users([{"loginName": f"u{n}"} for n in range(4)], batch_size=4)
    assert [(outcome.index, outcome.ok) for outcome in info.value.completed] == [(0, False), (1, True)]


@pytest.mark.parametrize("code", [1004, -32001])
def test_missing_rights_or_a_lost_session_stop_the_batches(make_client, fake, code):
    fake.handlers["Groups.create"] = creating()
    fake.script["Groups.create"] = [creating()({"groups": [{"name": "g0"}, {"name": "g1"}]})] + [rpc_error(code, "Denied.")] * 3
    with make_client() as client:
        with pytest.raises(KerioApiError) as info:
            client.create_groups([{"name": f"g{n}"} for n in range(5)], batch_size=2)
    assert [outcome.ok for outcome in info.value.completed] == [True, True]
    assert client.call_counts["Groups.create"] == 2 + (code == -32001)  # an expired session is repeated once after a new login
    if code == 1004:
        assert "rights" in str(info.value) and "admin" in str(info.value)


def test_set_users_maps_errors(make_client, fake):
    fake.handlers["Users.set"] = lambda params: {"errors": [item_error(i, 1002, "User %1 does not exist.", user_id)
                                                            for i, user_id in enumerate(params["userIds"]) if user_id == "u2"]}
    with make_client() as client:
        outcomes = client.set_users(["u1", "u2", "u3"], {"isEnabled": False}, batch_size=2)
    assert outcomes == [ItemOutcome(0, True, "u1"), ItemOutcome(1, False, "u2", ItemError(1002, "User u2 does not exist.")),
                        ItemOutcome(2, True, "u3")]
    assert [params["pattern"] for params in fake.params_of("Users.set")] == [{"isEnabled": False}] * 2
    assert [params["userIds"] for params in fake.params_of("Users.set")] == [["u1", "u2"], ["u3"]]


def test_remove_users(make_client, fake):
    fake.handlers["Users.remove"] = lambda params: {"errors": [item_error(0, 1002, "No such user.")]}
    with make_client() as client:
        outcomes = client.remove_users([removal_request("u1"), removal_request("u2", delete_mailbox=True)])
    assert outcomes == [ItemOutcome(0, False, "u1", ItemError(1002, "No such user.")), ItemOutcome(1, True, "u2")]
    assert fake.params_of("Users.remove")[0]["requests"][1]["method"] == "UDeleteFolder"


def test_group_member_parameter_names(make_client, fake):
    with make_client() as client:
        added = client.add_group_members("g1", ["u1", "u2", "u3"], batch_size=2)
        removed = client.remove_group_members("g1", ["u1"])
    assert fake.params_of("Groups.addMemberList") == [{"groupId": "g1", "userList": ["u1", "u2"]}, {"groupId": "g1", "userList": ["u3"]}]
    assert fake.params_of("Groups.removeMemberList") == [{"groupId": "g1", "userIds": ["u1"]}]
    assert [outcome.id for outcome in added] == ["u1", "u2", "u3"] and removed == [ItemOutcome(0, True, "u1")]


def test_odd_input_index_is_not_guessed(make_client, fake):
    fake.script["Users.set"] = [{"errors": [item_error(7, 1000, "What?")]}]
    with make_client() as client:
        with pytest.raises(KerioProtocolError, match="inputIndex 7") as info:
            client.set_users(["u1", "u2"], {"isEnabled": True})
    assert info.value.outcome_unknown


def test_missing_input_index_with_a_single_item(make_client, fake):
    fake.script["Users.set"] = [{"errors": [{"code": 1000, "message": "Failed."}]}]
    with make_client() as client:
        assert client.set_users(["u1"], {"isEnabled": True}) == [ItemOutcome(0, False, "u1", ItemError(1000, "Failed."))]


def test_empty_batches_send_nothing(make_client, fake):
    with make_client() as client:
        assert client.create_users([]) == [] and client.add_group_members("g", []) == []
    assert fake.methods() == ["Session.login", "Session.logout"]


def test_other_helpers(make_client, fake):
    fake.handlers.update({
        "UserTemplates.getAvailable": lambda params: {"userTemplateList": [{"id": "t1", "name": "Staff"}]},
        "Domains.generatePassword": lambda params: {"password": "Gen3rated!"},
        "Domains.getUserCountInfo": lambda params: {"countInfo": {"currentUsers": 3, "allowedUsers": {"isUnlimited": True}}},
        "Users.getFromServer": lambda params: {"newUsers": [{"userItem": {"loginName": "jdoe"}, "isImportable": True, "message": ""}]},
    })
    server = {"directoryType": "ActiveDirectory", "address": "dc1", "loginName": "Administrator", "password": "Bind-S3cret"}
    with make_client() as client:
        assert client.available_templates(DOMAIN_ID) == [{"id": "t1", "name": "Staff"}]
        assert client.generate_password(DOMAIN_ID) == "Gen3rated!"
        assert client.user_count_info(DOMAIN_ID)["currentUsers"] == 3
        assert client.users_from_server(server, DOMAIN_ID)[0]["userItem"]["loginName"] == "jdoe"
    assert fake.params_of("UserTemplates.getAvailable") == [{"domainId": DOMAIN_ID}]
    assert fake.params_of("Users.getFromServer") == [{"importServer": server, "domainToImport": DOMAIN_ID}]


def test_who_am_i_and_address_holders(make_client, fake):
    group = {"kind": "EntityGroup", "name": "sales", "collisionAddress": "sales@example.com", "win": False, "isPattern": False}
    fake.handlers.update({
        "Session.whoAmI": lambda params: {"userDetails": {"id": "u-admin", "loginName": "admin"}},
        "Server.findEntityByEmail": lambda params: {"entities": [group] if "sales" in params["addresses"] else []},
    })
    with make_client() as client:
        assert client.who_am_i() == {"id": "u-admin", "loginName": "admin"}
        assert client.find_address_holders(DOMAIN_ID, ["a", "b", "sales", "c", "d"], lookup_size=2) == [group]
    assert fake.params_of("Server.findEntityByEmail") == [
        {"addresses": addresses, "updatedEntity": {"kind": "EntityUser"}, "domainId": DOMAIN_ID} for addresses in (["a", "b"], ["sales", "c"], ["d"])
    ]


def test_generate_password_without_password(make_client):
    with make_client() as client:
        with pytest.raises(KerioProtocolError):
            client.generate_password(DOMAIN_ID)


# Secrets ---------------------------------------------------------------------------------

def test_no_secret_anywhere(make_client, fake, caplog):
    """Every error path, with servers that even echo the secrets back: none may show a password."""
    bind_password = "B1nd-S3cret-Pw"
    secrets = (ADMIN_PASSWORD, USER_PASSWORD, bind_password, "wrong-" + ADMIN_PASSWORD)
    messages: list[str] = []
    shown: list[str] = []

    def record(error):
        shown.extend([str(error), repr(error), repr(vars(error)), str(error.args)])
        if isinstance(error, KerioConnectionError):
            shown.extend(repr(outcome) for outcome in error.completed)

    caplog.set_level(logging.DEBUG, logger="kerio.connect.api")
    # A wrong password, echoed by the server.
    fake.script["Session.login"] = [rpc_error(-32000, "Password %1 is not correct.", "wrong-" + ADMIN_PASSWORD)]
    with pytest.raises(KerioApiError) as info:
        with make_client(password="wrong-" + ADMIN_PASSWORD, log=messages.append):
            pass
    record(info.value)
    # TLS, connection, HTTP and protocol failures at login.
    for failure in (requests.exceptions.SSLError("certificate verify failed"), requests.exceptions.ConnectionError("reset"), 503, 404,
                    b"not json"):
        fake.script["Session.login"] = [failure] * 4
        with pytest.raises(KerioError) as info:
            with make_client(retries=1, log=messages.append):
                pass
        record(info.value)
    fake.script["Session.login"] = []
    client = make_client(log=messages.append)
    with client:
        shown.extend([repr(client), str(client), repr(vars(client)), repr(vars(client._session))])  # pylint: disable=protected-access
        users = [{"loginName": "a", "password": USER_PASSWORD}, {"loginName": "b", "password": USER_PASSWORD}]
        # Whole-call and per-item errors that echo the admin and the user password.
        echoed = rpc_error(1000, "Cannot log in as %1 with %2 (user %3)", "admin", ADMIN_PASSWORD, USER_PASSWORD)
        fake.script["Users.create"] = [echoed, echoed, echoed,  # the batch, then each of its halves
                                       {"errors": [item_error(1, 1000, "Password %1 is too weak.", USER_PASSWORD)],
                                        "result": [{"inputIndex": 0, "id": "x"}]},
                                       503]
        for outcome in client.create_users(users) + client.create_users(users):
            shown.append(repr(outcome))
            shown.append(str(outcome.error))
        with pytest.raises(KerioConnectionError) as info:
            client.create_users(users)
        record(info.value)
        fake.script["Users.set"] = [rpc_error(1000, "Bad pattern %1", USER_PASSWORD)]
        with pytest.raises(KerioApiError) as info:
            client.call("Users.set", {"userIds": ["x"], "pattern": {"password": USER_PASSWORD}})
        record(info.value)
        fake.script["Users.getFromServer"] = [rpc_error(1000, "Directory service error: bind as %1/%2 failed.", "cn=x", bind_password),
                                              requests.exceptions.ReadTimeout("timed out")] + [503] * 4
        for expected in (KerioApiError, KerioConnectionError):
            with pytest.raises(expected) as info:
                client.users_from_server({"address": "dc1", "loginName": "cn=x", "password": bind_password}, DOMAIN_ID)
            record(info.value)
        fake.token = "expired"
        fake.script["Users.get"] = [rpc_error(-32001, "Session expired.")]
        fake.handlers["Users.get"] = paged(USERS)
        client.list_users(DOMAIN_ID)
        shown.append(repr(client))
    shown.extend(messages)
    shown.extend(record.getMessage() for record in caplog.records)
    shown.append(caplog.text)
    assert len(shown) > 30 and any("Users.create" in text for text in shown)
    for text in shown:
        for secret in secrets:
            assert secret not in text, text
