# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reaching a directory with ldap3: servers with fallback, TLS, the bind, and what their failures mean.

Everything that can go wrong ends as one ``DirectoryError`` whose message names the server and
says what to check. The bind password never reaches a message: ldap3's exceptions may carry the
connection's repr (which holds it), so their text is scrubbed and chained with ``from None``.
"""

from __future__ import annotations

import dataclasses
import math
import re
import ssl
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted
from ansible_collections.kerio.connect.plugins.plugin_utils._records import DirectoryError

try:
    import ldap3
    from ldap3.core import exceptions as ldap3_errors
except ImportError as import_error:  # require_ldap3() says what to install
    ldap3 = ldap3_errors = None
    LDAP3_IMPORT_ERROR: ImportError | None = import_error
else:
    LDAP3_IMPORT_ERROR = None

LDAPS, START_TLS, PLAINTEXT = "ldaps", "start_tls", "none"
TLS_MODES = (LDAPS, START_TLS, PLAINTEXT)
VALIDATE_ALWAYS, VALIDATE_IGNORE_HOSTNAME, VALIDATE_IGNORE = "always", "ignore_hostname", "ignore"
CERT_VALIDATIONS = (VALIDATE_ALWAYS, VALIDATE_IGNORE_HOSTNAME, VALIDATE_IGNORE)
DEFAULT_TIMEOUT = 30

# Active Directory's reason for an invalidCredentials bind ("... data 52e ...").
AD_BIND_REASONS = {
    "525": "the user does not exist", "52e": "wrong password or user name", "530": "not permitted to log on at this time",
    "531": "not permitted to log on from this workstation", "532": "the password has expired", "533": "the account is disabled",
    "701": "the account has expired", "773": "the password must be changed", "775": "the account is locked out",
}


def require_ldap3() -> None:
    if ldap3 is None:
        raise DirectoryError(f"directory sources need the Python library ldap3 on the controller (pip install ldap3): {LDAP3_IMPORT_ERROR}")


@dataclasses.dataclass(frozen=True)
class ConnectionSettings:  # pylint: disable=too-many-instance-attributes
    """How to reach and bind to a directory (already validated)."""

    hosts: tuple[str, ...]
    port: int
    tls_mode: str = LDAPS
    ca_cert: str | None = None
    cert_validation: str = VALIDATE_ALWAYS
    bind_user: str | None = None
    bind_password: str | None = dataclasses.field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    referrals: bool = False

    def url(self, host: str, port: int | None = None) -> str:
        scheme = "ldaps" if self.tls_mode == LDAPS else "ldap"
        shown = f"[{host}]" if ":" in host else host
        return f"{scheme}://{shown}:{port or self.port}"

    @property
    def display(self) -> str:
        return " ".join(self.url(host) for host in self.hosts)

    def scrub(self, text: str) -> str:
        """``text`` without the bind password (belt and braces: we never put it in on purpose)."""
        if self.bind_password:
            text = text.replace(self.bind_password, "********")
        return text


# ---------------------------------------------------------------------------------------------
# TLS
# ---------------------------------------------------------------------------------------------


_TlsBase: t.Any = ldap3.Tls if ldap3 is not None else object


class _OpenSslCheckedTls(_TlsBase):  # pylint: disable=too-few-public-methods
    """ldap3's Tls, except that OpenSSL itself checks the server name during the handshake.

    ldap3 2.9.1 checks the name after the handshake with ``ssl.match_hostname``; on Python >= 3.12
    that is gone and its backport ignores IP-address SANs, so ``always`` against ``127.0.0.1`` fails
    although the certificate carries IP:127.0.0.1. The usual workaround, ``valid_names=[...]``,
    would be unsafe for us: any name we add is accepted *instead of* the address the user gave (and
    ``'*'`` accepts every certificate the CA ever signed). OpenSSL matches DNS names and IP
    addresses correctly on every Python version, so the name to check is the host the user gave,
    exactly; ldap3's own check never runs (``valid_names`` stays empty).
    """

    def __init__(self, check_hostname: bool, **kwargs: t.Any):
        super().__init__(**kwargs)
        self.check_hostname = check_hostname

    def wrap_socket(self, connection: t.Any, do_handshake: bool = False) -> None:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_certs_file)
        context.check_hostname = self.check_hostname  # before verify_mode: CERT_NONE needs it off
        context.verify_mode = self.validate
        connection.socket = context.wrap_socket(connection.socket, server_side=False, do_handshake_on_connect=do_handshake,
                                                server_hostname=connection.server.host)


def _tls(settings: ConnectionSettings) -> t.Any:
    if settings.tls_mode == PLAINTEXT:
        return None
    validate = ssl.CERT_NONE if settings.cert_validation == VALIDATE_IGNORE else ssl.CERT_REQUIRED
    try:
        if settings.ca_cert:
            # Loaded once here so that a bad file is named as such, not reported as a failed handshake.
            ssl.create_default_context(cafile=settings.ca_cert)
        return _OpenSslCheckedTls(settings.cert_validation == VALIDATE_ALWAYS, validate=validate, ca_certs_file=settings.ca_cert)
    except (OSError, ssl.SSLError, ldap3_errors.LDAPSSLConfigurationError) as error:
        raise DirectoryError(f"ca_cert {quoted(settings.ca_cert)} cannot be used ({error}): give the path of a PEM CA certificate file on the "
                             "controller") from None


# ---------------------------------------------------------------------------------------------
# Connecting and binding
# ---------------------------------------------------------------------------------------------


def _server(settings: ConnectionSettings, host: str, port: int | None = None) -> t.Any:
    return ldap3.Server(host, port=port or settings.port, use_ssl=settings.tls_mode == LDAPS, tls=_tls(settings),
                        get_info=ldap3.NONE, connect_timeout=settings.timeout)


class _Unanswered(Exception):
    """A server that could not be reached, or did not answer in time: the next one may."""

    def __init__(self, problem: DirectoryError):
        super().__init__(str(problem))
        self.problem = problem


def open_connection(settings: ConnectionSettings, hosts: t.Sequence[tuple[str, int | None]] | None = None) -> t.Any:
    """A bound ldap3 connection to the first server of ``hosts`` (default: the settings' servers) that answers.

    Servers are tried in order, each for at most ``timeout``. One that cannot be reached, breaks the
    connection or does not answer in time (down, or hanging after it took the connection) gives way to
    the next; any other failure, a certificate, StartTLS refused or the credentials, is the directory's answer.
    """
    require_ldap3()
    hosts = hosts or [(host, None) for host in settings.hosts]
    unanswered = []
    for host, port in hosts:
        try:
            return _bound_connection(settings, host, port)
        except _Unanswered as failure:
            unanswered.append(failure.problem)
    if len(unanswered) == 1:
        raise unanswered[0]
    raise DirectoryError(f"no server of {len(unanswered)} answered: " + "; ".join(str(problem) for problem in unanswered))


def _bound_connection(settings: ConnectionSettings, host: str, port: int | None) -> t.Any:
    # receive_timeout in whole seconds: on Linux ldap3 packs it into SO_RCVTIMEO as an integer.
    conn = ldap3.Connection(
        _server(settings, host, port), user=settings.bind_user, password=settings.bind_password,
        authentication=ldap3.SIMPLE if settings.bind_user else ldap3.ANONYMOUS, client_strategy=ldap3.SYNC,
        auto_bind=ldap3.AUTO_BIND_NONE, read_only=True, receive_timeout=math.ceil(settings.timeout), auto_referrals=False,
        raise_exceptions=False, return_empty_attributes=False,
    )
    where = settings.url(host, port)
    try:
        conn.open()
        if settings.tls_mode == START_TLS:
            conn.start_tls()
        if not conn.bind():
            raise _bind_error(conn.result or {}, settings, where)
    except ldap3_errors.LDAPException as error:
        close_connection(conn)
        problem = connection_error(error, settings, where)
        # The connection failing (refused, reset, closed, unanswered) may be this server's trouble alone;
        # a certificate refused is the same for every server.
        if (isinstance(error, ldap3_errors.LDAPCommunicationError) and not _certificate_refused(str(error))) or _timed_out(str(error)):
            raise _Unanswered(problem) from None
        raise problem from None
    except DirectoryError:
        close_connection(conn)
        raise
    return conn


def close_connection(conn: t.Any) -> None:
    try:
        conn.unbind()
    except Exception:  # pylint: disable=broad-exception-caught  # closing a broken connection must not hide why it broke
        pass


def connection_url(settings: ConnectionSettings, conn: t.Any) -> str:
    return settings.url(conn.server.host, conn.server.port)


def _bind_error(result: dict, settings: ConnectionSettings, where: str) -> DirectoryError:
    code = result.get("result")
    message = settings.scrub(str(result.get("message") or "")).strip()
    who = settings.bind_user or "anonymous"
    if code == 49:
        reason = AD_BIND_REASONS.get(next(iter(re.findall(r"data ([0-9a-f]{3})", message)), ""), "")
        hint = " (Active Directory accepts user@domain, DOMAIN\\user or the DN)" if not re.search(r"[@\\=]", who) else ""
        return DirectoryError(f"{where}: invalid credentials for {who}{': ' + reason if reason else ''}; check bind_user and bind_password{hint}")
    if code in (8, 13):
        return DirectoryError(f"{where} requires an encrypted connection to bind as {who} ({result.get('description')}): "
                              "use tls_mode: ldaps or start_tls")
    if code == 53:
        return DirectoryError(f"{where} refused to bind as {who} ({message or 'unwillingToPerform'}): the server may not allow "
                              "anonymous binds; give bind_user and bind_password")
    return DirectoryError(f"{where}: the bind as {who} failed: {result.get('description')} {message}".rstrip())


def _innermost(text: str) -> str:
    """ldap3 wraps socket errors in tuples of reprs of exceptions; keep the message that says what happened."""
    found = re.search(r"\[(?:SSL|Errno)[^\]]*\][^'\"()]*", text)
    return found.group(0).strip() if found else text


def _tls_detail(text: str) -> str:
    found = re.search(r"certificate verify failed: ([^(]*)", text)
    return found.group(1).strip() if found else text


def _tls_error(error: Exception, text: str, settings: ConnectionSettings, where: str) -> DirectoryError | None:
    if _certificate_refused(text):
        detail = _tls_detail(text)
        if "mismatch" in detail:
            return DirectoryError(f"{where}: the TLS certificate does not name the server ({detail}); connect by a name or address the "
                                  "certificate carries, or set cert_validation: ignore_hostname")
        return DirectoryError(f"{where}: the TLS certificate could not be verified ({detail}); set ca_cert to the CA that signed "
                              "it, or cert_validation: ignore (not recommended)")
    if isinstance(error, ldap3_errors.LDAPStartTLSError):
        return DirectoryError(f"{where}: StartTLS failed ({text}); the server may not offer StartTLS on port {settings.port}: try tls_mode: ldaps")
    if "SSL" in text or "handshake" in text:
        speaks = "LDAPS" if settings.tls_mode == LDAPS else "LDAP"
        return DirectoryError(f"{where}: the TLS handshake failed ({text}); check that port {settings.port} speaks {speaks} "
                              "(636 is LDAPS, 389 plain LDAP with start_tls)")
    return None


def _certificate_refused(text: str) -> bool:
    return "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text


def _timed_out(text: str) -> bool:
    return "timed out" in text or "timeout" in text.lower()


def connection_error(error: Exception, settings: ConnectionSettings, where: str) -> DirectoryError:
    """One clear message for an ldap3 exception raised while connecting or reading."""
    text = _innermost(settings.scrub(str(error)))
    check = f"check server, port {settings.port} and firewall"
    # Before the TLS messages: a server that took the connection and then hung times the handshake out.
    if _timed_out(text) and not _certificate_refused(text):
        return DirectoryError(f"{where} did not answer within {settings.timeout:g} s ({text}); {check}, or raise timeout")
    tls_error = _tls_error(error, text, settings, where)
    if tls_error is not None:
        return tls_error
    return DirectoryError(f"cannot talk to {where} ({text}); {check}")
