# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What tests can see and break through /emulator/: call statistics and injected faults. Not part of Kerio."""

from __future__ import annotations

import collections

from _schema import BOOL, INT, STRING, Enum, ListOf, Struct

FAULTS_SPEC = Struct("faults", {
    "latency_ms": INT,
    "fail": ListOf(Struct("FailRule", {"method": STRING, "nth": INT, "action": Enum("FailAction", "http503", "drop")}, complete=True)),
    "expire_session_after": INT,
    "item_failures": ListOf(STRING),
    "atomic_batches": BOOL,
})


class Faults:
    """The fault config; POST /emulator/faults replaces all of it, and every fault is off by default."""

    def __init__(self):
        self.configure({})

    def configure(self, config: dict) -> None:
        """Replace the config; the caller has checked it against FAULTS_SPEC."""
        self.latency_ms = max(0, config.get("latency_ms", 0))
        self._fail_rules = [(rule["method"], rule["nth"], rule["action"]) for rule in config.get("fail", [])]
        self._calls_since_config: collections.Counter = collections.Counter()
        self._sessions_left = config.get("expire_session_after")
        self._failing_logins = {name.lower() for name in config.get("item_failures", [])}
        # A batch write is all or nothing (see _rpc.for_each_item).
        self.atomic_batches = config.get("atomic_batches", False)

    def transport_failure(self, method: str) -> str | None:
        """Count a call; "http503" or "drop" when it is the nth call of a method named in ``fail``."""
        self._calls_since_config[method] += 1
        count = self._calls_since_config[method]
        return next((action for name, nth, action in self._fail_rules if name == method and nth == count), None)

    def session_expires_now(self) -> bool:
        """Called for each authenticated call: True (once) when the allowance of expire_session_after is used up."""
        if self._sessions_left is None:
            return False
        if self._sessions_left <= 0:
            self._sessions_left = None
            return True
        self._sessions_left -= 1
        return False

    def item_fails(self, login_name: str) -> bool:
        return login_name.lower() in self._failing_logins


class Stats:
    """JSON-RPC calls per method, and the server time spent on them (without injected latency)."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.calls: collections.Counter = collections.Counter()
        self.seconds: collections.Counter = collections.Counter()

    def record(self, method: str, seconds: float) -> None:
        self.calls[method] += 1
        self.seconds[method] += seconds

    def snapshot(self, write_methods) -> dict:
        return {
            "calls": dict(self.calls),
            "total": sum(self.calls.values()),
            "writes": sum(count for method, count in self.calls.items() if method in write_methods),
            "seconds": {method: round(seconds, 6) for method, seconds in self.seconds.items()},
        }
