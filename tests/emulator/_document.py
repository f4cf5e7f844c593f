# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The JSON documents the store is read from and written to: a seed, the state file, the /emulator/state dump.

A seed and a state file share one format; the state file adds ids and keeps ``passwordSha256``
instead of a clear ``password`` (a clear password is never written). Seeds go through the same
rules as API calls, so a seed cannot hold what a real server would refuse.
"""

from __future__ import annotations

from _errors import ItemError, RpcError
from _model import (
    ALIAS_SPEC, DOMAIN_DEFAULTS, DOMAIN_SPEC, GROUP_SPEC, TEMPLATE_DEFAULTS, TEMPLATE_SPEC, USER_DEFAULTS, USER_SPEC,
    Template, new_uuid, password_digest, user_right,
)
from _schema import ANY, INT, NULL, STRING, ListOf, OneOf, Struct
from _state import Store

FORMAT = "kerio-emulator-state/1"
ADMIN_LOGIN = "admin"
DEFAULT_DOCUMENT = {"domains": [{"name": "example.com", "isPrimary": True}]}

SEED_USER = Struct("User", {**USER_SPEC.members, "passwordSha256": STRING, "groups": ListOf(STRING)}, required=("loginName",))
SEED_GROUP = Struct("Group", GROUP_SPEC.members, required=("name",))
SEED_DOMAIN = Struct(
    "Domain",
    {**DOMAIN_SPEC.members, "users": ListOf(SEED_USER), "groups": ListOf(SEED_GROUP), "templates": ListOf(TEMPLATE_SPEC), "aliases": ListOf(ALIAS_SPEC)},
    required=("name",),
)
NT_DOMAIN = Struct("NtDomain", {
    "users": ListOf(Struct("NtUser", {
        "loginName": STRING, "fullName": STRING, "description": STRING, "emailAddresses": ListOf(STRING), "groups": ListOf(STRING),
    }, required=("loginName",))),
    "groups": ListOf(Struct("NtGroup", {"name": STRING, "description": STRING, "members": ListOf(STRING)}, required=("name",))),
})
SEED_SPEC = Struct("seed", {
    "format": STRING,
    "domains": ListOf(SEED_DOMAIN),
    "templates": ListOf(TEMPLATE_SPEC),
    "licence_limit": OneOf(INT, NULL),
    "nt_domains": ANY,
})


class SeedError(ValueError):
    """A seed or state file the emulator refuses to start with."""


def load_document(document: dict, *, admin_password: str, licence_limit: int | None = None) -> Store:
    """Build a store from a seed or state document. The CLI's licence limit wins over the document's."""
    try:
        SEED_SPEC.validate(document, "seed")
        for name, nt_domain in document.get("nt_domains", {}).items():
            NT_DOMAIN.validate(nt_domain, f"seed.nt_domains.{name}")
        store = Store(licence_limit if licence_limit is not None else document.get("licence_limit"))
        store.nt_domains = document.get("nt_domains", {})
        domains = document.get("domains") or DEFAULT_DOCUMENT["domains"]
        primaries = [entry for entry in domains if entry.get("isPrimary")]
        if len(primaries) > 1:
            raise SeedError("only one domain can be primary")
        primary_name = (primaries or domains)[0]["name"]
        for entry in domains:
            _load_domain(store, entry, entry["name"] == primary_name, admin_password)
        for entry in document.get("templates", []):
            _load_template(store, entry, None)
    except RpcError as failure:
        raise SeedError(f"invalid seed: {failure.params[0]}") from None
    except ItemError as failure:
        raise SeedError(f"invalid seed: {failure.text()}") from None
    return store


def _stable_id(kind: str, domain, name: str) -> str:
    return f"keriodb://{kind}/{domain.uuid}/{new_uuid(f'{kind}:{domain.name}:{name.lower()}')}"


def _load_domain(store: Store, entry: dict, is_primary: bool, admin_password: str) -> None:
    data = {**DOMAIN_DEFAULTS, **{key: value for key, value in entry.items() if key in DOMAIN_DEFAULTS}, "name": entry["name"], "isPrimary": is_primary}
    domain = store.add_domain(data, entry.get("id"))
    for alias in entry.get("aliases", []):
        store.add_alias(domain, alias)
    for group in entry.get("groups", []):
        store.create_group({**group, "domainId": domain.id}, group_id=group.get("id") or _stable_id("group", domain, group["name"]))
    users = entry.get("users", [])
    if is_primary and all(user["loginName"].lower() != ADMIN_LOGIN for user in users):
        users = [{"loginName": ADMIN_LOGIN, "fullName": "Administrator", "role": user_right("FullAdmin")}, *users]
    for item in users:
        login_name = item["loginName"]
        # The administrator's password always comes from --admin-password, whatever the document says.
        digest = password_digest(admin_password) if is_primary and login_name.lower() == ADMIN_LOGIN else item.get("passwordSha256")
        user = store.create_user(
            {**item, "domainId": domain.id},
            user_id=item.get("id") or _stable_id("user", domain, login_name),
            password_sha256=digest,
            enforce_capacity=False,
        )
        for group_name in item.get("groups", []):
            group = domain.group_names.get(group_name.lower())
            if group is None:
                raise SeedError(f"invalid seed: user {login_name} is in group {group_name}, which domain {domain.name} does not have")
            store.add_member(group, user)
    for template in entry.get("templates", []):
        _load_template(store, template, domain)


def _load_template(store: Store, entry: dict, domain) -> None:
    data = {**TEMPLATE_DEFAULTS, **{key: value for key, value in entry.items() if key in TEMPLATE_DEFAULTS}, "name": entry["name"]}
    # Kept beside the data, as the groups are: a template without a domain has none to show.
    addresses = data.pop("emailAddresses")
    group_names = [group if isinstance(group, str) else group["name"] for group in entry.get("userGroups", [])]
    scope_name = f"template:{domain.name if domain else ''}:{entry['name'].lower()}"
    template_id = entry.get("id") or "keriodb://userTemplate/" + new_uuid(scope_name)
    store.add_template(Template(template_id, data, domain, addresses, group_names))


def dump_document(store: Store, *, for_tests: bool = False) -> dict:
    """The state-file document; ``for_tests`` adds what /emulator/state shows (rendered users, members)."""
    templates = [_dump_template(template) for template in store.templates.values() if template.domain is None]
    return {
        "format": FORMAT,
        "domains": [_dump_domain(store, domain, for_tests) for domain in store.domains.values()],
        "templates": templates,
        "licence_limit": store.licence_limit,
        "nt_domains": store.nt_domains,
    }


def _dump_domain(store: Store, domain, for_tests: bool) -> dict:
    groups = []
    for group in domain.groups.values():
        dumped = {"id": group.id, **group.data}
        if for_tests:
            dumped["members"] = sorted(store.users[user_id].name for user_id in group.member_ids)
        groups.append(dumped)
    return {
        "id": domain.id,
        **domain.data,
        "aliases": [{"id": alias.id, **alias.data} for alias in domain.aliases],
        "groups": groups,
        "users": [_dump_user(user, for_tests) for user in domain.users.values()],
        "templates": [_dump_template(template) for template in store.templates.values() if template.domain is domain],
    }


def _dump_user(user, for_tests: bool) -> dict:
    group_names = [group.name for group in user.groups()]
    if for_tests:
        return {**user.render(), "groups": group_names, "hasPassword": user.password_sha256 is not None, "passwordSha256": user.password_sha256}
    # Members left at their defaults are not written: they come back from the defaults when loaded.
    changed = {key: value for key, value in user.data.items() if key not in USER_DEFAULTS or (value is not USER_DEFAULTS[key] and value != USER_DEFAULTS[key])}
    dumped = {"id": user.id, **changed, "groups": group_names}
    if user.password_sha256 is not None:
        dumped["passwordSha256"] = user.password_sha256
    return dumped


def _dump_template(template: Template) -> dict:
    return {"id": template.id, **template.data, "emailAddresses": list(template.addresses), "userGroups": list(template.group_names)}
