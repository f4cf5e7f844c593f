# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTPS: routes requests to the emulator (_app.Emulator) and writes back its replies.

One thread per connection (ThreadingHTTPServer), HTTP/1.1 keep-alive so a client's connection pool
is exercised as against a real server. The TLS handshake runs in the connection's thread.
"""

from __future__ import annotations

import http.cookies
import http.server
import ipaddress
import socket
import sys
import urllib.parse

from _files import DOWNLOAD_PREFIX
from _rpc import Reply
from _sessions import COOKIE_NAME

RPC_PATHS = ("/admin/api/jsonrpc", "/admin/api/jsonrpc/")  # both forms work (reference §2.1)
UPLOAD_PATHS = ("/admin/api/jsonrpc/upload", "/admin/api/jsonrpc/upload/")
CONTROL_PREFIX = "/emulator/"
MAX_BODY_BYTES = 256 * 1024 * 1024
IDLE_TIMEOUT_SECONDS = 60


def _text(status: int, text: str) -> Reply:
    return Reply(text.encode("utf-8") + b"\n", status, "text/plain; charset=utf-8")


class RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm the body then waits for
    # the client's delayed ACK, about 40 ms a call on loopback.
    disable_nagle_algorithm = True
    server_version = "KerioConnectEmulator/1.0"
    timeout = IDLE_TIMEOUT_SECONDS

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        body = self._read_body()
        if body is None:
            return
        app = self.server.app
        if path.startswith(CONTROL_PREFIX):
            reply = self._control("POST", path, body)
        elif path in RPC_PATHS:
            reply = app.rpc(body, self._session_cookie(), self.headers.get("X-Token"))
        elif path in UPLOAD_PATHS:
            reply = app.upload(self.headers.get("Content-Type", ""), body, self._session_cookie(), self.headers.get("X-Token"))
        else:
            reply = _text(404, "Not found")
        self._send(reply)

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith(CONTROL_PREFIX):
            reply = self._control("GET", path, b"")
        elif path.startswith(DOWNLOAD_PREFIX):
            reply = self.server.app.download(path, self._session_cookie(), self.headers.get("X-Token"))
        elif path in RPC_PATHS or path in UPLOAD_PATHS:
            reply = _text(405, "Use POST")
        else:
            reply = _text(404, "Not found")
        self._send(reply)

    def _control(self, verb: str, path: str, body: bytes) -> Reply:
        # The test-only endpoints answer loopback clients only, whatever --bind says.
        if not ipaddress.ip_address(self.client_address[0]).is_loopback:
            return _text(403, "The /emulator/ endpoints answer loopback clients only")
        return self.server.app.control(verb, path, body)

    def _read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit() or int(length) > MAX_BODY_BYTES:
            self._send(_text(411, "A Content-Length (at most 256 MiB) is required"))
            return None
        return self.rfile.read(int(length))

    def _session_cookie(self) -> str | None:
        cookies = http.cookies.SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie", ""))
        except http.cookies.CookieError:
            return None
        morsel = cookies.get(COOKIE_NAME)
        return morsel.value if morsel else None

    def _send(self, reply: Reply) -> None:
        if reply.drop:  # injected fault: close the connection without a response
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.status >= 500:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format, *args) -> None:  # pylint: disable=redefined-builtin
        """Quiet: stdout carries only the READY line, and a test run does not want a line per request."""


class EmulatorServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app, ssl_context):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, RequestHandler)
        self.app = app
        self.socket = ssl_context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up or refuses the certificate costs one line on stderr, not a traceback."""
        sys.stderr.write(f"kerio-emulator: connection from {client_address[0]}: {sys.exc_info()[1]!r}\n")
