# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Users that Kerio itself lists from a directory (Users.getFromServer), as records.

This is how the console imports a Windows NT domain, and how users who want Kerio, not the
controller, to reach Active Directory or eDirectory import from it. Kerio marks some users
not importable; those are reported with Kerio's message, except users that exist in the
domain already: for an idempotent import they are declared users like any other.
"""

from __future__ import annotations

import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import KerioApiError
from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted
from ansible_collections.kerio.connect.plugins.plugin_utils._records import (
    PLAINTEXT_REFUSED,
    DirectoryError,
    InputError,
    Origin,
    UserRecord,
    login_name_problem,
    server_problem,
)


def source_name(options: dict[str, t.Any]) -> str:
    return f"kerio_directory {options['directory_type']} {options['domain_name']}"


def check_kerio_directory_options(options: dict[str, t.Any]) -> None:
    """Refuse what Kerio's import dialog could not be asked, before the import logs in to Kerio."""
    import_server(options)  # building the request is what checks it


def import_server(options: dict[str, t.Any]) -> dict[str, t.Any]:
    """The ImportServer structure of the console's "Import from a Directory Service" dialog."""
    secure = options.get("tls_mode", "ldaps") != "none"
    if not secure and not options.get("allow_plaintext"):
        raise DirectoryError(PLAINTEXT_REFUSED)
    address = (options.get("server") or [""])[0]
    if not address and options["directory_type"] != "WinNT":  # Kerio finds an NT domain by its name alone
        raise DirectoryError(f"Kerio reads {options['directory_type']} from the server its import dialog asks for (Import from server): "
                             "set server to the directory server's name or address")
    problem = server_problem(address) if address else None
    if problem:
        raise DirectoryError(problem)
    if address and options.get("port"):
        # Kerio's own convention for a directory server on another port ("add the port number to the
        # hostname", its article on connecting to directory services; the reference is silent); an IPv6
        # address is bracketed so that its last group cannot be read as the port.
        address = f"[{address}]:{options['port']}" if ":" in address else f"{address}:{options['port']}"
    return {
        "directoryType": options["directory_type"],
        "remoteDomainName": options["domain_name"],
        "address": address,
        "loginName": options.get("bind_user") or "",
        "password": options.get("bind_password") or "",
        "ldapFilter": options.get("filter") or "",
        "isSecureConnection": secure,
    }


# The console's advice before an import from a directory, which only Kerio's side can see.
KERIO_DEBUG_LOG = "Kerio's debug log (Directory Service Lookup) shows its side of the lookup."


def lookup_failure_advice(options: dict[str, t.Any]) -> str:
    """What to check when Kerio could not read the directory: its own log, and for an NT domain the console's prerequisite."""
    if options["directory_type"] == "WinNT":
        return f"Kerio reads an NT domain only when it runs on Windows on a computer that belongs to that domain. {KERIO_DEBUG_LOG}"
    return KERIO_DEBUG_LOG


def describe_import_server(server: dict[str, t.Any]) -> str:
    """What Kerio is asked to read, for the log at -vvv (its bind password left out)."""
    return (f"Users.getFromServer: Kerio lists the users of {server['directoryType']} {quoted(server['remoteDomainName'])} from "
            f"{server['address'] or 'its default server'}, bound as {server['loginName'] or '(nobody)'}, filter "
            f"{server['ldapFilter'] or '(none)'}, {'secure' if server['isSecureConnection'] else 'plain'} connection. {KERIO_DEBUG_LOG}")


def _record(item: dict[str, t.Any], origin: Origin) -> UserRecord:
    groups = tuple(group["name"] for group in item.get("userGroups") or () if group.get("name"))
    return UserRecord(
        name=item["loginName"],
        origin=origin,
        full_name=_none_if_empty(item.get("fullName")),
        description=_none_if_empty(item.get("description")),
        addresses=_none_if_empty(tuple(item.get("emailAddresses") or ())),
        groups=_none_if_empty(groups),
        # isEnabled is left out for the same reason: Kerio lists its default, true, whatever the
        # directory says, and taking it would enable again users an administrator disabled in Kerio.
    )


def _none_if_empty(value):
    """A value Kerio listed, or None for an empty one.

    Kerio fills every member of the users it lists, whatever the directory holds: an empty
    one cannot tell "the directory says none" from "this directory has no such field" (an NT
    domain has no mail addresses). Left undeclared, it is not managed, so an existing user
    keeps what an administrator gave them in Kerio.
    """
    return value or None


def records_from_importees(
    importees: t.Iterable[dict[str, t.Any]],
    source: str,
    existing_logins: t.Container[str],
) -> tuple[list[UserRecord], list[InputError]]:
    """Turn Kerio's Importee list into records, and the users Kerio will not import into reasons."""
    records, skipped = [], []
    for importee in importees:
        item = importee.get("userItem") or {}
        login = item.get("loginName") or ""
        origin = Origin(source, entry=login or "(no login name)")
        problem = login_name_problem(login)
        if problem:
            skipped.append(InputError(origin, problem))
        elif importee.get("isImportable", True) or login.casefold() in existing_logins:
            records.append(_record(item, origin))
        else:
            skipped.append(InputError(origin, f"Kerio does not import this user: {importee.get('message') or 'no reason given'}"))
    return records, skipped


def read_kerio_directory(options: dict[str, t.Any], client, domain_id: str, existing_logins: t.Container[str],
                         log: t.Callable[[str], None] | None = None) -> tuple[list[UserRecord], list[InputError]]:
    """The users Kerio lists from the directory a kerio_directory source names, and those it will not import, with why."""
    server = import_server(options)
    if log is not None:
        log(describe_import_server(server))
    try:
        importees = client.users_from_server(server, domain_id)
    except KerioApiError as error:  # Kerio could not read the directory: a directory error, as the controller's are
        raise DirectoryError(f"{error} {lookup_failure_advice(options)}") from None
    return records_from_importees(importees, source_name(options), existing_logins)
