# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Users.get / create / set / remove (reference §6). Rules live in _state and _rules; this is the wire side."""

from __future__ import annotations

from _errors import NOT_FOUND, OPERATION_FAILED, ItemError, invalid_params
from _model import USER_SPEC
from _query import SEARCH_QUERY, Collection, string_test
from _rpc import for_each_item, rpc_method
from _schema import BOOL, STRING, Enum, ListOf, Struct

QUICKSEARCH_FIELDS = ("loginName", "fullName", "description")


def quicksearch(comparator: str, value: str):
    """QUICKSEARCH: Eq/Like match any of loginName, fullName, description; NotEq must hold for all (reference §6.2)."""
    if comparator not in ("Eq", "NotEq", "Like"):
        raise invalid_params(f"QUICKSEARCH cannot be compared with {comparator}")
    test = string_test(comparator, value)
    join = all if comparator == "NotEq" else any
    return lambda user: join(test(user.data[field]) for field in QUICKSEARCH_FIELDS)


def member_of(comparator: str, group_id: str):
    """``userGroups Eq <groupId>``: the members of a group (reference §7.2); NotEq: everybody else."""
    if comparator not in ("Eq", "NotEq"):
        raise invalid_params(f"userGroups cannot be compared with {comparator}")
    wanted = comparator == "Eq"
    return lambda user: (group_id in user.group_ids) == wanted


USER_QUERY_RULES = dict(
    hidden=("password",),  # write-only: never returned, even when asked for
    not_in_conditions=("isWritableByMe",),  # IDL: "cannot be used in SearchQuery conditions"
    not_in_or=("itemSource",),  # IDL: "This field cannot be used with Or queries"
)
USERS = Collection("User", USER_SPEC, special={"QUICKSEARCH": quicksearch, "userGroups": member_of}, **USER_QUERY_RULES)
# The QUICKSEARCH pseudo-field is "supported only in Users.get" (reference §6.2).
USERS_WITHOUT_QUICKSEARCH = Collection("User", USER_SPEC, special={"userGroups": member_of}, **USER_QUERY_RULES)
NEW_USER = Struct("User", USER_SPEC.members, required=("domainId", "loginName"))
REMOVAL_REQUEST = Struct("RemovalRequest", {
    "userId": STRING,
    "method": Enum("UserDeleteFolderMode", "UDeleteUser", "UDeleteFolder", "UMoveFolder"),
    "removeReferences": BOOL,
    "targetUserId": STRING,
    "mode": Enum("DirectoryServiceDeleteMode", "DSModeDeactivate", "DSModeDelete"),  # newer API only, so optional
}, required=("userId", "method"))


def existing_user(call, user_id: str):
    """The user an item names, or a per-item 1002."""
    user = call.store.users.get(user_id)
    if user is None:
        raise ItemError(NOT_FOUND, "User %1 does not exist.", user_id)
    return user


def check_simulated_failure(call, login_name: str) -> None:
    """The item_failures fault: Users.create/set/remove items of these users fail."""
    if call.app.faults.item_fails(login_name):
        raise ItemError(OPERATION_FAILED, "Simulated failure for %1.", login_name)


def _writable_user(call, user_id: str):
    user = existing_user(call, user_id)
    check_simulated_failure(call, user.name)
    return user


@rpc_method("Users.get", {"query": SEARCH_QUERY, "domainId": STRING})
def get_users(call):
    domain = call.store.domain_of_item(call.params["domainId"])
    return call.listing(USERS, domain.id, domain.users.values)


@rpc_method("Users.create", {"users": ListOf(NEW_USER)}, writes=True)
def create_users(call):
    def create(item):
        check_simulated_failure(call, item["loginName"])
        return call.store.create_user(item).id

    errors, created = for_each_item(call, call.params["users"], create)
    return {"errors": errors, "result": created}


@rpc_method("Users.set", {"userIds": ListOf(STRING), "pattern": USER_SPEC}, writes=True)
def set_users(call):
    pattern = call.params["pattern"]
    errors = for_each_item(call, call.params["userIds"], lambda user_id: call.store.update_user(_writable_user(call, user_id), pattern))[0]
    return {"errors": errors}


@rpc_method("Users.remove", {"requests": ListOf(REMOVAL_REQUEST)}, writes=True)
def remove_users(call):
    """Only failures are listed (reference §6.5)."""
    def remove(request):
        user = _writable_user(call, request["userId"])
        if user.id == call.session.user_id:
            raise ItemError(OPERATION_FAILED, "User %1 is logged in with this session and cannot be removed.", user.name)
        call.store.remove_user(user, request)

    return {"errors": for_each_item(call, call.params["requests"], remove)[0]}
