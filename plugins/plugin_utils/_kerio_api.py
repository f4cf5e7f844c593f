# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Kerio Connect Administration API client the importer uses: typed helpers over the session.

    with KerioClient(url, user, password, ca_path=...) as client:
        domain = client.find_domain("example.com")
        users = client.list_users(domain["id"], ["id", "loginName", "fullName"])
        outcomes = client.create_users(new_users, batch_size=200)

Reads come back as lists of dicts, read in pages. Batch writes come back as ``list[ItemOutcome]``
aligned with their inputs: a per-item error (``result.errors[]``) fails only its item, and a batch
rejected as a whole is sent again in halves until its bad items are found (a server may apply a
batch all or nothing). Connection failures raise ``KerioConnectionError``; a write interrupted that
way has an unknown outcome (the exception's ``outcome_unknown``). An expired session that a new
login does not cure, and missing rights, raise ``KerioApiError``: every later call would fail the
same way. Either exception's ``completed`` holds the outcomes the server reported before it.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_transport import (
    ACCESS_DENIED,
    METHOD_NOT_FOUND,
    REDACTED,
    REQUESTS_IMPORT_ERROR,
    SESSION_EXPIRED,
    KerioApiError,
    KerioConnectionError,
    KerioError,
    KerioProtocolError,
    KerioSession,
    build_endpoint,
    is_read_method,
    substitute,
)
from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted

__all__ = [
    "ADDRESS_LOOKUP_SIZE", "DEFAULT_BATCH_SIZE", "DEFAULT_PAGE_SIZE", "REDACTED", "REQUESTS_IMPORT_ERROR", "ItemError", "ItemOutcome", "KerioApiError",
    "KerioClient", "KerioConnectionError", "KerioError", "KerioProtocolError", "build_endpoint", "domain_key", "is_read_method",
    "removal_request", "substitute",
]

# The reference documents no maximum per call (§10); these sizes keep one request small and fast.
DEFAULT_PAGE_SIZE = 1000
DEFAULT_BATCH_SIZE = 200
# Errors that no item causes: every later call would fail the same way, so a batch helper stops.
CALL_WIDE_ERRORS = frozenset({SESSION_EXPIRED, ACCESS_DENIED})
# Rejections that no item causes but that leave other calls working: each item of the call fails
# with it, and its batch is not halved, which would only repeat it.
NOT_ABOUT_ITEMS = frozenset({METHOD_NOT_FOUND})
# Addresses per Server.findEntityByEmail call: the whole of a large import's in a few calls, well
# below the 50,000 items the API's own comments give as an example of a service's safety limit.
ADDRESS_LOOKUP_SIZE = 10000
# Paging stops at this many pages whatever the server says, so a server that ignores "start"
# and never reports totalItems cannot keep the client reading forever.
MAX_PAGES = 10000


@dataclasses.dataclass(frozen=True, slots=True)
class ItemError:
    """Why one item of a batch failed; ``message`` has its %1, %2… filled in."""

    code: int | None
    message: str
    # The server reported neither success nor failure for the item: it may have been applied.
    outcome_unknown: bool = False

    def __str__(self) -> str:
        return self.message if self.code is None else f"{self.message} (code {self.code})"


class ItemOutcome(t.NamedTuple):
    """What happened to input item ``index`` of a batch helper.

    ``id`` is the new id for a create, otherwise the id the item was about (user or group member).
    A named tuple, not a dataclass: there is one per user and call, and a tuple is made three times faster.
    """

    index: int
    ok: bool
    id: str | None = None
    error: ItemError | None = None


class _Batch(t.NamedTuple):
    """How one batch helper calls its method: what ``_batched`` passes down to each call of a batch."""

    method: str
    make_params: t.Callable[[t.Sequence[t.Any]], dict[str, t.Any]]
    creates: bool
    id_of: t.Callable[[t.Any], str | None]


def domain_key(name: str) -> str:
    """A domain name as compared: DNS names ignore case, and a trailing dot names the same domain."""
    return name.strip().rstrip(".").casefold()


def removal_request(user_id: str, *, delete_mailbox: bool = False) -> dict[str, t.Any]:
    """A ``RemovalRequest`` for ``remove_users``: keep (default) or delete the user's mail folder."""
    # "mode" (DSModeDelete…) only exists on newer servers and only matters for directory users.
    return {"userId": user_id, "method": "UDeleteFolder" if delete_mailbox else "UDeleteUser", "removeReferences": False,
            "targetUserId": ""}


class KerioClient:
    """A Kerio Connect session used as a context manager: log in on enter, log out on exit."""

    def __init__(self, url: str, user: str, password: str, *, validate_certs: bool = True, ca_path: str | None = None,
                 timeout: float | tuple[float, float] = 30, retries: int = 3, backoff: float = 0.5,
                 application: dict[str, str] | None = None, log: t.Callable[[str], t.Any] | None = None):
        self._session = KerioSession(url, user, password, validate_certs=validate_certs, ca_path=ca_path, timeout=timeout,
                                     retries=retries, backoff=backoff, application=application, log=log)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r}, user={self._session.user!r}, logged_in={self._session.logged_in})"

    def __enter__(self) -> KerioClient:
        try:
            self.login()
        except BaseException:
            self._session.close()
            raise
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            self.logout()
        except Exception as logout_error:  # pylint: disable=broad-exception-caught
            # Never hide the exception that ended the block. Without one, the work is done and a
            # failed logout (the session then just expires on the server) must not fail it either.
            if exc_type is None and not isinstance(logout_error, KerioError):
                raise
            self._session.emit(logging.WARNING, f"Session.logout failed: {logout_error}")
        finally:
            self._session.close()

    @property
    def url(self) -> str:
        """The JSON-RPC endpoint, ``https://host:4040/admin/api/jsonrpc/``."""
        return self._session.url

    @property
    def call_counts(self) -> dict[str, int]:
        """HTTP requests sent per method (a retried or repeated call counts each time)."""
        return dict(self._session.call_counts)

    def login(self) -> None:
        self._session.login()

    def logout(self) -> None:
        self._session.logout()

    def call(self, method: str, params: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        """Call any API method; returns its ``result`` object, raises ``KerioApiError`` on a whole-call error."""
        return self._session.call(method, params)

    # Reads ---------------------------------------------------------------------------------

    def list_domains(self, fields: t.Sequence[str] = ()) -> list[dict[str, t.Any]]:
        """Every domain of the server (``Domains.get``), all fields unless ``fields`` names some."""
        domains = self._read_pages("Domains.get", {}, fields, order_by="name", page_size=DEFAULT_PAGE_SIZE)
        for domain in domains:
            # A domain mapped to a directory holds the bind password; the importer never needs it.
            authentication = (domain.get("service") or {}).get("authentication")
            if isinstance(authentication, dict):
                authentication.pop("password", None)
        return domains

    def find_domain(self, name: str) -> dict[str, t.Any] | None:
        """The Domain with this name (DNS names are case-insensitive), or None."""
        # Domains are few, and listing them all does not depend on how the server compares names.
        wanted = domain_key(name)
        for domain in self.list_domains():
            if domain_key(str(domain.get("name", ""))) == wanted:
                return domain
        return None

    def list_users(self, domain_id: str, fields: t.Sequence[str] = (), page_size: int = DEFAULT_PAGE_SIZE,
                   conditions: t.Sequence[dict[str, str]] = ()) -> list[dict[str, t.Any]]:
        """Every user of a domain (``Users.get``), read ``page_size`` at a time, ordered by loginName.

        The members of a group share one dict for it in their ``userGroups`` (each user's own copy
        would take over 100 MB at 100,000 users), so treat the users as read-only.
        """
        shared_groups: dict[tuple, dict[str, t.Any]] = {}

        def share_groups(user: dict[str, t.Any]) -> dict[str, t.Any]:
            groups = user.get("userGroups")
            if isinstance(groups, list) and all(isinstance(group, dict) for group in groups):
                try:
                    user["userGroups"] = [shared_groups.setdefault(tuple(group.items()), group) for group in groups]
                except TypeError:  # a value that cannot be a key (a list): keep the user's own copy
                    pass
            return user

        return self._read_pages("Users.get", {"domainId": domain_id}, fields, order_by="loginName", page_size=page_size,
                                conditions=conditions, each=share_groups)

    def list_groups(self, domain_id: str, fields: t.Sequence[str] = (), page_size: int = DEFAULT_PAGE_SIZE) -> list[dict[str, t.Any]]:
        """Every group of a domain (``Groups.get``), read ``page_size`` at a time, ordered by name."""
        return self._read_pages("Groups.get", {"domainId": domain_id}, fields, order_by="name", page_size=page_size)

    def available_templates(self, domain_id: str) -> list[dict[str, t.Any]]:
        """User templates usable in a domain (``UserTemplates.getAvailable``)."""
        return list(self.call("UserTemplates.getAvailable", {"domainId": domain_id}).get("userTemplateList") or [])

    def generate_password(self, domain_id: str) -> str:
        """A password that meets the domain's policy (``Domains.generatePassword``)."""
        password = self.call("Domains.generatePassword", {"domainId": domain_id}).get("password")
        if not isinstance(password, str) or not password:
            raise KerioProtocolError(f"Domains.generatePassword on {self.url} returned no password.", url=self.url,
                                     method="Domains.generatePassword")
        return password

    def user_count_info(self, domain_id: str) -> dict[str, t.Any]:
        """``{currentUsers, allowedUsers: {isUnlimited, allowedUsers, limit, limitType}}`` (``Domains.getUserCountInfo``)."""
        return dict(self.call("Domains.getUserCountInfo", {"domainId": domain_id}).get("countInfo") or {})

    def who_am_i(self) -> dict[str, t.Any]:
        """The logged-in account, ``{id, domainId, loginName, fullName, effectiveRole}`` (``Session.whoAmI``)."""
        return dict(self.call("Session.whoAmI").get("userDetails") or {})

    def find_address_holders(self, domain_id: str, addresses: t.Sequence[str],
                             lookup_size: int = ADDRESS_LOOKUP_SIZE) -> list[dict[str, t.Any]]:
        """Who holds these addresses (local parts) in the domain: users, groups, aliases… (``Server.findEntityByEmail``).

        One ``{kind, name, collisionAddress, isPattern}`` dict per address held; free addresses are left out.
        """
        lookup_size = max(1, int(lookup_size))
        holders: list[dict[str, t.Any]] = []
        for start in range(0, len(addresses), lookup_size):
            params = {"addresses": list(addresses[start:start + lookup_size]), "updatedEntity": {"kind": "EntityUser"}, "domainId": domain_id}
            holders.extend(self.call("Server.findEntityByEmail", params).get("entities") or [])
        return holders

    def users_from_server(self, import_server: dict[str, t.Any], domain_id: str) -> list[dict[str, t.Any]]:
        """Users a directory server offers for import, as ``Importee`` dicts (``Users.getFromServer``); creates nothing."""
        params = {"importServer": import_server, "domainToImport": domain_id}
        return list(self.call("Users.getFromServer", params).get("newUsers") or [])

    def _read_pages(self, method: str, params: dict[str, t.Any], fields: t.Sequence[str], *, order_by: str, page_size: int,
                    conditions: t.Sequence[dict[str, str]] = (),
                    each: t.Callable[[dict[str, t.Any]], dict[str, t.Any]] | None = None) -> list[dict[str, t.Any]]:
        """All pages of a ``*.get``; ``each`` is applied to every item as its page arrives."""
        page_size = max(1, int(page_size))
        fields = list(fields)
        if fields and "id" not in fields:
            fields.insert(0, "id")  # the id is what lets paging drop an item seen twice
        query: dict[str, t.Any] = {"fields": fields, "conditions": list(conditions), "combining": "And",
                                   "orderBy": [{"columnName": order_by, "direction": "Asc"}]}
        items: list[dict[str, t.Any]] = []
        seen: set[str] = set()
        start = 0
        for page_number in range(1, MAX_PAGES + 1):
            result = self.call(method, dict(params, query=dict(query, start=start, limit=page_size)))
            page = result.get("list") or []
            total = result.get("totalItems")
            fresh = 0
            for item in page:
                item_id = item.get("id") if isinstance(item, dict) else None
                if item_id is not None:
                    if item_id in seen:
                        continue  # the list shifted under us (an item was added meanwhile)
                    seen.add(item_id)
                items.append(item if each is None or not isinstance(item, dict) else each(item))
                fresh += 1
            self._session.emit(logging.DEBUG, f"{method}: page {page_number} at {start} gave {len(page)} items (totalItems {total})")
            start += len(page)
            # totalItems decides when it is known: a server may cap the page below our limit.
            if not page or (isinstance(total, int) and start >= total) or (not isinstance(total, int) and len(page) < page_size):
                return items
            if fresh == 0:
                raise KerioProtocolError(f"{method} on {self.url} keeps returning items already read (page {page_number}); "
                                         f"the server seems to ignore the paging start.", url=self.url, method=method)
        raise KerioProtocolError(f"{method} on {self.url} still returned full pages after {MAX_PAGES} pages; stopped reading.",
                                 url=self.url, method=method)

    # Batch writes --------------------------------------------------------------------------

    def create_users(self, users: t.Sequence[dict[str, t.Any]], batch_size: int = DEFAULT_BATCH_SIZE) -> list[ItemOutcome]:
        """``Users.create`` in batches; each outcome carries the new user's id."""
        return self._batched("Users.create", users, batch_size, lambda chunk: {"users": list(chunk)}, creates=True)

    def set_users(self, user_ids: t.Sequence[str], pattern: dict[str, t.Any], batch_size: int = DEFAULT_BATCH_SIZE) -> list[ItemOutcome]:
        """``Users.set``: apply the same partial User ``pattern`` to every id."""
        return self._batched("Users.set", user_ids, batch_size, lambda chunk: {"userIds": list(chunk), "pattern": pattern},
                             id_of=lambda user_id: user_id)

    def remove_users(self, requests: t.Sequence[dict[str, t.Any]], batch_size: int = DEFAULT_BATCH_SIZE) -> list[ItemOutcome]:
        """``Users.remove`` with ``RemovalRequest`` dicts (see ``removal_request``)."""
        return self._batched("Users.remove", requests, batch_size, lambda chunk: {"requests": list(chunk)},
                             id_of=lambda request: request.get("userId"))

    def create_groups(self, groups: t.Sequence[dict[str, t.Any]], batch_size: int = DEFAULT_BATCH_SIZE) -> list[ItemOutcome]:
        """``Groups.create`` in batches; each outcome carries the new group's id."""
        return self._batched("Groups.create", groups, batch_size, lambda chunk: {"groups": list(chunk)}, creates=True)

    def add_group_members(self, group_id: str, user_ids: t.Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> list[ItemOutcome]:
        """``Groups.addMemberList``; its parameter is ``userList`` (the remove call says ``userIds``)."""
        return self._batched("Groups.addMemberList", user_ids, batch_size, lambda chunk: {"groupId": group_id, "userList": list(chunk)},
                             id_of=lambda user_id: user_id)

    def remove_group_members(self, group_id: str, user_ids: t.Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> list[ItemOutcome]:
        """``Groups.removeMemberList``; its parameter is ``userIds`` (the add call says ``userList``)."""
        return self._batched("Groups.removeMemberList", user_ids, batch_size, lambda chunk: {"groupId": group_id, "userIds": list(chunk)},
                             id_of=lambda user_id: user_id)

    def _batched(self, method: str, items: t.Sequence[t.Any], batch_size: int, make_params: t.Callable[[t.Sequence[t.Any]], dict[str, t.Any]],
                 *, creates: bool = False, id_of: t.Callable[[t.Any], str | None] = lambda item: None) -> list[ItemOutcome]:
        batch = _Batch(method, make_params, creates, id_of)
        batch_size = max(1, int(batch_size))
        outcomes: list[ItemOutcome] = []
        batches = (len(items) + batch_size - 1) // batch_size
        halving = True
        for number, offset in enumerate(range(0, len(items), batch_size), start=1):
            chunk = items[offset:offset + batch_size]
            started = time.monotonic()
            try:
                mapped = self._send(batch, chunk, offset, halving)
            except (KerioConnectionError, KerioApiError) as exc:
                exc.completed = outcomes + exc.completed
                raise
            outcomes.extend(mapped)
            failures = sum(1 for outcome in mapped if not outcome.ok)
            # A server that refused every item of a batch for one and the same reason (a full licence, say)
            # refuses the whole call, whatever its items: the next batches are not asked item by item.
            halving = halving and not (len(chunk) > 1 and failures == len(chunk) and len({outcome.error for outcome in mapped}) == 1)
            self._session.emit(logging.DEBUG, f"{method}: batch {number} of {batches} ({len(chunk)} items) in {time.monotonic() - started:.3f} s, "
                                              f"{failures} failed")
        return outcomes

    def _send(self, batch: _Batch, chunk: t.Sequence[t.Any], offset: int, halving: bool) -> list[ItemOutcome]:
        """The outcomes of one call for ``chunk``; see ``_rejected`` for a call the server rejects as a whole."""
        params = batch.make_params(chunk)
        try:
            result = self.call(batch.method, params)
        except KerioApiError as exc:
            if exc.code in CALL_WIDE_ERRORS:
                raise
            return self._rejected(batch, chunk, offset, exc, halving and exc.code not in NOT_ABOUT_ITEMS)
        return self._map_items(batch.method, chunk, offset, result, params, creates=batch.creates, id_of=batch.id_of)

    def _rejected(self, batch: _Batch, chunk: t.Sequence[t.Any], offset: int, rejection: KerioApiError, halving: bool) -> list[ItemOutcome]:
        """Outcomes of a call the server rejected as a whole, so that none of its items was applied.

        Whether one bad item makes Kerio reject a whole batch is not known (reference §4.1), so its
        halves are sent again, and theirs, until the good items are applied and the bad ones found:
        two calls per halving. ``halving`` False fails every item with the rejection instead.
        """
        self._session.emit(logging.WARNING, f"{batch.method}: {len(chunk)} items from item {offset + 1} rejected: {rejection.message}")
        if len(chunk) == 1 or not halving:
            failed = ItemError(rejection.code, rejection.message)
            return [ItemOutcome(offset + index, False, batch.id_of(item), failed) for index, item in enumerate(chunk)]
        middle = len(chunk) // 2
        outcomes: list[ItemOutcome] = []
        try:
            outcomes.extend(self._send(batch, chunk[:middle], offset, halving))
            outcomes.extend(self._send(batch, chunk[middle:], offset + middle, halving))
        except (KerioConnectionError, KerioApiError) as exc:
            exc.completed = outcomes + exc.completed  # the half done before it was applied
            raise
        return outcomes

    def _map_items(self, method: str, chunk: t.Sequence[t.Any], offset: int, result: dict[str, t.Any], params: dict[str, t.Any], *,
                   creates: bool, id_of: t.Callable[[t.Any], str | None]) -> list[ItemOutcome]:
        """Turn ``result.errors[]`` and ``result.result[]`` (keyed by inputIndex) into one outcome per input."""
        errors: dict[int, ItemError] = {}
        for error in result.get("errors") or []:
            index = self._input_index(method, error, len(chunk))
            parameters = (error.get("messageParameters") or {}).get("positionalParameters")
            message = self._session.scrub(substitute(str(error.get("message", "")), parameters), params)
            code = error.get("code")
            if index in errors:  # more than one error for the same item: keep them all
                message = f"{errors[index].message}; {message}"
            errors[index] = ItemError(code if isinstance(code, int) else None, message)
        if not creates and not errors:  # the common case, made cheap: it runs for every user
            return [ItemOutcome(offset + index, True, id_of(item)) for index, item in enumerate(chunk)]
        created: dict[int, str] = {}
        for entry in (result.get("result") or []) if creates else []:
            index = self._input_index(method, entry, len(chunk))
            created[index] = entry.get("id")
        if not errors and len(created) == len(chunk) and all(created.values()):  # each item created, as is usual
            return [ItemOutcome(offset + index, True, created[index]) for index in range(len(chunk))]
        outcomes = []
        for index, item in enumerate(chunk):
            if index in errors:
                outcomes.append(ItemOutcome(offset + index, False, created.get(index) or id_of(item), errors[index]))
            elif not creates:
                outcomes.append(ItemOutcome(offset + index, True, id_of(item)))
            elif created.get(index):
                outcomes.append(ItemOutcome(offset + index, True, created[index]))
            else:
                unknown = ItemError(None, "the server reported neither a new id nor an error for this item; read the server state to "
                                          "find out whether it was created", outcome_unknown=True)
                outcomes.append(ItemOutcome(offset + index, False, None, unknown))
        return outcomes

    def _input_index(self, method: str, entry: t.Any, count: int) -> int:
        index = entry.get("inputIndex") if isinstance(entry, dict) else None
        if isinstance(index, int) and 0 <= index < count:
            return index
        if count == 1:
            return 0  # only one item it can be about
        raise KerioProtocolError(f"{method} on {self.url} reported an item outside the batch (inputIndex {quoted(index)} of {count}); the "
                                 f"outcome of each item is unknown, read the server state again.", url=self.url, method=method,
                                 outcome_unknown=True)
