# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the changes made for large imports (see docs/benchmarks.md) must keep true.

The client reads the environment once instead of per request, shares the group dicts of the
users it reads, and the importer pauses the cyclic garbage collector: none of it may change what
a user sees.
"""

from __future__ import annotations

import gc
import shutil

import certifi
import pytest

from ansible_collections.kerio.connect.plugins.plugin_utils import _importer
from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import KerioClient
from ansible_collections.kerio.connect.tests.unit.plugins.plugin_utils.fake_kerio import ADMIN_PASSWORD, URL, FakeKerio

DOMAIN_ID = "keriodb://domain/1"


def recorder(users=()):
    """A fake Kerio that answers Users.get with ``users``."""
    fake = FakeKerio()
    fake.handlers["Users.get"] = lambda params: {"list": list(users), "totalItems": len(users)}
    return fake


def client(fake, **options):
    made = KerioClient(URL, "admin", ADMIN_PASSWORD, **options)
    made._session._http.mount("https://", fake)  # pylint: disable=protected-access
    return made


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy",
                 "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", "/nonexistent/netrc")


def test_proxy_variables_still_apply_to_every_request(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    fake = recorder()
    with client(fake) as kerio:
        kerio.list_users(DOMAIN_ID, ["id"])
    assert [call.proxies.get("https") for call in fake.calls] == ["http://proxy.example.test:3128"] * 3


def test_no_proxy_still_exempts_the_server(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    monkeypatch.setenv("NO_PROXY", "kerio.test")
    fake = recorder()
    with client(fake):
        pass
    assert all(not call.proxies.get("https") for call in fake.calls)


def test_requests_ca_bundle_applies_only_without_ca_path(monkeypatch, tmp_path):
    bundle, own = tmp_path / "bundle.pem", tmp_path / "own.pem"
    bundle.write_text("x")  # requests reads it, not the client
    shutil.copyfile(certifi.where(), own)  # ca_path is checked to hold PEM certificates
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    for options, expected in (({}, str(bundle)), ({"ca_path": str(own)}, str(own)), ({"validate_certs": False}, False)):
        fake = recorder()
        with client(fake, **options):
            pass
        assert {call.verify for call in fake.calls} == {expected}, options


def test_members_of_a_group_share_its_dict_and_see_the_same_data():
    sales = {"id": "g1", "name": "sales", "description": "", "itemSource": "DSInternalSource"}
    users = [{"id": f"u{n}", "loginName": f"user{n}", "userGroups": [dict(sales)]} for n in range(3)]
    users.append({"id": "u9", "loginName": "odd", "userGroups": [{"id": "g2", "name": "x", "tags": ["a"]}]})  # unhashable: own copy
    with client(recorder(users)) as kerio:
        read = kerio.list_users(DOMAIN_ID, ["id", "loginName", "userGroups"])
    assert read == users
    assert read[0]["userGroups"][0] is read[1]["userGroups"][0] is read[2]["userGroups"][0]


def test_the_collector_is_paused_for_the_import_and_restored_after_a_failure():
    seen = []

    @_importer._cyclic_gc_paused()  # pylint: disable=protected-access
    def work():
        seen.append(gc.isenabled())
        raise ValueError("stop")

    assert gc.isenabled()
    with pytest.raises(ValueError):
        work()
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        work_again = _importer._cyclic_gc_paused()(lambda: seen.append(gc.isenabled()))  # pylint: disable=protected-access
        work_again()
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
