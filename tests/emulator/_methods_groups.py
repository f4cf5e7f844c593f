# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Groups.get / create / set / remove / addMemberList / removeMemberList (reference §7)."""

from __future__ import annotations

from _errors import NOT_FOUND, ItemError
from _methods_users import existing_user
from _model import GROUP_SPEC
from _query import SEARCH_QUERY, Collection
from _rpc import for_each_item, rpc_method
from _schema import STRING, Enum, ListOf, Struct

GROUPS = Collection("Group", GROUP_SPEC)
NEW_GROUP = Struct("Group", GROUP_SPEC.members, required=("domainId", "name"))
GROUP_REMOVAL = Struct(
    "GroupRemovalRequest", {"groupId": STRING, "mode": Enum("DirectoryServiceDeleteMode", "DSModeDeactivate", "DSModeDelete")}, required=("groupId",)
)


def _existing_group(call, group_id: str):
    group = call.store.groups.get(group_id)
    if group is None:
        raise ItemError(NOT_FOUND, "Group %1 does not exist.", group_id)
    return group


@rpc_method("Groups.get", {"query": SEARCH_QUERY, "domainId": STRING})
def get_groups(call):
    domain = call.store.domain_of_item(call.params["domainId"])
    return call.listing(GROUPS, domain.id, domain.groups.values)


@rpc_method("Groups.create", {"groups": ListOf(NEW_GROUP)}, writes=True)
def create_groups(call):
    errors, created = for_each_item(call, call.params["groups"], lambda item: call.store.create_group(item).id)
    return {"errors": errors, "result": created}


@rpc_method("Groups.set", {"groupIds": ListOf(STRING), "pattern": GROUP_SPEC}, writes=True)
def set_groups(call):
    pattern = call.params["pattern"]
    return {"errors": for_each_item(call, call.params["groupIds"], lambda group_id: call.store.update_group(_existing_group(call, group_id), pattern))[0]}


@rpc_method("Groups.remove", {"requests": ListOf(GROUP_REMOVAL)}, writes=True)
def remove_groups(call):
    return {"errors": for_each_item(call, call.params["requests"], lambda request: call.store.remove_group(_existing_group(call, request["groupId"])))[0]}


# Note the asymmetry, kept exactly (reference §7.2): ``userList`` to add, ``userIds`` to remove.
@rpc_method("Groups.addMemberList", {"groupId": STRING, "userList": ListOf(STRING)}, writes=True)
def add_members(call):
    group = _existing_group(call, call.params["groupId"])
    return {"errors": for_each_item(call, call.params["userList"], lambda user_id: call.store.add_member(group, existing_user(call, user_id)))[0]}


@rpc_method("Groups.removeMemberList", {"groupId": STRING, "userIds": ListOf(STRING)}, writes=True)
def remove_members(call):
    group = _existing_group(call, call.params["groupId"])
    return {"errors": for_each_item(call, call.params["userIds"], lambda user_id: call.store.remove_member(group, existing_user(call, user_id)))[0]}
