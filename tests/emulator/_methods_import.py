# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Server-side import and export: Users.getFromServer, Users.parseFromCsv, Users.exportToCsv (reference §9).

Both imports only list Importees ``{userItem, isImportable, message}``; nothing is created until the
client calls Users.create with the items it chose.
"""

from __future__ import annotations

import copy
import datetime

from _csv_format import CsvFileError, export_users, parse_users
from _directory import DirectoryError, directory_users, nt_domain_users
from _errors import NOT_FOUND, OPERATION_FAILED, ItemError, RpcError
from _methods_users import USERS_WITHOUT_QUICKSEARCH
from _model import USER_DEFAULTS
from _query import SEARCH_QUERY
from _rpc import rpc_method
from _rules import check_password
from _schema import BOOL, STRING, Enum, Struct
from _state import Store

PRESERVE_FROM_CSV = "PRESERVE_FROM_CSV"
IMPORT_SERVER = Struct("ImportServer", {
    "directoryType": Enum("ServerDirectoryType", "WinNT", "ActiveDirectory", "NovellEDirectory"),
    "remoteDomainName": STRING,
    "address": STRING,
    "loginName": STRING,
    "password": STRING,
    "ldapFilter": STRING,
    "isSecureConnection": BOOL,
}, required=("directoryType", "remoteDomainName"))


def _import_problem(domain, item: dict) -> str:
    """Why Users.create would refuse this item, as far as can be told now ("" when it looks importable)."""
    try:
        Store.check_user(domain, {**USER_DEFAULTS, **item}, None)
        if item.get("password"):
            check_password(domain, item["password"], item.get("loginName", ""), item.get("fullName", ""))
    except ItemError as failure:
        return failure.text()
    return ""


def _importee(domain, item: dict, problem: str = "") -> dict:
    message = problem or _import_problem(domain, item)
    return {"userItem": item, "isImportable": not message, "message": message}


def _user_item(domain, login_name: str, full_name: str, description: str, addresses: list, group_names: list) -> dict:
    """A User for Users.create, every writable member filled (Importee.userItem is a User, reference §9.1).

    Members the directory does not give keep the server's defaults (isEnabled true, internal sign-in),
    so a client cannot tell them from values the directory holds. Groups are named as UserGroups, with
    the id when the domain has such a group.
    """
    user_groups = []
    for name in group_names:
        group = domain.group_names.get(name.lower())
        user_groups.append(group.as_user_group() if group else {"id": "", "name": name, "description": "", "itemSource": "DSInternalSource"})
    return {
        **copy.deepcopy(USER_DEFAULTS),
        "domainId": domain.id,
        "loginName": login_name,
        "fullName": full_name,
        "description": description,
        "emailAddresses": addresses,
        "userGroups": user_groups,
    }


def _local_parts(domain, addresses: list) -> list:
    """Directory mail addresses as local parts; addresses in other mail domains are left out."""
    mail_domains = domain.mail_domains()
    local_parts = []
    for address in addresses:
        local_part, at, mail_domain = address.partition("@")
        if not at or mail_domain.lower() in mail_domains:
            local_parts.append(local_part)
    return local_parts


@rpc_method("Users.getFromServer", {"importServer": IMPORT_SERVER, "domainToImport": STRING}, locked=False)
def get_from_server(call):
    """WinNT: the seed's ``nt_domains``; AD and eDirectory: a real directory over LDAP, read outside the lock."""
    server = call.params["importServer"]
    with call.app.lock:
        call.store.domain_of_item(call.params["domainToImport"])
        nt_domains = call.store.nt_domains
    try:
        if server["directoryType"] == "WinNT":
            found = nt_domain_users(nt_domains, server["remoteDomainName"])
        else:
            found = directory_users(server, call.app.options.ldap_ca_file)
    except DirectoryError as error:
        raise RpcError(OPERATION_FAILED, "Directory service error: %1.", str(error)) from None
    with call.app.lock:
        domain = call.store.domain_of_item(call.params["domainToImport"])
        return {"newUsers": [
            _importee(domain, _user_item(domain, user["loginName"], user["fullName"], user["description"], _local_parts(domain, user["mail"]), user["groups"]))
            for user in found
        ]}


@rpc_method("Users.parseFromCsv", {"fileId": STRING, "domainToImport": STRING})
def parse_from_csv(call):
    """An uploaded CSV as Importees. ``domainToImport`` is a domain id or PRESERVE_FROM_CSV: then a Name of the
    form ``login@domain`` picks the domain, and the primary domain is used otherwise (reference §9.2)."""
    content = call.app.files.upload(call.params["fileId"])
    if content is None:
        raise RpcError(NOT_FOUND, "Uploaded file %1 does not exist.", call.params["fileId"])
    preserve = call.params["domainToImport"] == PRESERVE_FROM_CSV
    default_domain = call.store.primary_domain() if preserve else call.store.domain_of_item(call.params["domainToImport"])
    try:
        rows = parse_users(content)
    except CsvFileError as error:
        raise RpcError(OPERATION_FAILED, "The CSV file cannot be imported: %1.", str(error)) from None
    users = []
    for number, row, problem in rows:
        if row is None:
            users.append({"userItem": {"domainId": default_domain.id, "loginName": ""}, "isImportable": False, "message": problem})
            continue
        login_name, at, domain_name = row["Name"].partition("@")
        domain = default_domain
        if at:
            named = call.store.domain_by_name(domain_name)
            if preserve and named is not None:
                domain = named
            elif named is not default_domain:
                problem = problem or f"Line {number}: user {row['Name']} is not in domain {default_domain.name}."
        item = _user_item(domain, login_name, row.get("FullName", ""), row.get("Description", ""), row["MailAddress"], row["Groups"])
        # Whether the parsed password comes back is unknown (reference §9.2); Ex 9-B shows it, and without
        # it the documented flow (parse, then Users.create the chosen items) could not set passwords.
        if row.get("Password"):
            item["password"] = row["Password"]
        users.append(_importee(domain, item, problem))
    return {"users": users}


@rpc_method("Users.exportToCsv", {"filename": STRING, "query": SEARCH_QUERY, "domainId": STRING})
def export_to_csv(call):
    """Users matching the query as a CSV download named user_<domain>_<filename>_<date>.csv (reference §9.3)."""
    domain = call.store.domain_of_item(call.params["domainId"])
    query = call.params["query"]
    users = [user.render() for user in call.app.queries.page(USERS_WITHOUT_QUICKSEARCH, query, domain.id, domain.users.values, call.store.generation)[0]]
    name = f"user_{domain.name}_{call.params['filename']}_{datetime.date.today().isoformat()}.csv"
    return {"fileDownload": call.app.files.add_download(name, export_users(users))}
