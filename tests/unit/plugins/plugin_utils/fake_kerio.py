# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A scripted Kerio server living inside requests, for the client's unit tests: no sockets, no TLS.

    fake = FakeKerio()
    client = KerioClient(URL, "admin", ADMIN_PASSWORD)
    client._session._http.mount("https://", fake)
"""

from __future__ import annotations

import json

import requests
import requests.adapters
from requests.structures import CaseInsensitiveDict

URL = "https://kerio.test:4040"
ADMIN_PASSWORD = "Adm1n-S3cret-Pw"


def rpc_error(code, message, *positional):
    return {"error": {"code": code, "message": message,
                      "data": {"messageParameters": {"positionalParameters": list(positional), "plurality": 1}}}}


class Call:
    """One request the fake received, with the TLS verification and proxies requests used for it."""

    # pylint: disable-next=too-many-arguments,too-many-positional-arguments
    def __init__(self, method, params, headers, body, verify=True, proxies=None):
        self.method, self.params, self.headers, self.body = method, params, headers, body
        self.verify, self.proxies = verify, dict(proxies or {})


class FakeKerio(requests.adapters.BaseAdapter):
    """A scripted Kerio server living inside requests: no sockets, no TLS.

    ``script[method]`` is a list of actions used one per call before the default behaviour:
    a dict (a result, or ``{"error": …}``), an int (an HTTP status with an HTML body), a
    ``(status, location)`` pair (a redirect), bytes (a raw 200 body) or an exception to raise as requests would.
    """

    def __init__(self, password=ADMIN_PASSWORD):
        super().__init__()
        self.password = password
        self.calls: list[Call] = []
        self.script: dict[str, list] = {}
        self.handlers: dict = {}
        self.token = None
        self.logins = 0

    def methods(self):
        return [call.method for call in self.calls]

    def params_of(self, method):
        return [call.params for call in self.calls if call.method == method]

    # pylint: disable-next=too-many-arguments,too-many-positional-arguments
    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        body = json.loads(request.body)
        method, params = body["method"], body.get("params")
        self.calls.append(Call(method, params, dict(request.headers), body, verify, proxies))
        queued = self.script.get(method)
        action = queued.pop(0) if queued else self.default(method, params, request.headers)
        if isinstance(action, BaseException):
            raise action
        if isinstance(action, int):
            return self.response(request, action, b"<html>error</html>")
        if isinstance(action, tuple):
            status, location = action
            redirect = self.response(request, status, b"")
            redirect.headers["Location"] = location
            return redirect
        if isinstance(action, bytes):
            return self.response(request, 200, action)
        envelope = {"jsonrpc": "2.0", "id": body["id"]}
        if set(action) == {"error"}:
            envelope["error"] = action["error"]
        else:
            envelope["result"] = action
        return self.response(request, 200, json.dumps(envelope).encode())

    def default(self, method, params, headers):
        if method == "Session.login":
            if params.get("userName") != "admin" or params.get("password") != self.password:
                return rpc_error(-32000, "Username or password is not correct.")
            self.logins += 1
            self.token = f"{self.logins:064x}"
            return {"token": self.token}
        if headers.get("X-Token") != self.token or self.token is None:
            return rpc_error(-32001, "Session expired.")
        if method == "Session.logout":
            self.token = None
            return {"redirectUrl": ""}
        if method in self.handlers:
            return self.handlers[method](params)
        return {}

    @staticmethod
    def response(request, status, content):
        response = requests.Response()
        response.status_code = status
        response.reason = {200: "OK", 307: "Temporary Redirect", 308: "Permanent Redirect", 404: "Not Found", 502: "Bad Gateway",
                           503: "Service Unavailable"}.get(status, "Error")
        response._content = content  # pylint: disable=protected-access
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json-rpc"})
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self):
        pass
