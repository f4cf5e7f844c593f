# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The session layer of the Kerio Administration API client: JSON-RPC 2.0 over HTTPS.

One job: send one method call and return its ``result`` object, or raise one of the exceptions
below. It logs in, replays the session token and cookies, logs in again when the session
expired, and retries reads (never writes) on transient network failures. The typed helpers
that the importer uses live in ``_kerio_api``.

Secrets: the admin password and the session token are kept in ``_Secret`` wrappers so no repr
or debug dump shows them; requests' own exceptions are never chained to ours, because they
hold the prepared request and therefore the login body.
"""

from __future__ import annotations

import json
import logging
import os
import re
import ssl
import time
import typing as t
import urllib.parse
import warnings

from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted

try:
    import requests
    import urllib3.exceptions
except ImportError as import_error:  # ansible-test's import sanity test runs without requests
    requests = None
    REQUESTS_IMPORT_ERROR: ImportError | None = import_error
else:
    REQUESTS_IMPORT_ERROR = None

API_PATH = "/admin/api/jsonrpc/"
API_PATH_PREFIXES = ("/admin/api/jsonrpc", "/admin/api", "/admin")
LOGGER_NAME = "kerio.connect.api"
# A library leaves output to its caller: without a handler, Python would print warnings to stderr.
logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())
SESSION_EXPIRED = -32001
# JSON-RPC's code for a method the server does not have (an older Kerio may lack Groups.removeMemberList).
METHOD_NOT_FOUND = -32601
SESSION_LIFECYCLE = frozenset({"Session.login", "Session.logout"})
ACCESS_DENIED = 1004
REDACTED = "********"
DEFAULT_APPLICATION = {"name": "kerio.connect user import", "vendor": "kerio.connect Ansible collection", "version": "0.1.0"}

# Methods that change nothing on the server, so repeating one after a network failure is safe.
# Session.login only opens a session; repeating it is harmless too.
READ_METHODS = frozenset({
    "Session.login", "Session.whoAmI", "Session.getDomain", "Version.getApiVersion", "Server.getNamedConstantList",
    "Server.findEntityByEmail", "Domains.get", "Domains.getUserCountInfo", "Domains.generatePassword", "Domains.getSettings",
    "Users.get", "Users.getFromServer", "Users.parseFromCsv", "Users.getNotActivated", "Users.getMailboxCount",
    "Users.getEffectiveUserRights", "Groups.get", "UserTemplates.get", "UserTemplates.getAvailable",
})
# A proxy or the server itself may answer these while it is briefly unavailable.
TRANSIENT_HTTP_STATUSES = frozenset({502, 503, 504})
# Retrying a read never waits longer than this between two attempts.
MAX_BACKOFF_SECONDS = 30.0
# The longest wait for a connection or an answer that the timeout option takes (an hour).
MAX_TIMEOUT_SECONDS = 3600.0
# Secrets shorter than this are not scrubbed from messages: they carry no information worth
# hiding, and replacing every "x" in a server message would make it unreadable.
MIN_SCRUBBED_SECRET_LENGTH = 4
_PLACEHOLDER = re.compile(r"%(\d+)")
_SECRET_KEY = re.compile(r"password|token|secret", re.IGNORECASE)


class KerioError(Exception):
    """Base class of everything the client raises on purpose."""

    def __init__(self, *args):
        # A batch helper stopped by this error puts here the outcomes the server reported before it.
        self.completed: list[t.Any] = []
        super().__init__(*args)


class KerioApiError(KerioError):
    """The server rejected a whole call with a JSON-RPC ``error`` object."""

    def __init__(self, method: str, code: int | None, message: str, *, url: str | None = None, hint: str | None = None):
        self.method = method
        self.code = code
        self.message = message
        self.url = url
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" on {self.url}" if self.url else ""
        text = f"Kerio API call {self.method}{where} failed with code {self.code}: {self.message}"
        return f"{text} {self.hint}" if self.hint else text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(method={self.method!r}, code={self.code!r}, message={self.message!r})"


class KerioConnectionError(KerioError):
    """The server could not be reached, or it answered with something that is not JSON-RPC.

    ``outcome_unknown`` is True when a write may or may not have been applied: the caller must
    read the server state again before deciding what to do.
    """

    def __init__(self, message: str, *, url: str | None = None, method: str | None = None, outcome_unknown: bool = False):
        self.url = url
        self.method = method
        self.outcome_unknown = outcome_unknown
        super().__init__(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class KerioProtocolError(KerioConnectionError):
    """The server answered, but not the way the Kerio API does (not JSON, wrong shape, endless paging)."""


class _Secret:
    """Holds a secret string; its repr and str never show it, so debug dumps stay clean."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__


def substitute(message: str, parameters: t.Sequence[t.Any] | None) -> str:
    """Fill ``%1``, ``%2``… with the positional parameters, like Kerio's own PHP SDK does."""
    parameters = list(parameters or ())

    def fill(match: re.Match) -> str:
        position = int(match.group(1))
        if 1 <= position <= len(parameters):
            return str(parameters[position - 1])
        return match.group(0)

    return _PLACEHOLDER.sub(fill, message or "")


def collect_secrets(value: t.Any) -> set[str]:
    """Every string under a password-like key, at any depth, so messages can be scrubbed of them."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _SECRET_KEY.search(key) and isinstance(item, str):
                found.add(item)
            else:
                found |= collect_secrets(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found |= collect_secrets(item)
    return found


def scrub(text: str, secrets: t.Iterable[str]) -> str:
    """Replace each secret in a message; the server may echo an input value back in an error."""
    for secret in sorted((s for s in secrets if len(s) >= MIN_SCRUBBED_SECRET_LENGTH), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def build_endpoint(url: str) -> str:
    """``https://host:4040`` (or the full API url) → ``https://host:4040/admin/api/jsonrpc/``."""
    url = (url or "").strip()
    if "@" in url:
        # Not echoing the url, whatever else is wrong with it: it may hold a credential.
        raise KerioConnectionError("The Kerio url must not contain a user name or password ('@'); use the user and password options.")
    example = "expected something like https://mail.example.com:4040"
    try:
        parsed = urllib.parse.urlsplit(url)
        hostname, _port = parsed.hostname, parsed.port
    except ValueError as exc:  # an unclosed IPv6 bracket, a port that is no number from 0 to 65535
        raise KerioConnectionError(f"The Kerio url {quoted(url)} is not valid ({exc}): {example}.") from None
    if parsed.scheme == "http":
        raise KerioConnectionError(f"The Kerio url {quoted(url)} starts with http://, which would send the administrator's password in clear: "
                                   "use https:// (Kerio's administration interface, port 4040, serves HTTPS).")
    if parsed.scheme != "https" or not hostname:
        raise KerioConnectionError(f"The Kerio url {quoted(url)} is not valid: {example}.")
    path = parsed.path.rstrip("/")
    # The url may be copied from the browser: the console's /admin/ (its #fragment is dropped), or part of the API path.
    for known in API_PATH_PREFIXES:
        if path.endswith(known):
            path = path[:-len(known)]
            break
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, path + API_PATH, "", ""))


def is_read_method(method: str) -> bool:
    return method in READ_METHODS


class _Failure(t.NamedTuple):
    """A failed HTTP exchange, described in words that are safe to show."""

    reason: str
    transient: bool  # repeating the call may succeed
    sent: bool  # the request may have reached the server
    tls: bool = False
    advice: str = "Check that the server is running and reachable and that the url and port are right."


class KerioSession:
    """A logged-in JSON-RPC session with one Kerio Connect server."""

    def __init__(self, url: str, user: str, password: str, *, validate_certs: bool = True, ca_path: str | None = None,
                 timeout: float | tuple[float, float] = 30, retries: int = 3, backoff: float = 0.5,
                 application: dict[str, str] | None = None, log: t.Callable[[str], t.Any] | None = None):
        if requests is None:
            raise KerioError(f"The Python library 'requests' is required to talk to Kerio Connect; install it on the controller "
                             f"(pip install requests). Import error: {REQUESTS_IMPORT_ERROR}")
        self.url = build_endpoint(url)
        if not user or not password:
            missing = "user name (kerio_user)" if not user else "password (kerio_password)"
            raise KerioError(f"The administrator's {missing} is empty: set it for the host (the password vaulted), "
                             f"or in KERIO_USER and KERIO_PASSWORD.")
        self.user = user
        self._password = _Secret(password)
        self._token: _Secret | None = None
        self.timeout = _checked_timeout(timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.application = dict(application or DEFAULT_APPLICATION)
        self.validate_certs = bool(validate_certs)
        self.call_counts: dict[str, int] = {}
        self._log = log
        self._logger = logging.getLogger(LOGGER_NAME)
        self._next_id = 1
        # As everywhere in Ansible, validate_certs=false turns verification off even with a ca_path;
        # otherwise ca_path replaces the system trust store.
        verify: bool | str = (ca_path or True) if self.validate_certs else False
        if self.validate_certs and ca_path:
            _check_ca_path(ca_path, self.url)
        self._http = requests.Session()
        self._http.headers.update({
            "Accept": "application/json-rpc",
            "Content-Type": "application/json-rpc; charset=UTF-8",
            "User-Agent": "kerio.connect-ansible",
        })
        # What requests takes from the environment (proxy variables and no_proxy, REQUESTS_CA_BUNDLE
        # when verifying against the system store, ~/.netrc) is read once here, as requests would,
        # instead of on every request, where it costs a third of a millisecond.
        environment = self._http.merge_environment_settings(self.url, {}, None, verify, None)
        self._http.auth = requests.utils.get_netrc_auth(self.url)
        self._http.proxies, self._http.verify = environment["proxies"], environment["verify"]
        self._http.trust_env = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r}, user={self.user!r}, logged_in={self.logged_in})"

    @property
    def logged_in(self) -> bool:
        return self._token is not None

    def login(self) -> None:
        """Open a session; later calls carry its token (``X-Token``) and its cookies."""
        self._drop_session()
        params = {"userName": self.user, "password": self._password.reveal(), "application": self.application}
        try:
            result = self._call_with_retries("Session.login", params)
        except KerioApiError as exc:
            exc.hint = f"Check the user ({quoted(self.user)}) and password options; application passwords are not accepted by the API."
            raise
        token = result.get("token")
        if not isinstance(token, str) or not token:
            raise KerioProtocolError(f"Session.login on {self.url} returned no token; is this a Kerio Connect server?",
                                     url=self.url, method="Session.login")
        self._token = _Secret(token)

    def logout(self) -> None:
        """Close the session; the local session state is dropped even when the server call fails."""
        if self._token is None:
            return
        try:
            self._call_with_retries("Session.logout", None)
        except KerioApiError as exc:
            if exc.code != SESSION_EXPIRED:
                raise
            self.emit(logging.DEBUG, "Session.logout: the session had already expired")
        finally:
            self._drop_session()

    def _drop_session(self) -> None:
        self._token = None
        self._http.cookies.clear()

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, params: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        """Call one method and return its ``result`` object.

        An expired session (-32001) means the server did not execute the call, so it is safe to
        log in again and repeat it once, writes included; Session.whoAmI too, which asks about the
        session the new login opens (login and logout handle expiry themselves).
        """
        if self._token is None:
            raise KerioError(f"Cannot call {method}: not logged in (use the client as a context manager).")
        try:
            return self._call_with_retries(method, params)
        except KerioApiError as exc:
            if exc.code != SESSION_EXPIRED or method in SESSION_LIFECYCLE:
                raise
        self.emit(logging.INFO, f"{method}: session expired, logging in again and repeating the call once")
        self.login()
        return self._call_with_retries(method, params)

    def _call_with_retries(self, method: str, params: dict[str, t.Any] | None) -> dict[str, t.Any]:
        read = is_read_method(method)
        attempts = 1 + (self.retries if read else 0)
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            outcome = self._exchange(method, params)
            elapsed = time.monotonic() - started
            if not isinstance(outcome, _Failure):
                self.emit(logging.DEBUG, f"{method}: answered in {elapsed:.3f} s")
                return self._result_of(method, params, outcome)
            if outcome.transient and read and attempt < attempts:
                delay = min(self.backoff * (2 ** (attempt - 1)), MAX_BACKOFF_SECONDS)
                self.emit(logging.WARNING, f"{method}: {outcome.reason}; retrying in {delay:.2f} s (attempt {attempt + 1} of {attempts})")
                time.sleep(delay)
                continue
            raise self._connection_error(method, outcome, read, attempt)
        raise AssertionError("unreachable: the loop above returns or raises")

    def _exchange(self, method: str, params: dict[str, t.Any] | None) -> dict[str, t.Any] | _Failure:
        """One HTTP POST: the decoded JSON body, or a description of why there is none."""
        request_id = self._next_id
        self._next_id += 1
        body: dict[str, t.Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            body["params"] = params
        self.call_counts[method] = self.call_counts.get(method, 0) + 1
        failure: _Failure | None = None
        # The requests exception is reduced to words inside the except blocks and dropped, so it
        # is never chained to what we raise (it holds the request body, i.e. the login password).
        try:
            with warnings.catch_warnings():
                if self._http.verify is False:
                    # The user chose validate_certs=false explicitly; one warning per call is noise.
                    warnings.filterwarnings("ignore", message="Unverified HTTPS request")
                # The token goes in the header only (reference §2.2), added per request so it lives in one place.
                headers = {"X-Token": self._token.reveal()} if self._token is not None else None
                # Kerio answers every call itself (reference §2.1). A redirect would send the body, the login
                # password included, again to wherever it points, plain http or another host: it is not followed.
                response = self._http.post(self.url, data=json.dumps(body).encode("utf-8"), headers=headers, timeout=self.timeout,
                                           allow_redirects=False)
        except requests.exceptions.SSLError as exc:
            failure = _tls_failure(exc)
        except requests.exceptions.ConnectTimeout:
            failure = _Failure(f"no connection within the timeout ({self._timeout_of(0)} s)", transient=True, sent=False)
        except requests.exceptions.ReadTimeout:
            failure = _Failure(f"no answer within the timeout ({self._timeout_of(1)} s)", transient=True, sent=True)
        except requests.exceptions.ProxyError as exc:
            # The url is https, so the request goes out only through a tunnel the proxy has opened: a
            # proxy error means nothing reached Kerio. One that refused the tunnel (407, 403) would again.
            connect_failed = _connect_failed(exc)
            reason = "could not connect to the proxy" if connect_failed else "the proxy did not open a connection to the server"
            failure = _Failure(f"{reason} ({_innermost_reason(exc)})", transient=connect_failed, sent=False,
                               advice="Check the proxy that the environment names (HTTPS_PROXY, NO_PROXY).")
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            connect_failed = _connect_failed(exc)
            reason = "could not connect" if connect_failed else "the connection broke before the server answered"
            failure = _Failure(f"{reason} ({_innermost_reason(exc)})", transient=True, sent=not connect_failed)
        except requests.exceptions.RequestException as exc:
            # requests' invalid-input errors (InvalidURL, InvalidHeader…) are ValueErrors raised before
            # sending; anything else may have happened after the request went out.
            failure = _Failure(f"the HTTP request failed ({type(exc).__name__}: {_innermost_reason(exc)})", transient=False,
                               sent=not isinstance(exc, ValueError))
        except ValueError as exc:  # requests parses a redirect's target even when not following it, and a malformed one raises this
            failure = _Failure(f"the server's answer could not be read ({self.scrub(str(exc))})", transient=False, sent=True)
        if failure is not None:
            return failure
        if response.status_code in TRANSIENT_HTTP_STATUSES:
            return _Failure(f"HTTP {response.status_code} {response.reason}", transient=True, sent=True)
        if response.is_redirect:
            return _Failure(f"HTTP {response.status_code} {response.reason}, a redirect to {_shown_location(response.headers['Location'])} "
                            f"that was not followed", transient=False, sent=True,
                            advice="Set url to the Kerio Connect administration address itself (https, port 4040), not to one that redirects.")
        if response.status_code != 200:
            return _Failure(f"HTTP {response.status_code} {response.reason}", transient=False, sent=True,
                            advice="Check that the url points at the Kerio Connect administration port (4040).")
        try:
            decoded = json.loads(response.content)
        except ValueError:
            decoded = None
        if not isinstance(decoded, dict) or ("result" not in decoded and "error" not in decoded):
            raise KerioProtocolError(f"{method}: the server at {self.url} did not answer with JSON-RPC; check that the url points "
                                     f"at the Kerio Connect administration interface.", url=self.url, method=method)
        return decoded

    def _timeout_of(self, part: int) -> float:
        """The connect (0) or read (1) timeout: ``timeout`` is one number for both, or a pair."""
        return self.timeout[part] if isinstance(self.timeout, (tuple, list)) else self.timeout

    def _result_of(self, method: str, params: dict[str, t.Any] | None, decoded: dict[str, t.Any]) -> dict[str, t.Any]:
        error = decoded.get("error")
        if error is not None:
            if not isinstance(error, dict):
                error = {"message": str(error)}
            data = error.get("data") if isinstance(error.get("data"), dict) else {}
            message_parameters = data.get("messageParameters") if isinstance(data.get("messageParameters"), dict) else {}
            message = substitute(str(error.get("message", "")), message_parameters.get("positionalParameters"))
            code = error.get("code")
            hint = (f"The account {quoted(self.user)} lacks the administration rights this needs: use one with read/write rights to "
                    f"the domain's accounts.") if code == ACCESS_DENIED else None
            raise KerioApiError(method, code if isinstance(code, int) else None, self.scrub(message, params), url=self.url, hint=hint)
        result = decoded.get("result")
        if result is None:
            return {}  # a method without outputs; some servers send null rather than {}
        if not isinstance(result, dict):
            raise KerioProtocolError(f"{method}: the server at {self.url} returned a result that is not an object.",
                                     url=self.url, method=method)
        return result

    def scrub(self, text: str, params: t.Any = None) -> str:
        """Remove the admin password and any password of ``params`` from a message."""
        return scrub(text, {self._password.reveal()} | collect_secrets(params))

    def _connection_error(self, method: str, failure: _Failure, read: bool, attempts: int) -> KerioConnectionError:
        if failure.tls:
            return KerioConnectionError(f"{method}: TLS connection to {self.url} failed: {failure.reason}", url=self.url, method=method)
        if read or not failure.sent:
            tried = f" after {attempts} attempts" if attempts > 1 else ""
            nothing_written = "" if read else " Nothing was written."
            return KerioConnectionError(f"{method}: the request to {self.url} failed{tried}: {failure.reason}. {failure.advice}{nothing_written}",
                                        url=self.url, method=method)
        return KerioConnectionError(f"{method}: the request to {self.url} failed: {failure.reason}. The outcome of this write is "
                                    f"unknown: the server may or may not have applied it, so it was not repeated. Read the server "
                                    f"state again before retrying.", url=self.url, method=method, outcome_unknown=True)

    def emit(self, level: int, message: str) -> None:
        """Log ``message`` to the API logger and to the ``log`` callback (the task's -vvv lines)."""
        self._logger.log(level, message)
        if self._log is not None:
            self._log(message)


# TLS errors that repeating cannot fix: the server does not speak TLS there, or refuses ours.
_TLS_SETUP_ERRORS = ("WRONG_VERSION_NUMBER", "UNSUPPORTED_PROTOCOL", "NO_PROTOCOLS_AVAILABLE", "ALERT", "HTTP_REQUEST")


def _checked_timeout(timeout: float | tuple[float, float]) -> float | tuple[float, float]:
    """``timeout`` when every number of it is a wait requests can make, else an error that says so."""
    for seconds in timeout if isinstance(timeout, (tuple, list)) else (timeout,):
        if not isinstance(seconds, (int, float)) or not 0 < seconds <= MAX_TIMEOUT_SECONDS:  # NaN fails both comparisons
            raise KerioError(f"The timeout {quoted(timeout)} is not valid: give the seconds to wait for the Kerio server, a number greater "
                             f"than 0 and at most {MAX_TIMEOUT_SECONDS:.0f}.")
    return timeout


def _check_ca_path(ca_path: str, url: str) -> None:
    """Fail before connecting when ca_path cannot serve to verify the server, rather than blaming the server."""
    if not os.path.exists(ca_path):
        raise KerioConnectionError(f"The CA bundle ca_path={quoted(ca_path)} does not exist; give the PEM file of the CA that signed "
                                   f"the Kerio server's certificate.", url=url)
    if os.path.isdir(ca_path):
        return  # a directory of hashed certificates, as OpenSSL's capath
    try:
        ssl.create_default_context(cafile=ca_path)
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise KerioConnectionError(f"The CA bundle ca_path={quoted(ca_path)} cannot be read as PEM certificates ({exc}); give the PEM "
                                   f"file of the CA that signed the Kerio server's certificate.", url=url) from None


def _tls_failure(exc: Exception) -> _Failure:
    reason = _innermost_reason(exc)
    text = str(exc).upper()
    if "CERTIFICATE_VERIFY_FAILED" in text or "CERTIFICATE VERIFY FAILED" in text:
        return _Failure(f"certificate verification failed ({reason}). Set ca_path to the PEM file of the CA that signed the server's "
                        f"certificate, make sure the url's host name is the one in the certificate, or, for a test server only, "
                        f"set validate_certs to false.", transient=False, sent=False, tls=True)
    if any(marker in text for marker in _TLS_SETUP_ERRORS):
        return _Failure(f"the TLS handshake failed ({reason}); check that the url uses https and the administration port (4040).",
                        transient=False, sent=False, tls=True)
    # Anything else (an unexpected EOF, a reset) can happen mid-exchange: a broken connection.
    return _Failure(f"the TLS connection broke ({reason})", transient=True, sent=True)


def _shown_location(location: str) -> str:
    """A redirect's target without what may hold a secret: a user and password, the query, the fragment."""
    parts = urllib.parse.urlsplit(location)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def _connect_failed(exc: Exception) -> bool:
    """True when the TCP connection was never made, so the request cannot have reached the server."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, urllib3.exceptions.ProxyError):  # then the connection in question is the proxy's
        reason = reason.original_error
    return isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError))


def _innermost_reason(exc: BaseException) -> str:
    """The most specific message inside requests' and urllib3's wrappers, without their object reprs."""
    reason: t.Any = exc
    while True:
        inner = getattr(reason, "reason", None)
        if inner is None and reason.args and isinstance(reason.args[-1], BaseException):
            inner = reason.args[-1]
        if not isinstance(inner, BaseException) or inner is reason:
            break
        reason = inner
    text = str(reason)
    # urllib3 prefixes its messages with "<urllib3.connection.HTTPSConnection object at 0x…>: ".
    return re.sub(r"^<[^>]*>: ", "", text) or type(reason).__name__
