# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sessions (reference §2.3, §2.4): login, cookie AND X-Token, logout, whoAmI."""

from __future__ import annotations

import re

import pytest

ADMIN_PASSWORD = "Admin-Pa55"  # as in conftest.py
USER_PASSWORD = "Secret123"  # every seeded user's password in conftest.CONTRACT_SEED
APPLICATION = {"name": "tests", "vendor": "kerio.connect", "version": "1"}


def test_login_returns_a_64_hex_token_and_sets_the_session_cookie(make_client):
    client = make_client(login=False)
    response = client.post({"jsonrpc": "2.0", "id": 1, "method": "Session.login",
                            "params": {"userName": "admin", "password": ADMIN_PASSWORD, "application": APPLICATION}})
    assert re.fullmatch(r"[0-9a-f]{64}", response.json()["result"]["token"])
    cookie = response.headers["Set-Cookie"]
    assert re.match(r"SESSION_CONNECT_WEBADMIN=[^;]+; path=/admin/; Secure; HttpOnly$", cookie)


@pytest.mark.parametrize("user_name", ["admin", "admin@example.com", "ADMIN@Example.com", "admin@example.org"])
def test_login_accepts_the_name_alone_or_with_the_domain(make_client, user_name):
    client = make_client(login=False)
    client.login(user_name, ADMIN_PASSWORD)
    assert client.result("Session.whoAmI")["userDetails"]["loginName"] == "admin"


@pytest.mark.parametrize("user_name, password", [
    ("admin", "wrong"),
    ("nobody", ADMIN_PASSWORD),
    ("admin@strict.test", ADMIN_PASSWORD),
    ("jdoe", USER_PASSWORD),  # a user without an administrator role
])
def test_a_failed_login_says_username_or_password_is_not_correct(make_client, user_name, password):
    client = make_client(login=False)
    error = client.error("Session.login", {"userName": user_name, "password": password, "application": APPLICATION})
    assert error["message"] == "Username or password is not correct."
    assert error["code"] == -32000


def test_login_needs_username_with_a_capital_n(make_client):
    client = make_client(login=False)
    error = client.error("Session.login", {"username": "admin", "password": ADMIN_PASSWORD, "application": APPLICATION})
    assert error["code"] == -32602


def test_login_accepts_an_application_of_empty_strings(make_client):
    client = make_client(login=False)
    token = client.result("Session.login", {"userName": "admin", "password": ADMIN_PASSWORD,
                                            "application": {"name": "", "vendor": "", "version": ""}})["token"]
    assert token


def test_a_call_without_any_session_is_refused(make_client):
    client = make_client(login=False)
    assert client.error("Session.whoAmI")["code"] == -32001


def test_the_cookie_alone_is_not_enough(client):
    client.token = None
    assert client.error("Session.whoAmI")["code"] == -32001


def test_the_token_alone_is_not_enough(client):
    client.http.cookies.clear()
    assert client.error("Session.whoAmI")["code"] == -32001


def test_the_body_token_does_not_replace_the_header(client):
    token, client.token = client.token, None
    reply = client.post({"jsonrpc": "2.0", "id": 1, "method": "Session.whoAmI", "token": token}).json()
    assert reply["error"]["code"] == -32001


def test_a_token_of_another_session_is_refused(make_client):
    first, second = make_client(), make_client()
    first.token = second.token
    assert first.error("Session.whoAmI")["code"] == -32001


def test_logout_returns_a_redirect_url_and_a_second_logout_fails(client):
    assert "redirectUrl" in client.result("Session.logout")
    assert client.error("Session.logout")["code"] == -32001
    assert client.error("Session.whoAmI")["code"] == -32001


def test_who_am_i_describes_the_administrator(client):
    details = client.result("Session.whoAmI")["userDetails"]
    assert set(details) == {"id", "domainId", "loginName", "fullName", "effectiveRole"}
    assert details["effectiveRole"]["userRole"] == "FullAdmin"
    assert details["domainId"] == client.domain_id()


@pytest.mark.parametrize("role, may_write", [("Auditor", False), ("AccountAdmin", True)])
def test_an_auditor_may_log_in_and_read_but_not_write(client, make_client, emu, role, may_write):
    """Kerio's "whole server read only" administrator: writes are refused with 1004 (reference §4.2)."""
    right = {"userRole": role, "publicFolderRight": False, "archiveFolderRight": False}
    client.result("Users.create", {"users": [client.new_user("reader", role=right)]})
    reader = make_client(login=False)
    reader.login("reader", "Good-pass-123")
    assert reader.result("Session.whoAmI")["userDetails"]["effectiveRole"]["userRole"] == role
    assert "jdoe" in reader.logins()
    before = emu.users()
    reply = reader.call("Users.set", {"userIds": [reader.user_id("jdoe")], "pattern": {"description": "changed"}})
    if may_write:
        assert reply["result"] == {"errors": []}
    else:
        assert (reply["error"]["code"], reply["error"]["message"]) == (1004, "Insufficient rights to perform the requested operation.")
        assert emu.users() == before
