# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The paged search: every entry or an error, never a short list; referrals; the replayable command line."""

from __future__ import annotations

import dataclasses
import shlex
import time
import typing as t
import urllib.parse

try:
    from ldap3.operation.search import parse_filter
except ImportError:  # require_ldap3() says what to install
    parse_filter = None

from ansible_collections.kerio.connect.plugins.plugin_utils._ldap_connection import (
    LDAPS,
    PLAINTEXT,
    START_TLS,
    VALIDATE_IGNORE,
    ConnectionSettings,
    close_connection,
    connection_error,
    connection_url,
    ldap3,
    ldap3_errors,
    open_connection,
    require_ldap3,
)
from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted
from ansible_collections.kerio.connect.plugins.plugin_utils._records import DirectoryError

PAGED_RESULTS_OID = "1.2.840.113556.1.4.319"
# Result codes after which the server has sent only part of what the filter selects.
INCOMPLETE_RESULTS = {3: "timeLimitExceeded", 4: "sizeLimitExceeded", 11: "adminLimitExceeded"}
RESULT_REFERRAL = 10
MAX_REFERRAL_HOPS = 5


@dataclasses.dataclass(frozen=True)
class SearchRequest:
    base: str
    filter: str
    attributes: tuple[str, ...]
    page_size: int


@dataclasses.dataclass
class SearchOutcome:
    entries: list[dict] = dataclasses.field(default_factory=list)
    commands: list[str] = dataclasses.field(default_factory=list)


def check_filter(search_filter: str, shown: str | None = None) -> None:
    """Raise a DirectoryError naming ``shown`` (the filter as the user wrote it) when ldap3 cannot parse it."""
    require_ldap3()
    try:
        parse_filter(search_filter, None, False, False, None, False)
    except ldap3_errors.LDAPException as error:
        raise DirectoryError(f"the LDAP filter {quoted(shown or search_filter)} is not valid ({error}): check its parentheses and operators") from None


# ---------------------------------------------------------------------------------------------
# The replayable command line
# ---------------------------------------------------------------------------------------------


def _shell_quoted(value: str) -> str:
    # Always quoted, unlike shlex.quote: a DN or a filter then reads as one word even when it needs no quotes.
    return "'" + value.replace("'", "'\"'\"'") + "'"


def ldapsearch_command(settings: ConnectionSettings, url: str, request: SearchRequest) -> str:
    """The OpenLDAP ``ldapsearch`` line that runs the same search (``-W`` prompts for the password).

    libldap has no switch for cert_validation ``ignore_hostname``: that line checks the name.
    """
    words = []
    if settings.ca_cert and settings.tls_mode != PLAINTEXT:
        words.append(f"LDAPTLS_CACERT={shlex.quote(settings.ca_cert)}")
    if settings.cert_validation == VALIDATE_IGNORE and settings.tls_mode != PLAINTEXT:
        words.append("LDAPTLS_REQCERT=never")
    words += ["ldapsearch", "-H", url, "-x"]
    if settings.tls_mode == START_TLS:
        words.append("-ZZ")
    if settings.bind_user:
        words += ["-D", _shell_quoted(settings.bind_user), "-W"]
    words += ["-b", _shell_quoted(request.base), "-E", f"pr={request.page_size}/noprompt", _shell_quoted(request.filter)]
    words += [shlex.quote(attribute) for attribute in request.attributes]
    return " ".join(words)


# ---------------------------------------------------------------------------------------------
# The paged search
# ---------------------------------------------------------------------------------------------


def _cookie(result: dict) -> bytes | None:
    try:
        return result["controls"][PAGED_RESULTS_OID]["value"]["cookie"] or None
    except (KeyError, TypeError):
        return None


def _check_result(result: dict, settings: ConnectionSettings, where: str, request: SearchRequest, received: int) -> None:
    code = result.get("result")
    if code in (0, RESULT_REFERRAL):
        return
    detail = f"{result.get('description')} {settings.scrub(str(result.get('message') or ''))}".strip()
    if code in INCOMPLETE_RESULTS:
        raise DirectoryError(f"{where} stopped the search of {quoted(request.base)} after {received} entries ({detail}): importing them would "
                             "leave users out, so nothing is imported; raise the server's limit for the bind user, or narrow "
                             "search_base or filter")
    if code == 32:
        who = settings.bind_user or "an anonymous bind"
        raise DirectoryError(f"{where}: the search base {quoted(request.base)} does not exist, or {who} may not see it ({detail}); "
                             "check search_base, domain_name or organization, and the bind user's rights")
    if code in (1, 50) and not settings.bind_user:
        raise DirectoryError(f"{where} does not let anonymous users search ({detail}); give bind_user and bind_password")
    if code in (2, 87):
        raise DirectoryError(f"{where} rejected the filter {quoted(request.filter)} ({detail}); check the filter option")
    raise DirectoryError(f"{where}: the search of {quoted(request.base)} failed ({detail})")


def _whole_search_referral(result: dict, settings: ConnectionSettings, where: str, request: SearchRequest) -> list[str]:
    """The server holds none of the search base and names others that do: follow them, or say so."""
    urls = list(result.get("referrals") or ())
    if not settings.referrals:
        raise DirectoryError(f"{where} does not hold {quoted(request.base)} and refers to {', '.join(urls) or 'another server'}: point server "
                             "and search_base at the server that holds it, or set referrals: true")
    return urls


def _referral_urls(items: t.Iterable[dict]) -> list[str]:
    return [url for item in items if item.get("type") == "searchResRef" for url in item.get("uri") or ()]


def _search_page(conn: t.Any, settings: ConnectionSettings, request: SearchRequest, where: str, cookie: bytes | None) -> tuple[dict, list[dict]]:
    try:
        conn.search(request.base, request.filter, search_scope=ldap3.SUBTREE, dereference_aliases=ldap3.DEREF_NEVER,
                    attributes=list(request.attributes), time_limit=max(1, int(settings.timeout)), paged_size=request.page_size,
                    paged_cookie=cookie)
    except ldap3_errors.LDAPException as error:
        raise connection_error(error, settings, where) from None
    return conn.result or {}, conn.response or []


class _Progress:
    """Counts pages and entries, and notices a server that goes round in circles.

    A repeated cookie alone is no proof of that: Samba sends the same cookie (its search's id)
    with every page. A cookie repeated with no new entry, or an entry sent twice, is: such a
    server would page forever, or the import would repeat users.
    """

    def __init__(self, where: str):
        self.where = where
        self.pages = self.received = 0
        self.cookie: bytes | None = None
        self.seen_dns: set[str] = set()
        self.started = time.monotonic()

    def add(self, page: t.Sequence[dict], cookie: bytes | None) -> None:
        self.pages, self.received = self.pages + 1, self.received + len(page)
        repeated = next((item["dn"] for item in page if str(item["dn"]).casefold() in self.seen_dns), None)
        self.seen_dns.update(str(item["dn"]).casefold() for item in page)
        if repeated or (cookie and cookie == self.cookie and not page):
            what = f"sent {repeated} twice" if repeated else "sent the same paging cookie again with no new entries"
            raise DirectoryError(f"{self.where} {what} (page {self.pages}, {self.received} entries): its paged search goes round in "
                                 "circles, and the import would repeat or miss users; nothing is imported")
        self.cookie = cookie

    def __str__(self) -> str:
        return f"{self.received} entries in {self.pages} pages from {self.where} in {time.monotonic() - self.started:.1f} s"


def paged_entries(conn: t.Any, settings: ConnectionSettings, request: SearchRequest, log: t.Callable[[str], None],
                  referrals: list[str]) -> t.Iterator[dict]:
    """Every entry the search selects, page by page; referral URLs are appended to ``referrals``.

    Raises rather than returning a short list: a result code saying the server stopped early, a
    lost connection, or a server that goes round in circles (see ``_Progress``).
    """
    progress = _Progress(connection_url(settings, conn))
    while True:
        result, items = _search_page(conn, settings, request, progress.where, progress.cookie)
        page = [item for item in items if item.get("type") == "searchResEntry"]
        _check_result(result, settings, progress.where, request, progress.received + len(page))
        referrals.extend(_referral_urls(items))
        if result.get("result") == RESULT_REFERRAL:
            referrals.extend(_whole_search_referral(result, settings, progress.where, request))
        progress.add(page, _cookie(result))
        log(f"page {progress.pages}: {len(page)} entries ({progress.received} so far)")
        yield from page
        if not progress.cookie:
            break
    log(str(progress))


@dataclasses.dataclass(frozen=True)
class _Search:
    hosts: list[tuple[str, int | None]] | None  # None: the configured servers
    request: SearchRequest
    hops: int = 0


def _referral_target(settings: ConnectionSettings, url: str) -> tuple[str, int | None, str] | None:
    """(host, port, base) of an LDAP URL; the port only when its scheme matches our tls_mode."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("ldap", "ldaps") or not parts.hostname:
        return None
    port = parts.port if (parts.scheme.lower() == "ldaps") == (settings.tls_mode == LDAPS) else None
    return parts.hostname, port, urllib.parse.unquote(parts.path.lstrip("/"))


def _referred_searches(settings: ConnectionSettings, done: _Search, urls: t.Iterable[str], visited: set[str],
                       log: t.Callable[[str], None]) -> list[_Search]:
    searches = []
    for url in dict.fromkeys(urls):
        target = _referral_target(settings, url)
        if not settings.referrals or target is None or url.casefold() in visited:
            log(f"referral to {url} not followed{'' if settings.referrals else ' (referrals: false)'}")
            continue
        if done.hops >= MAX_REFERRAL_HOPS:
            raise DirectoryError(f"more than {MAX_REFERRAL_HOPS} referrals in a row, last {url}: check the directory's referrals, "
                                 "or set referrals: false")
        visited.add(url.casefold())
        host, port, base = target
        searches.append(_Search([(host, port)], dataclasses.replace(done.request, base=base or done.request.base), done.hops + 1))
    return searches


def search_directory(settings: ConnectionSettings, request: SearchRequest, log: t.Callable[[str], None] | None = None) -> SearchOutcome:
    """Run the paged search on the first server that answers, then follow referrals when asked to.

    Without ``referrals`` the search stays on that server: continuation references (in AD the
    DomainDnsZones/Configuration partitions below a domain root) are logged, not followed. With it,
    each referred server is searched with the same transport settings and bind, from the referred base.
    """
    log = log or (lambda line: None)
    outcome = SearchOutcome()
    pending, visited = [_Search(None, request)], set()
    while pending:
        search = pending.pop(0)
        referrals: list[str] = []
        conn = open_connection(settings, search.hosts)
        try:
            outcome.commands.append(ldapsearch_command(settings, connection_url(settings, conn), search.request))
            log(outcome.commands[-1])
            outcome.entries.extend(paged_entries(conn, settings, search.request, log, referrals))
        finally:
            close_connection(conn)
        pending.extend(_referred_searches(settings, search, referrals, visited, log))
    if not outcome.entries:
        # Most often a bind that may not read the users (anonymous, or ACLs) rather than an empty
        # directory: an empty source must not look like "everybody left".
        raise DirectoryError(f"the search of {quoted(request.base)} for {request.filter} on {settings.display} found no entries: check search_base "
                             f"and filter, and that {settings.bind_user or 'an anonymous bind'} may read the users")
    return outcome
