# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Domains.get / getUserCountInfo / generatePassword and Server.findEntityByEmail (reference §5, §10)."""

from __future__ import annotations

import secrets
import string

from _errors import invalid_params
from _model import DOMAIN_READ_ONLY, DOMAIN_SPEC, spec_for_default
from _query import SEARCH_QUERY, Collection
from _rpc import rpc_method
from _schema import STRING, Enum, ListOf, Struct

DOMAINS = Collection("Domain", Struct("Domain", {
    **DOMAIN_SPEC.members, **{name: spec_for_default(value) for name, value in DOMAIN_READ_ONLY.items()},
}))
ENTITY = Enum("Entity", "EntityUser", "EntityAlias", "EntityGroup", "EntityMailingList", "EntityResource")
GENERATED_PASSWORD_LENGTH = 12
PASSWORD_POOLS = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "!#%+-=?_")


@rpc_method("Domains.get", {"query": SEARCH_QUERY})
def get_domains(call):
    return call.listing(DOMAINS, "", call.store.domains.values)


@rpc_method("Domains.getUserCountInfo", {"domainId": STRING})
def get_user_count_info(call):
    """Enabled users of the domain and the tighter of the domain limit and the licence (disabled users do not count)."""
    store = call.store
    domain = store.domain_of_item(call.params["domainId"])
    limits = []  # (users this domain may have, the limit itself, its type)
    if domain.data["userMaxCount"] != -1:
        limits.append((domain.data["userMaxCount"], domain.data["userMaxCount"], "DomainLimit"))
    if store.licence_limit is not None:
        used_elsewhere = store.enabled_total - domain.enabled_users
        limits.append((max(0, store.licence_limit - used_elsewhere), store.licence_limit, "LicenseLimit"))
    if limits:
        # Where both leave the same room, the licence is named: Kerio's API comments say "if domain limit ==
        # license limit -> use license", which the emulator reads as the room each leaves (the reference is silent).
        allowed, limit, limit_type = min(limits, key=lambda entry: (entry[0], entry[2] != "LicenseLimit"))
        allowed_users = {"isUnlimited": False, "allowedUsers": allowed, "limit": limit, "limitType": limit_type}
    else:
        allowed_users = {"isUnlimited": True, "allowedUsers": -1, "limit": -1, "limitType": "DomainLimit"}
    return {"countInfo": {"currentUsers": domain.enabled_users, "allowedUsers": allowed_users}}


@rpc_method("Domains.generatePassword", {"domainId": STRING})
def generate_password(call):
    """A password that meets the domain's policy: long enough, and with all four character classes."""
    domain = call.store.domain_of_item(call.params["domainId"])
    length = max(GENERATED_PASSWORD_LENGTH, domain.data["passwordMinimumLength"])
    characters = [secrets.choice(pool) for pool in PASSWORD_POOLS]
    characters += [secrets.choice("".join(PASSWORD_POOLS)) for dummy in range(length - len(characters))]
    secrets.SystemRandom().shuffle(characters)
    return {"password": "".join(characters)}


@rpc_method(
    "Server.findEntityByEmail",
    {"addresses": ListOf(STRING), "updatedEntity": Struct("EntityDetail", {"kind": ENTITY, "id": STRING}, required=("kind",)), "domainId": STRING},
)
def find_entity_by_email(call):
    """Who already owns each address, given as local parts: "addresses without domain" (reference §6.1, §10)."""
    domain = call.store.domain_of_item(call.params["domainId"])
    updated_id = call.params["updatedEntity"].get("id")
    full_addresses = [address for address in call.params["addresses"] if "@" in address]
    if full_addresses:
        raise invalid_params(f"addresses are local parts, without a domain: {full_addresses[0]}")
    entities = []
    for local_part in call.params["addresses"]:
        owner = domain.addresses.get(local_part.lower())
        if owner is not None and owner.id != updated_id:
            entities.append({
                "kind": owner.ENTITY_KIND, "name": owner.name, "collisionAddress": f"{local_part}@{domain.name}",
                "win": False, "isPattern": False,
            })
    return {"entities": entities}
