# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""JSON-RPC 2.0 as Kerio speaks it: the envelope, the method registry, sessions, faults and statistics.

Order of checks for one request: JSON (-32700), envelope (-32600), injected transport faults,
method (-32601), session (-32001), params (-32602), then the handler. Every answer is HTTP 200
with the request's ``id`` echoed unchanged (reference §2.1, §2.2), except injected faults.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import sys
import time
import traceback
import typing as t

from _errors import ACCESS_DENIED, INTERNAL_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, SESSION_EXPIRED, ItemError, RpcError
from _jsontext import encode
from _model import ROLE_RANK, role_rank
from _schema import Struct, check_params
from _sessions import Session

CONTENT_TYPE = "application/json-rpc"
ENVELOPE_MEMBERS = frozenset(("jsonrpc", "id", "method", "params", "token"))


@dataclasses.dataclass(frozen=True)
class Method:
    handler: t.Callable
    params: Struct
    writes: bool
    public: bool
    locked: bool


METHODS: dict[str, Method] = {}


def rpc_method(name: str, params: dict | None = None, *, writes=False, public=False, locked=True):
    """Register a handler. Params are named and all required: every in-param of the IDL signature.

    ``writes`` marks methods that change state (counted by the harness's write_calls). ``public``
    methods need no session (only Session.login). A handler with ``locked=False`` does slow I/O and
    takes ``call.app.lock`` itself around the parts that touch the store.
    """
    def register(handler):
        METHODS[name] = Method(handler, Struct("params", params or {}, complete=True), writes, public, locked)
        return handler
    return register


# An Auditor may log in and read; writing takes an account administrator (reference §4.2: 1004).
WRITER_RANK = ROLE_RANK["AccountAdmin"]


def write_methods() -> frozenset:
    return frozenset(name for name, method in METHODS.items() if method.writes)


@dataclasses.dataclass
class Call:
    """One method call as a handler sees it."""

    app: t.Any
    params: dict = dataclasses.field(default_factory=dict)
    session: Session | None = None
    response_headers: list = dataclasses.field(default_factory=list)

    @property
    def store(self):
        return self.app.store

    @property
    def user(self):
        return self.app.store.users[self.session.user_id]

    def listing(self, collection, scope: str, entities, list_name: str = "list") -> dict:
        """The result of a ``*.get``: ``params.query`` run over ``entities`` (a callable), and totalItems.

        ``scope`` tells the cached results of different domains apart."""
        found, total = self.app.queries.run(collection, self.params["query"], scope, entities, self.store.generation)
        return {list_name: found, "totalItems": total}


def for_each_item(call: Call, items: list, apply) -> tuple[list, list]:
    """Apply a batch item by item: (errors, created). A failing item is listed in errors and the others go on.

    ``apply`` returns the id of a created entity (listed as a CreateResult) or None.

    With the atomic_batches fault the batch is all or nothing instead, the other behaviour the
    reference leaves open (§4.1, §11.7): the first failing item undoes the items before it and
    becomes the error of the whole call.
    """
    atomic = call.app.faults.atomic_batches
    before = copy.deepcopy(call.app.store) if atomic and len(items) > 1 else None
    errors, created = [], []
    for index, item in enumerate(items):
        try:
            new_id = apply(item)
        except ItemError as failure:
            if atomic:
                if before is not None:
                    before.generation = call.app.store.generation + 1  # what the undone items changed is stale in every cache
                    call.app.store = before
                raise
            errors.append(failure.to_json(index))
            continue
        if new_id is not None:
            created.append({"inputIndex": index, "id": new_id})
    return errors, created


@dataclasses.dataclass
class Reply:
    """What the HTTP layer sends: a body, or nothing at all when ``drop`` (an injected dropped connection)."""

    body: bytes = b""
    status: int = 200
    content_type: str = CONTENT_TYPE
    headers: list = dataclasses.field(default_factory=list)
    drop: bool = False


def json_reply(payload, *, status: int = 200, content_type: str = CONTENT_TYPE, headers=()) -> Reply:
    return Reply(encode(payload).encode("utf-8"), status, content_type, list(headers))


def error_reply(request_id, error: RpcError) -> Reply:
    return json_reply({"jsonrpc": "2.0", "id": request_id, "error": error.to_json()})


def _envelope_problem(request) -> RpcError | None:
    # A batch (array) is refused: no client uses one and support is unknown (reference §2.1) - the stricter choice.
    if not isinstance(request, dict) or isinstance(request.get("id"), (dict, list)):
        return RpcError(INVALID_REQUEST, "Invalid request.")
    unknown = sorted(set(request) - ENVELOPE_MEMBERS)
    if unknown:
        return RpcError(INVALID_REQUEST, "Invalid request: unknown member %1.", unknown[0])
    if request.get("jsonrpc") != "2.0":
        return RpcError(INVALID_REQUEST, "Invalid request: jsonrpc must be \"2.0\".")
    if not isinstance(request.get("method"), str) or not request["method"]:
        return RpcError(INVALID_REQUEST, "Invalid request: method is missing.")
    if request.get("params") not in (None, "") and not isinstance(request["params"], dict):
        return RpcError(INVALID_REQUEST, "Invalid request: params must be an object.")
    return None


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON (RFC 8259); accepting them would also make the echoed id invalid JSON.
    raise ValueError(f"{name} is not JSON")


def dispatch(app, body: bytes, cookie: str | None, token: str | None) -> Reply:
    """Answer one JSON-RPC request. The body ``token`` member is tolerated and ignored: the header counts."""
    try:
        request = json.loads(body, parse_constant=_refuse_constant)
    except ValueError:  # also covers bytes that are not UTF-8
        return error_reply(None, RpcError(PARSE_ERROR, "Parse error."))
    problem = _envelope_problem(request)
    if problem is not None:
        request_id = request.get("id") if isinstance(request, dict) else None
        return error_reply(request_id if not isinstance(request_id, (dict, list)) else None, problem)
    name, request_id = request["method"], request.get("id")
    with app.lock:
        failure = app.faults.transport_failure(name)
        latency_ms = app.options.latency_ms + app.faults.latency_ms
        if failure is not None:
            app.stats.record(name, 0.0)
    if failure == "drop":
        return Reply(drop=True)
    if failure == "http503":
        return Reply(b"Service Unavailable (injected by the emulator)\n", 503, "text/plain")
    if latency_ms:
        time.sleep(latency_ms / 1000.0)
    started = time.thread_time()
    call = Call(app)
    try:
        reply = json_reply({"jsonrpc": "2.0", "id": request_id, "result": _invoke(call, name, request.get("params"), cookie, token)},
                           headers=call.response_headers)
    except RpcError as error:
        reply = error_reply(request_id, error)
    except ItemError as failure:  # the call's own subject (its domainId, groupId) failed, not one item of a batch
        reply = error_reply(request_id, failure.as_call_error())
    except Exception:  # a bug in the emulator: say so in the answer and on stderr, keep serving
        traceback.print_exc(file=sys.stderr)
        reply = error_reply(request_id, RpcError(INTERNAL_ERROR, "Internal error in the emulator: %1.", name))
    with app.lock:
        app.stats.record(name, time.thread_time() - started)
    return reply


def _invoke(call: Call, name: str, params, cookie: str | None, token: str | None) -> dict:
    app = call.app
    method = METHODS.get(name)
    if method is None:
        raise RpcError(METHOD_NOT_FOUND, "Method %1 not found.", name)
    with app.lock:
        if not method.public:
            call.session = authenticate(app, cookie, token)
            if method.writes and role_rank(call.user) < WRITER_RANK:
                raise RpcError(ACCESS_DENIED, "Insufficient rights to perform the requested operation.")
        call.params = check_params(method.params, params)
        if method.locked:
            return method.handler(call)
    return method.handler(call)


def authenticate(app, cookie: str | None, token: str | None) -> Session:
    """The caller's session, or -32001. Also where the expire_session_after fault strikes. Needs the lock."""
    session = app.sessions.find(cookie, token)
    if session is not None and app.faults.session_expires_now():
        app.sessions.close_all()
        session = None
    if session is None or session.user_id not in app.store.users:
        raise RpcError(SESSION_EXPIRED, "Session expired.")
    return session
