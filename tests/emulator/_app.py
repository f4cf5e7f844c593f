# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The emulator without HTTP: the store and everything around it, and the non-JSON-RPC endpoints.

One lock guards all of it. The HTTP layer (_http.py) turns requests into calls of ``rpc``,
``upload``, ``download`` and ``control`` and sends back the ``Reply`` they return.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import threading
import typing as t

import _methods_domains
import _methods_groups
import _methods_import
import _methods_session
import _methods_templates
import _methods_users
from _document import dump_document, load_document
from _errors import OPERATION_FAILED, RpcError
from _faults import FAULTS_SPEC, Faults, Stats
from _files import Files, parse_multipart
from _query import QueryEngine
from _rpc import authenticate, dispatch, error_reply, json_reply, Reply, write_methods
from _sessions import Sessions

# Importing a method module registers its handlers in _rpc.METHODS; this names them all in one place.
METHOD_MODULES = (_methods_domains, _methods_groups, _methods_import, _methods_session, _methods_templates, _methods_users)


@dataclasses.dataclass(frozen=True)
class Options:
    admin_password: str
    seed: dict
    licence_limit: int | None = None
    latency_ms: int = 0
    ldap_ca_file: str | None = None


class Emulator:
    def __init__(self, options: Options, document: dict | None = None):
        """Start from ``document`` (a state file) when given, else from the seed."""
        self.options = options
        self.lock = threading.RLock()
        self.faults = Faults()
        self.stats = Stats()
        self._resets = 0
        # Writes the state file now; main() connects it to the state writer.
        self.flush_state: t.Callable[[], None] | None = None
        self._load(document if document is not None else options.seed)

    def _load(self, document: dict) -> None:
        self.store = load_document(document, admin_password=self.options.admin_password, licence_limit=self.options.licence_limit)
        self.sessions = Sessions()
        self.queries = QueryEngine()
        self.files = Files()

    def version(self) -> tuple[int, int]:
        """Changes whenever the store does; what the state writer watches."""
        return self._resets, self.store.generation

    def reset(self) -> None:
        """Back to the seed, as if freshly started without a state file: no sessions, faults or statistics."""
        with self.lock:
            self._load(self.options.seed)
            self._resets += 1
            self.faults.configure({})
            self.stats.reset()
            # The users just dropped hold reference cycles: collected now, not by whichever client
            # calls next (100,000 users take a third of a second to collect).
            gc.collect()

    # --- Kerio endpoints --------------------------------------------------------------------------------
    def rpc(self, body: bytes, cookie: str | None, token: str | None) -> Reply:
        return dispatch(self, body, cookie, token)

    def upload(self, content_type: str, body: bytes, cookie: str | None, token: str | None) -> Reply:
        """POST /admin/api/jsonrpc/upload/: multipart form data -> {"result": {"fileUpload": {...}}}."""
        try:
            with self.lock:
                authenticate(self, cookie, token)
                upload = parse_multipart(content_type, body)
                if upload is None:
                    raise RpcError(OPERATION_FAILED, "The upload must be multipart/form-data with a file.")
                return json_reply({"jsonrpc": "2.0", "id": None, "result": {"fileUpload": self.files.add_upload(*upload)}})
        except RpcError as error:
            return error_reply(None, error)

    def download(self, path: str, cookie: str | None, token: str | None) -> Reply:
        """GET of a Users.exportToCsv url; needs the session like every API call (PHP-SDK downloadFile)."""
        try:
            with self.lock:
                authenticate(self, cookie, token)
                found = self.files.download(path)
        except RpcError as error:
            return error_reply(None, error)
        if found is None:
            return Reply(b"Not found\n", 404, "text/plain")
        name, content = found
        return Reply(content, 200, "text/csv; charset=utf-8", [("Content-Disposition", f'attachment; filename="{name}"')])

    # --- /emulator/ control endpoints (tests only) --------------------------------------------------------
    def control(self, verb: str, path: str, body: bytes) -> Reply:
        route = (verb, path.rstrip("/"))
        if route == ("POST", "/emulator/flush"):
            if self.flush_state is None:
                return json_reply({"error": "this emulator keeps no state file"}, status=409, content_type="application/json")
            self.flush_state()  # takes the lock for its snapshot only
            return json_reply({}, content_type="application/json")
        with self.lock:
            if route == ("GET", "/emulator/stats"):
                return json_reply(self.stats.snapshot(write_methods()), content_type="application/json")
            if route == ("POST", "/emulator/stats/reset"):
                self.stats.reset()
            elif route == ("POST", "/emulator/faults"):
                return self._configure_faults(body)
            elif route == ("GET", "/emulator/state"):
                return json_reply(dump_document(self.store, for_tests=True), content_type="application/json")
            elif route == ("POST", "/emulator/reset"):
                self.reset()
            else:
                return json_reply({"error": f"no such control endpoint: {verb} {path}"}, status=404, content_type="application/json")
        return json_reply({}, content_type="application/json")

    def _configure_faults(self, body: bytes) -> Reply:
        try:
            config = json.loads(body or b"{}")
            FAULTS_SPEC.validate(config, "faults")
        except ValueError as error:
            return json_reply({"error": f"faults: {error}"}, status=400, content_type="application/json")
        except RpcError as error:
            return json_reply({"error": str(error.params[0])}, status=400, content_type="application/json")
        self.faults.configure(config)
        return json_reply({}, content_type="application/json")
