# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the emulator's contract tests: one emulator per test module (reset before each test),
and a bare JSON-RPC client built on requests (the product's own client is under test elsewhere)."""

from __future__ import annotations

import itertools
import json

import pytest
import requests

from ansible_collections.kerio.connect.tests.emulator.harness import start_emulator

ADMIN_PASSWORD = "Admin-Pa55"
USER_PASSWORD = "Secret123"

# example.com: admin (added by the emulator), jdoe, asmith, bwhite (disabled), Carl.Young.
# strict.test: at most 3 users, password policy of 10 characters and 3 character classes.
CONTRACT_SEED = {
    "domains": [
        {
            "name": "example.com",
            "isPrimary": True,
            "aliasList": ["example.org"],
            "groups": [
                {"name": "sales", "description": "Sales team", "emailAddresses": ["sales"]},
                {"name": "support", "description": "Support team", "emailAddresses": ["helpdesk"]},
            ],
            "aliases": [{"name": "info", "deliverTo": "jdoe@example.com"}],
            "users": [
                {"loginName": "jdoe", "fullName": "John Doe", "description": "Sales lead", "emailAddresses": ["john.doe"],
                 "password": USER_PASSWORD, "groups": ["sales"]},
                {"loginName": "asmith", "fullName": "Anna Smith", "description": "Support", "password": USER_PASSWORD, "groups": ["support"]},
                {"loginName": "bwhite", "fullName": "bob White", "description": "Sales", "isEnabled": False, "password": USER_PASSWORD,
                 "groups": ["sales", "support"]},
                {"loginName": "Carl.Young", "fullName": "Carl Young", "description": "", "password": USER_PASSWORD},
            ],
            "templates": [
                {"name": "Staff", "description": "Staff member", "diskSizeLimit": {"isActive": True, "limit": {"value": 2, "units": "GigaBytes"}},
                 "userGroups": ["sales"]},
                {"name": "Admins", "description": "Administrators", "role": {"userRole": "FullAdmin"}},
            ],
        },
        {
            "name": "strict.test",
            "userMaxCount": 3,
            "passwordComplexityEnabled": True,
            "passwordMinimumLength": 10,
            "users": [{"loginName": "first", "password": "Long-enough-1"}],
            "templates": [{"name": "Strict only", "description": "Only for strict.test"}],
        },
    ],
    "templates": [{"name": "Everywhere", "description": "Any domain"}],
    "nt_domains": {
        "CORP": {
            "users": [
                {"loginName": "pnovak", "fullName": "Petr Novak", "description": "Accounting", "emailAddresses": ["petr.novak"]},
                {"loginName": "jdoe", "fullName": "John Doe", "description": "Already in Kerio"},
                {"loginName": "bad name", "fullName": "Bad Name"},
            ],
            "groups": [{"name": "accounting", "description": "Accounting", "members": ["pnovak"]}],
        },
    },
}


class Client:
    """JSON-RPC over HTTPS with nothing but requests. ``token`` goes out as X-Token; cookies as the server set them."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.http = requests.Session()
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=
        self.token = None
        self._ids = itertools.count(1)

    def post(self, body, *, path: str = "/admin/api/jsonrpc/", headers: dict | None = None) -> requests.Response:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        all_headers = {"Content-Type": "application/json-rpc; charset=UTF-8", "Accept": "application/json-rpc"}
        if self.token:
            all_headers["X-Token"] = self.token
        all_headers.update(headers or {})
        return self.http.post(self.emulator.url + path, data=data, headers=all_headers, verify=self.emulator.ca_path, timeout=60)

    def get(self, path: str, *, headers: dict | None = None) -> requests.Response:
        all_headers = {"X-Token": self.token} if self.token else {}
        all_headers.update(headers or {})
        return self.http.get(self.emulator.url + path, headers=all_headers, verify=self.emulator.ca_path, timeout=60)

    def upload(self, content: bytes, name: str = "users.csv") -> requests.Response:
        """POST /admin/api/jsonrpc/upload/ as a multipart form, the way the PHP SDK does."""
        headers = {"X-Token": self.token} if self.token else {}
        files = {"newFile.bin": (name, content, "application/octet-stream")}
        return self.http.post(self.emulator.url + "/admin/api/jsonrpc/upload/", files=files, headers=headers, verify=self.emulator.ca_path, timeout=60)

    def call(self, method: str, params=None, **envelope) -> dict:
        request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, **envelope}
        if params is not None:
            request["params"] = params
        response = self.post(request)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/json-rpc")
        return response.json()

    def result(self, method: str, params=None) -> dict:
        reply = self.call(method, params)
        assert "error" not in reply, reply
        return reply["result"]

    def error(self, method: str, params=None) -> dict:
        reply = self.call(method, params)
        assert "result" not in reply, reply
        return reply["error"]

    def login(self, user: str = "admin", password: str = ADMIN_PASSWORD) -> str:
        application = {"name": "tests", "vendor": "kerio.connect", "version": "1"}
        self.token = self.result("Session.login", {"userName": user, "password": password, "application": application})["token"]
        return self.token

    def domain_id(self, name: str = "example.com") -> str:
        query = {"fields": ["id"], "conditions": [{"fieldName": "name", "comparator": "Eq", "value": name}]}
        return self.result("Domains.get", {"query": query})["list"][0]["id"]

    def users(self, domain: str = "example.com", **query) -> list[dict]:
        return self.result("Users.get", {"query": query, "domainId": self.domain_id(domain)})["list"]

    def logins(self, domain: str = "example.com", **query) -> list[str]:
        return [user["loginName"] for user in self.users(domain, fields=["loginName"], **query)]

    def user_id(self, login_name: str, domain: str = "example.com") -> str:
        condition = {"fieldName": "loginName", "comparator": "Eq", "value": login_name}
        return self.users(domain, fields=["id"], conditions=[condition])[0]["id"]

    def group_id(self, name: str, domain: str = "example.com") -> str:
        query = {"fields": ["id"], "conditions": [{"fieldName": "name", "comparator": "Eq", "value": name}]}
        return self.result("Groups.get", {"query": query, "domainId": self.domain_id(domain)})["list"][0]["id"]

    def new_user(self, login_name: str, domain: str = "example.com", **members) -> dict:
        """A User struct for Users.create with a password that meets every seeded policy."""
        return {"domainId": self.domain_id(domain), "loginName": login_name, "password": "Good-pass-123", **members}

    def close(self) -> None:
        self.http.close()


@pytest.fixture(scope="module")
def contract_emulator(tmp_path_factory):
    running = start_emulator(tmp_path_factory.mktemp("contract"), seed=CONTRACT_SEED, admin_password=ADMIN_PASSWORD)
    yield running
    running.stop()


@pytest.fixture
def emu(contract_emulator):
    """The module's emulator, back at the contract seed."""
    contract_emulator.reset()
    return contract_emulator


@pytest.fixture
def client_for():
    """client_for(emulator, login=True) -> a Client of any running emulator; closed after the test."""
    clients = []

    def make(emulator, login: bool = True) -> Client:
        client = Client(emulator)
        if login:
            client.login(password=emulator.admin_password)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def make_client(emu, client_for):
    """make_client(login=True) -> another Client of the module's emulator."""
    return lambda login=True: client_for(emu, login)


@pytest.fixture
def contract_emulator_factory(emulator_factory):
    """contract_emulator_factory(**options) -> one more emulator of the contract seed, started with these options."""
    return lambda **options: emulator_factory(seed=CONTRACT_SEED, admin_password=ADMIN_PASSWORD, **options)


@pytest.fixture
def licensed_client(contract_emulator_factory, client_for):
    """licensed_client(limit) -> an admin session on an emulator of the contract seed started with --licence-limit."""
    return lambda limit: client_for(contract_emulator_factory(licence_limit=limit))


@pytest.fixture
def client(make_client) -> Client:
    """An admin session on a freshly reset emulator."""
    return make_client()
