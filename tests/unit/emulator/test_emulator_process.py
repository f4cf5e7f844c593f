# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The emulator as a program: command line, start-up, TLS, the state file, speed."""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
import subprocess
import sys
import time

import pytest
import requests

from ansible_collections.kerio.connect.tests.emulator.harness import EMULATOR_SCRIPT, EmulatorError, start_emulator

SEED = {"domains": [{"name": "example.com", "isPrimary": True, "users": [{"loginName": "jdoe", "fullName": "John Doe", "password": "Seeded-Pa55"}]}]}


def test_help_documents_every_option():
    help_text = subprocess.run([sys.executable, str(EMULATOR_SCRIPT), "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("--port", "--admin-password", "--state", "--cert-dir", "--seed", "--bind", "--latency-ms", "--licence-limit", "--ldap-ca-file"):
        assert option in help_text


def test_it_starts_in_under_a_second_and_says_where(tmp_path):
    started = time.monotonic()
    running = start_emulator(tmp_path)
    try:
        assert time.monotonic() - started < 1.0
        assert re.fullmatch(r"https://127\.0\.0\.1:\d+", running.url)
        assert pathlib.Path(running.ca_path).is_file()
    finally:
        running.stop()
    assert running.returncode == 0  # SIGTERM is a clean stop


def test_without_a_seed_it_holds_example_com_and_admin(emulator):
    state = emulator.state()
    assert [(domain["name"], domain["isPrimary"]) for domain in state["domains"]] == [("example.com", True)]
    assert list(emulator.users()) == ["admin"]
    assert emulator.users()["admin"]["role"]["userRole"] == "FullAdmin"


def test_the_certificate_names_localhost_and_127_0_0_1(emulator):
    port = emulator.url.rsplit(":", 1)[1]
    for host in ("localhost", "127.0.0.1"):
        assert requests.get(f"https://{host}:{port}/emulator/stats", verify=emulator.ca_path, timeout=10).status_code == 200


def test_clients_that_do_not_trust_the_ca_are_refused(emulator):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(emulator.url + "/emulator/stats", verify=True, timeout=10)


def test_state_survives_a_restart_and_wins_over_the_seed(tmp_path, client_for):
    workdir = tmp_path / "emulator"
    first = start_emulator(workdir, seed=SEED)
    ca_before = pathlib.Path(first.ca_path).read_bytes()
    client = client_for(first)
    client.result("Users.create", {"users": [client.new_user("kept", fullName="Kept User")]})
    client.result("Users.set", {"userIds": [client.user_id("jdoe")], "pattern": {"fullName": "Changed"}})
    first.stop()
    second = start_emulator(workdir, seed=SEED)
    try:
        users = second.users()
        assert users["kept"]["fullName"] == "Kept User"
        assert users["jdoe"]["fullName"] == "Changed"
        assert users["kept"]["passwordSha256"] == hashlib.sha256(b"Good-pass-123").hexdigest()
        assert pathlib.Path(second.ca_path).read_bytes() == ca_before  # the CA is reused
    finally:
        second.stop()


def test_the_state_file_is_written_soon_after_a_change(emulator, client_for):
    client = client_for(emulator)
    client.result("Users.create", {"users": [client.new_user("soon")]})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        path = pathlib.Path(emulator.state_path)
        if path.exists() and "soon" in path.read_text(encoding="utf-8"):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the state file was not written within 5 s")
    json.loads(pathlib.Path(emulator.state_path).read_text(encoding="utf-8"))  # complete, never half-written


def test_flush_writes_the_state_file_at_once(emulator, client_for):
    client = client_for(emulator)
    client.result("Users.create", {"users": [client.new_user("flushed")]})
    state_file = pathlib.Path(emulator.state_path)
    # The writer waits for half a second of quiet; flush does not.
    assert not state_file.exists() or "flushed" not in state_file.read_text(encoding="utf-8")
    emulator.flush()
    assert "flushed" in state_file.read_text(encoding="utf-8")


def test_flush_without_a_state_writer_is_refused():
    # The program always connects a state writer, so the refusal is reached on the Emulator
    # object itself, in a fresh interpreter that imports the emulator's modules as its script does.
    code = (
        "import json, _app, _document\n"
        "app = _app.Emulator(_app.Options('Admin-Pa55', _document.DEFAULT_DOCUMENT))\n"
        "reply = app.control('POST', '/emulator/flush', b'')\n"
        "print(json.dumps({'status': reply.status, 'body': json.loads(reply.body)}))\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], cwd=EMULATOR_SCRIPT.parent, capture_output=True, text=True, check=True)
    assert json.loads(ran.stdout) == {"status": 409, "body": {"error": "this emulator keeps no state file"}}


def test_the_state_file_holds_no_clear_password(tmp_path, client_for):
    running = start_emulator(tmp_path, seed=SEED, admin_password="Admin-Clear-1")
    client = client_for(running)
    client.result("Users.create", {"users": [client.new_user("hidden", password="Very-Secret-99")]})
    running.stop()
    text = pathlib.Path(running.state_path).read_text(encoding="utf-8")
    for secret in ("Very-Secret-99", "Seeded-Pa55", "Admin-Clear-1"):
        assert secret not in text


def test_a_seed_a_real_server_could_not_hold_is_refused_with_a_clear_error(tmp_path):
    seed = {"domains": [{"name": "example.com", "users": [{"loginName": "bad name", "password": "x"}]}]}
    with pytest.raises(EmulatorError, match="bad name"):
        start_emulator(tmp_path, seed=seed)


def test_the_demo_seed_loads(tmp_path, client_for):
    running = start_emulator(tmp_path, seed=str(EMULATOR_SCRIPT.with_name("seed-demo.json")))
    try:
        client = client_for(running)
        assert client.result("Domains.getUserCountInfo", {"domainId": client.domain_id()})["countInfo"]["allowedUsers"]["limitType"] == "LicenseLimit"
        assert set(running.users()) >= {"admin", "jdoe", "former.employee"}
        assert [t["name"] for t in client.result("UserTemplates.getAvailable", {"domainId": client.domain_id()})["userTemplateList"]] == ["Staff", "Contractor"]
    finally:
        running.stop()


def test_bulk_users_are_created_in_batches_and_read_in_pages(emulator, client_for):
    """20,000 users in batches of 500 and pages of 1,000: every page is right and totalItems counts before paging.

    How fast this is belongs to the benchmark (make bench), not to a test that times it.
    """
    client = client_for(emulator)
    domain_id = client.domain_id()
    emulator.reset_stats()
    for batch in range(40):
        users = [{"domainId": domain_id, "loginName": f"bulk{batch:03d}.{number:03d}", "password": "Bulk-Pa55", "fullName": f"Bulk User {batch} {number}",
                  "emailAddresses": [f"bulk.{batch}.{number}"]} for number in range(500)]
        assert client.result("Users.create", {"users": users})["errors"] == []
    logins = []
    for page in range(21):
        query = {"start": page * 1000, "limit": 1000, "orderBy": [{"columnName": "loginName", "direction": "Asc"}]}
        result = client.result("Users.get", {"query": query, "domainId": domain_id})
        logins.extend(user["loginName"] for user in result["list"])
        assert result["totalItems"] == 20001
    assert len(logins) == len(set(logins)) == 20001 and logins == sorted(logins, key=str.casefold)
    assert emulator.stats()["Users.create"] == 40 and emulator.stats()["Users.get"] == 21
