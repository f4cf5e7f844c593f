# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What tests use to run the Kerio emulator: start it as a subprocess, look inside it, break it, stop it.

    emulator = start_emulator(tmp_path, seed={"domains": [...]})
    ...  # point the code under test at emulator.url, verifying TLS against emulator.ca_path
    assert emulator.users()["jdoe"]["fullName"] == "John Doe"
    emulator.stop()

Standard library and requests only. Note for clients: requests lets REQUESTS_CA_BUNDLE (set on many
machines) override a Session's ``verify``; pass ``verify=ca_path`` per request, as done here.
"""

from __future__ import annotations

import json
import os
import pathlib
import selectors
import subprocess
import sys
import time

import requests

EMULATOR_SCRIPT = pathlib.Path(__file__).with_name("kerio_emulator.py")
READY_MARKER = "KERIO_EMULATOR_READY"
START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0
CONTROL_TIMEOUT_SECONDS = 60.0


class EmulatorError(RuntimeError):
    """The emulator did not start, or a control endpoint refused a request."""


class RunningEmulator:
    """A started emulator. ``url`` is "https://127.0.0.1:PORT"; verify TLS against ``ca_path``."""

    def __init__(self, process: subprocess.Popen, url: str, ca_path: str, admin_password: str, state_path: str):
        self.url = url
        self.ca_path = ca_path
        self.admin_user = "admin"
        self.admin_password = admin_password
        self.state_path = state_path
        self._process = process
        self._http = requests.Session()
        # Environment settings (REQUESTS_CA_BUNDLE, proxies) must not reach a loopback test server.
        self._http.trust_env = False

    def _control(self, verb: str, path: str, body: dict | None = None) -> dict:
        response = self._http.request(verb, self.url + path, json=body, verify=self.ca_path, timeout=CONTROL_TIMEOUT_SECONDS)
        if response.status_code != 200:
            raise EmulatorError(f"{verb} {path}: HTTP {response.status_code}: {response.text.strip()}")
        return response.json()

    def stats(self) -> dict[str, int]:
        """JSON-RPC calls per method since the start or the last reset_stats(); calls failed by an injected fault count too."""
        return self._control("GET", "/emulator/stats")["calls"]

    def write_calls(self) -> int:
        """Calls of methods that change state (create, set, remove, addMemberList, removeMemberList)."""
        return self._control("GET", "/emulator/stats")["writes"]

    def server_seconds(self) -> dict[str, float]:
        """Time the emulator spent per method (without injected latency): for performance tests."""
        return self._control("GET", "/emulator/stats")["seconds"]

    def reset_stats(self) -> None:
        self._control("POST", "/emulator/stats/reset")

    def flush(self) -> None:
        """Write the state file now, which the emulator would otherwise do half a second after the last change, whatever runs then."""
        self._control("POST", "/emulator/flush")

    def set_faults(self, **faults) -> None:
        """Replace the fault config: latency_ms, fail=[{method, nth, action: http503|drop}], expire_session_after, item_failures, atomic_batches."""
        self._control("POST", "/emulator/faults", faults)

    def state(self) -> dict:
        """Everything the emulator holds: domains with users (never a password: hasPassword, passwordSha256), groups, templates."""
        return self._control("GET", "/emulator/state")

    def users(self, domain: str = "example.com") -> dict[str, dict]:
        """loginName -> user (as in state()) of one domain."""
        for entry in self.state()["domains"]:
            if entry["name"].lower() == domain.lower():
                return {user["loginName"]: user for user in entry["users"]}
        raise KeyError(f"the emulator has no domain {domain}")

    def reset(self) -> None:
        """Back to the seed: no sessions, faults or statistics either."""
        self._control("POST", "/emulator/reset")

    def stop(self) -> None:
        """Stop the process (SIGTERM, so it writes its state file) and wait for it. Safe to call twice."""
        self._http.close()
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    @property
    def returncode(self) -> int | None:
        return self._process.poll()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _read_ready_line(process: subprocess.Popen, deadline: float) -> str | None:
    """The first stdout line, or None if the process ends or the deadline passes first."""
    data = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                return None
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                return None
            data += chunk
    return data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()


def start_emulator(workdir, *, seed: dict | str | None = None, admin_password: str = "Admin-Pa55", latency_ms: int = 0,
                   licence_limit: int | None = None, extra_args=()) -> RunningEmulator:
    """Start an emulator whose files (state.json, certs/, seed.json, emulator.stderr) live in ``workdir``.

    ``seed`` is a seed document or the path of one; None gives example.com with admin only. Starting
    again with the same workdir reuses its state file (persistence) and its CA.
    """
    workdir = pathlib.Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    state_path, cert_dir = workdir / "state.json", workdir / "certs"
    command = [
        sys.executable, str(EMULATOR_SCRIPT), "--port", "0", "--admin-password", admin_password,
        "--state", str(state_path), "--cert-dir", str(cert_dir),
    ]
    if isinstance(seed, dict):
        seed_path = workdir / "seed.json"
        seed_path.write_text(json.dumps(seed), encoding="utf-8")
        command += ["--seed", str(seed_path)]
    elif seed is not None:
        command += ["--seed", str(seed)]
    if latency_ms:
        command += ["--latency-ms", str(latency_ms)]
    if licence_limit is not None:
        command += ["--licence-limit", str(licence_limit)]
    command += [str(arg) for arg in extra_args]
    stderr_path = workdir / "emulator.stderr"
    with open(stderr_path, "ab") as stderr_file:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file)
    line = _read_ready_line(process, time.monotonic() + START_TIMEOUT_SECONDS)
    if line is None or not line.startswith(READY_MARKER + " "):
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()
        stderr = stderr_path.read_text(encoding="utf-8", errors="replace").strip()
        raise EmulatorError(
            f"the emulator did not get ready within {START_TIMEOUT_SECONDS:.0f} s (exit code {process.returncode}); "
            f"first stdout line: {line!r}; stderr:\n{stderr}"
        )
    return RunningEmulator(process, line.split(" ", 1)[1], str(cert_dir / "ca.pem"), admin_password, str(state_path))
