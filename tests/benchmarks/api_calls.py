# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How many Kerio API calls one import makes: the formula, as code the benchmark and
tests/integration/test_api_call_counts.py check against the emulator's own call counts.

With B the module's ``batch_size`` and P the client's page size for reads (``DEFAULT_PAGE_SIZE``):

    Session.login, Session.logout, Domains.get    1 each (a server has few domains: one page)
    UserTemplates.getAvailable                    1 when a template is named
    Users.get                                     max(1, ceil(E / P))    E: users the domain holds before the run
    Groups.get                                    max(1, ceil(G / P))    G: groups the domain holds before the run
    Server.findEntityByEmail                      ceil(a / A)            a: distinct addresses the import gives: created users'
                                                                         login names and addresses, changed users' new addresses
                                                                         (A: the client's ADDRESS_LOOKUP_SIZE, 10,000)
    Domains.getUserCountInfo                      1 when users are created or enabled
    Session.whoAmI                                1 when users are removed or disabled, or leave a group whose role gives
                                                  administration rights
    Groups.create                                 ceil(g / 200)          g: groups to create (the client's default batch)
    Users.create                                  ceil(c / B)            c: users to create
    Users.remove                                  ceil(r / B)            r: users to remove
    Users.set                                     sum over distinct changes d of ceil(n_d / B)
                                                  + 1 per changed user giving an address to another changed user
                                                  (users needing the very same change share calls)
    Groups.addMemberList                          sum over groups k of ceil(j_k / B)   j_k: users joining k
    Groups.removeMemberList                       sum over groups k of ceil(l_k / B)   l_k: users leaving k
    Domains.generatePassword                      1 per created user who has no password

The three reads in the middle are what the checks before the first write need beyond users and
groups (who holds an address besides users, room under the licence and the domain's limit, the
session's own account), each made only when the plan needs it, so a re-run with nothing to
change makes none of them.

So the writes of an import are at most (c + r + sum n_d + sum j_k + sum l_k) / B + D + 2K calls (D distinct
changes, K groups): they grow with N / B, not with N, except for two things the API imposes:
Users.set applies one pattern to many users, so users who each need a different value (a new full
name each) cost one call each; and Domains.generatePassword makes one password per call. A re-run
with nothing changed writes nothing and reads max(1, ceil(E / P)) + max(1, ceil(G / P)) + 3 calls.
"""

from __future__ import annotations

import collections
import json
import math
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import ADDRESS_LOOKUP_SIZE, DEFAULT_BATCH_SIZE, DEFAULT_PAGE_SIZE

LOGIN_LOGOUT_DOMAIN = {"Session.login": 1, "Domains.get": 1, "Session.logout": 1}


class Declared(t.NamedTuple):
    """A user's managed fields as the benchmark data declares them (addresses without the login name)."""

    full_name: str
    description: str
    addresses: tuple[str, ...]
    groups: tuple[str, ...]


def _batches(count: int, batch_size: int) -> int:
    return math.ceil(count / batch_size)


def expected_calls(declared: t.Mapping[str, Declared], existing: t.Mapping[str, Declared], *, batch_size: int, page_size: int = DEFAULT_PAGE_SIZE,
                   other_users: int = 1, existing_groups: t.Iterable[str] = ()) -> dict[str, int]:
    """The calls of an import of ``declared`` into a domain holding ``existing`` (both: login -> Declared).

    ``other_users`` are users of the domain no source declares (the admin); ``existing_groups`` the
    groups the domain holds before the run. Methods called zero times are left out, as in the
    emulator's statistics. Every user is declared enabled and with a password, so none is generated,
    and none is removed.
    """
    held = {name.casefold(): user for name, user in existing.items()}
    groups_held = {name.casefold() for name in existing_groups}
    creates = 0
    same_change: collections.Counter = collections.Counter()
    joining: collections.Counter = collections.Counter()
    groups_to_create: dict[str, str] = {}
    given: set[str] = set()  # the addresses looked up before the first write
    for name, user in declared.items():
        before = held.get(name.casefold())
        if before is None:
            creates += 1
            given.update(address.casefold() for address in (name, *user.addresses))
            new_groups = user.groups
        else:
            change = {}
            if user.full_name != before.full_name:
                change["fullName"] = user.full_name
            if user.description != before.description:
                change["description"] = user.description
            if {a.casefold() for a in user.addresses} != {a.casefold() for a in before.addresses}:
                change["emailAddresses"] = list(user.addresses)
                given.update(address.casefold() for address in user.addresses)
            if change:
                same_change[json.dumps(change, sort_keys=True)] += 1
            had = {group.casefold() for group in before.groups}
            new_groups = tuple(group for group in user.groups if group.casefold() not in had)
        for group in new_groups:
            joining[group.casefold()] += 1
            if group.casefold() not in groups_held:
                groups_to_create.setdefault(group.casefold(), group)
    calls = dict(LOGIN_LOGOUT_DOMAIN)
    calls["Users.get"] = max(1, math.ceil((len(existing) + other_users) / page_size))
    calls["Groups.get"] = max(1, math.ceil(len(groups_held) / page_size))
    calls["Server.findEntityByEmail"] = _batches(len(given), ADDRESS_LOOKUP_SIZE)
    calls["Domains.getUserCountInfo"] = 1 if creates else 0
    calls["Groups.create"] = _batches(len(groups_to_create), DEFAULT_BATCH_SIZE)  # the applier leaves the client's default
    calls["Users.create"] = _batches(creates, batch_size)
    calls["Users.set"] = sum(_batches(count, batch_size) for count in same_change.values())
    calls["Groups.addMemberList"] = sum(_batches(count, batch_size) for count in joining.values())
    return {method: count for method, count in calls.items() if count}


def declared_users(users: t.Iterable[t.Any]) -> dict[str, Declared]:
    """generate_users.User objects (or anything with the same attributes) as login -> Declared."""
    return {user.login: Declared(user.full_name, user.description, tuple(user.addresses[1:]), tuple(user.groups)) for user in users}
