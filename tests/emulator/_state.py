# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The store: every domain, user, group and template, with the indexes that keep the rules cheap.

Each change goes through a method here, which checks the rules of _rules.py first and only then
touches anything, so a failed item leaves no trace (reference §4.1: "no half-built account").
Callers hold the emulator's lock.
"""

from __future__ import annotations

from _errors import ALREADY_EXISTS, NOT_FOUND, OPERATION_FAILED, ItemError
from _model import (
    BUILT_IN_ROLES, GROUP_DEFAULTS, GROUP_WRITABLE, USER_DEFAULTS, USER_SETTABLE, USER_WRITABLE,
    Alias, Domain, Group, Template, User, new_uuid, password_digest, written_user_members,
)
from _rules import (
    check_addresses_free, check_capacity, check_local_parts, check_login_name, check_password, without_login_name,
)


def _check_assignable_role(role: str) -> None:
    if role in BUILT_IN_ROLES:
        raise ItemError(OPERATION_FAILED, "Role %1 cannot be assigned.", role)


def _group_role(role) -> str:
    """Groups keep the UserRoleType string; the UserRight struct form is accepted too (see _model)."""
    return role["userRole"] if isinstance(role, dict) else role


class Store:
    def __init__(self, licence_limit: int | None = None):
        self.domains: dict[str, Domain] = {}
        self.users: dict[str, User] = {}
        self.groups: dict[str, Group] = {}
        self.templates: dict[str, Template] = {}
        self.licence_limit = licence_limit
        self.nt_domains: dict = {}
        # Bumped by every change: query caches and the state-file writer watch it.
        self.generation = 0

    def changed(self) -> None:
        self.generation += 1

    @property
    def enabled_total(self) -> int:
        """Enabled users of all domains: what the licence counts."""
        return sum(domain.enabled_users for domain in self.domains.values())

    # --- lookups ----------------------------------------------------------------------------------------
    def primary_domain(self) -> Domain:
        return next(domain for domain in self.domains.values() if domain.data["isPrimary"])

    def domain_by_name(self, name: str) -> Domain | None:
        """A domain by its name or one of its alias names."""
        name = name.lower()
        return next((domain for domain in self.domains.values() if name in domain.mail_domains()), None)

    def domain_of_item(self, domain_id) -> Domain:
        """The domain with this id, or 1002. Where the domain is the subject of the whole call
        (``domainId`` of Users.get), the dispatcher turns the ItemError into a call error."""
        domain = self.domains.get(domain_id)
        if domain is None:
            raise ItemError(NOT_FOUND, "Domain %1 does not exist.", domain_id)
        return domain

    # --- domains, aliases, templates (made from the seed only) --------------------------------------------
    def add_domain(self, data: dict, domain_id: str | None = None) -> Domain:
        if self.domain_by_name(data["name"]) is not None:
            raise ItemError(ALREADY_EXISTS, "Domain %1 already exists.", data["name"])
        domain = Domain(domain_id or "keriodb://domain/" + new_uuid("domain:" + data["name"].lower()), data)
        self.domains[domain.id] = domain
        self.changed()
        return domain

    def add_alias(self, domain: Domain, data: dict) -> Alias:
        check_local_parts([data["name"]])
        stable_name = f"alias:{domain.name}:{data['name'].lower()}"
        alias = Alias(f"keriodb://alias/{domain.uuid}/{new_uuid(stable_name)}", data)
        check_addresses_free(domain, alias.addresses(), alias)
        domain.aliases.append(alias)
        self._claim_addresses(domain, alias)
        self.changed()
        return alias

    def add_template(self, template: Template) -> None:
        self.templates[template.id] = template
        self.changed()

    # --- users --------------------------------------------------------------------------------------------
    def create_user(self, item: dict, *, user_id: str | None = None, password_sha256: str | None = None, enforce_capacity: bool = True) -> User:
        """Create one user from a checked User struct; raises ItemError and changes nothing when a rule fails.

        ``userGroups`` is ignored: whether Users.create sets membership is unconfirmed (reference §7.2,
        open question 6), so only Groups.addMemberList does, and a client relying on it finds out here.
        """
        domain = self.domain_of_item(item["domainId"])
        data = {**USER_DEFAULTS, **written_user_members(item, USER_WRITABLE)}
        data["emailAddresses"] = without_login_name(data["loginName"], data["emailAddresses"])
        self.check_user(domain, data, None)
        if password_sha256 is None:
            password_sha256 = self._new_password(domain, data, item.get("password"))
        if data["isEnabled"] and enforce_capacity:
            check_capacity(domain, self.enabled_total, self.licence_limit)
        user = User(user_id or f"keriodb://user/{domain.uuid}/{new_uuid()}", domain, data, password_sha256)
        domain.users[user.id] = user
        self.users[user.id] = user
        self._claim_user(user)
        self.changed()
        return user

    def update_user(self, user: User, pattern: dict) -> None:
        """Users.set for one user: only the members present in the pattern change (reference §6.4)."""
        domain = user.domain
        if pattern.get("domainId", domain.id) != domain.id:
            raise ItemError(OPERATION_FAILED, "User %1 cannot be moved to another domain.", user.name)
        data = {**user.data, **written_user_members(pattern, USER_SETTABLE)}
        data["emailAddresses"] = without_login_name(data["loginName"], data["emailAddresses"])
        self.check_user(domain, data, user)
        password_sha256 = user.password_sha256
        if "password" in pattern or password_sha256 is None:  # a user switched to internal sign-in needs one too
            password_sha256 = self._new_password(domain, data, pattern.get("password"))
        if data["isEnabled"] and not user.data["isEnabled"]:
            check_capacity(domain, self.enabled_total, self.licence_limit)
        self._release_user(user)
        user.data = data
        user.password_sha256 = password_sha256
        self._claim_user(user)
        self.changed()

    def remove_user(self, user: User, request: dict) -> None:
        if request["method"] == "UMoveFolder":
            target = self.users.get(request.get("targetUserId", ""))
            if target is None or target is user:
                raise ItemError(NOT_FOUND, "Target user %1 for the folder of %2 does not exist.", request.get("targetUserId", ""), user.name)
        for group_id in user.group_ids:
            self.groups[group_id].member_ids.discard(user.id)
        self._release_user(user)
        del user.domain.users[user.id]
        del self.users[user.id]
        self.changed()

    @staticmethod
    def check_user(domain: Domain, data: dict, user: User | None) -> None:
        """The rules on login name, role and addresses; ``user`` is the one being changed (None: a new one)."""
        login_name = data["loginName"]
        if user is None or login_name != user.name:
            check_login_name(login_name)
            if domain.logins.get(login_name.lower(), user) is not user:
                raise ItemError(ALREADY_EXISTS, "User %1 already exists.", login_name)
        _check_assignable_role(data["role"]["userRole"])
        check_local_parts(data["emailAddresses"])
        check_addresses_free(domain, [login_name, *data["emailAddresses"]], user)

    @staticmethod
    def _new_password(domain: Domain, data: dict, password: str | None) -> str | None:
        # The reference says the password "may be mandatory for internal authentication" (§6.3, open
        # question 7): the stricter reading is taken, so a user with internal auth needs one.
        if not password:
            if data["authType"] == "UInternalAuth":
                raise ItemError(OPERATION_FAILED, "A password is required for user %1.", data["loginName"])
            return None
        check_password(domain, password, data["loginName"], data["fullName"])
        return password_digest(password)

    def _claim_user(self, user: User) -> None:
        user.domain.logins[user.name.lower()] = user
        self._claim_addresses(user.domain, user)
        if user.data["isEnabled"]:
            user.domain.enabled_users += 1

    def _release_user(self, user: User) -> None:
        del user.domain.logins[user.name.lower()]
        self._release_addresses(user.domain, user)
        if user.data["isEnabled"]:
            user.domain.enabled_users -= 1

    @staticmethod
    def _claim_addresses(domain: Domain, owner) -> None:
        for address in owner.addresses():
            domain.addresses[address.lower()] = owner

    @staticmethod
    def _release_addresses(domain: Domain, owner) -> None:
        for address in owner.addresses():
            if domain.addresses.get(address.lower()) is owner:
                del domain.addresses[address.lower()]

    # --- groups -------------------------------------------------------------------------------------------
    def create_group(self, item: dict, *, group_id: str | None = None) -> Group:
        domain = self.domain_of_item(item["domainId"])
        data = {**GROUP_DEFAULTS, **{key: value for key, value in item.items() if key in GROUP_WRITABLE}}
        self._check_group(domain, data, None)
        group = Group(group_id or f"keriodb://group/{domain.uuid}/{new_uuid()}", domain, data)
        domain.groups[group.id] = group
        domain.group_names[group.name.lower()] = group
        self.groups[group.id] = group
        self._claim_addresses(domain, group)
        self.changed()
        return group

    def update_group(self, group: Group, pattern: dict) -> None:
        data = {**group.data, **{key: value for key, value in pattern.items() if key in GROUP_WRITABLE}}
        self._check_group(group.domain, data, group)
        del group.domain.group_names[group.name.lower()]
        self._release_addresses(group.domain, group)
        group.data = data
        group.domain.group_names[group.name.lower()] = group
        self._claim_addresses(group.domain, group)
        self.changed()

    def remove_group(self, group: Group) -> None:
        """Removing a group removes its memberships (reference §7.2)."""
        for user_id in group.member_ids:
            self.users[user_id].group_ids.discard(group.id)
        del group.domain.group_names[group.name.lower()]
        del group.domain.groups[group.id]
        del self.groups[group.id]
        self._release_addresses(group.domain, group)
        self.changed()

    @staticmethod
    def _check_group(domain: Domain, data: dict, group: Group | None) -> None:
        data["role"] = _group_role(data["role"])
        name = data["name"]
        if not name.strip():
            raise ItemError(OPERATION_FAILED, "A group needs a name.")
        if domain.group_names.get(name.lower(), group) is not group:
            raise ItemError(ALREADY_EXISTS, "Group %1 already exists.", name)
        _check_assignable_role(data["role"])
        check_local_parts(data["emailAddresses"])
        check_addresses_free(domain, data["emailAddresses"], group)

    def add_member(self, group: Group, user: User) -> None:
        """Adding a member twice is a no-op: the reference says nothing, and refusing would be a guess."""
        if user.domain is not group.domain:
            raise ItemError(OPERATION_FAILED, "User %1 is not in the domain of group %2.", user.name, group.name)
        group.member_ids.add(user.id)
        user.group_ids.add(group.id)
        self.changed()

    def remove_member(self, group: Group, user: User) -> None:
        group.member_ids.discard(user.id)
        user.group_ids.discard(group.id)
        self.changed()
