# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where Users.getFromServer finds users: an NT domain from the seed, or a real AD / eDirectory over LDAP.

Both return plain directory users ``{loginName, fullName, description, mail, groups}``; turning them
into Importees (and judging them against the Kerio domain) is _methods_import's job.
"""

from __future__ import annotations

import ssl

try:
    import ldap3
    from ldap3.core.exceptions import LDAPException
except ImportError:  # the emulator runs without ldap3; only AD/eDirectory import needs it
    ldap3 = None
    LDAPException = OSError

PAGE_SIZE = 500
CONNECT_TIMEOUT_SECONDS = 10
RECEIVE_TIMEOUT_SECONDS = 30

# Per directory type: default filter, attribute of (login, full name, description, mail, group DNs).
LDAP_FLAVOURS = {
    "ActiveDirectory": ("(&(objectCategory=person)(objectClass=user))", ("sAMAccountName", "displayName", "description", "mail", "memberOf")),
    "NovellEDirectory": ("(objectClass=person)", ("cn", "fullName", "description", "mail", "groupMembership")),
}


class DirectoryError(Exception):
    """The directory cannot be read; becomes 1000 "Directory service error: %1."."""


def nt_domain_users(nt_domains: dict, name: str) -> list[dict]:
    """Users of an NT domain defined in the seed's ``nt_domains`` (matched case-insensitively)."""
    nt_domain = next((value for key, value in nt_domains.items() if key.lower() == name.lower()), None)
    if nt_domain is None:
        raise DirectoryError(f"NT domain {name} cannot be contacted")
    members = {}
    for group in nt_domain.get("groups", []):
        for login_name in group.get("members", []):
            members.setdefault(login_name.lower(), []).append(group["name"])
    return [
        {
            "loginName": user["loginName"],
            "fullName": user.get("fullName", ""),
            "description": user.get("description", ""),
            "mail": user.get("emailAddresses", []),
            "groups": [*user.get("groups", []), *members.get(user["loginName"].lower(), [])],
        }
        for user in nt_domain.get("users", [])
    ]


def _first(value) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return "" if value is None else str(value)


def _as_list(value) -> list:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _group_name(group_dn: str) -> str:
    """The name of a group from its DN: the value of the first RDN."""
    return ldap3.utils.dn.parse_dn(group_dn)[0][1] if group_dn else ""


def _host_and_port(address: str, secure: bool) -> tuple[str, int]:
    host, separator, port = address.rpartition(":")
    if separator and port.isdigit() and not host.endswith(":"):  # "host:port" or "[v6]:port"; a bare IPv6 gets the default port
        return host.strip("[]"), int(port)
    return address.strip("[]"), 636 if secure else 389


def _base_and_bind_user(directory_type: str, server: dict) -> tuple[str, str]:
    remote, login_name = server["remoteDomainName"], server.get("loginName", "")
    if directory_type == "ActiveDirectory":
        base = ",".join(f"DC={part}" for part in remote.split(".") if part)
        return base, login_name if any(mark in login_name for mark in "@\\=") else f"{login_name}@{remote}"
    base = remote if "=" in remote else f"o={remote}"  # "NDS organization"
    return base, login_name if "=" in login_name else f"cn={login_name},{base}"


def directory_users(server: dict, ca_file: str | None) -> list[dict]:
    """Read the users of an AD or eDirectory server as Kerio's import dialog does (reference §9.1)."""
    if ldap3 is None:
        raise DirectoryError("the emulator needs the ldap3 package for directory import")
    directory_type = server["directoryType"]
    default_filter, attributes = LDAP_FLAVOURS[directory_type]
    secure = server.get("isSecureConnection", False)
    host, port = _host_and_port(server.get("address", ""), secure)
    base, bind_user = _base_and_bind_user(directory_type, server)
    custom_filter = server.get("ldapFilter", "").strip()
    if custom_filter:
        custom_filter = custom_filter if custom_filter.startswith("(") else f"({custom_filter})"
        default_filter = f"(&{default_filter}{custom_filter})"
    # LDAPS verifies the server certificate (against --ldap-ca-file, else the system's CAs).
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=ca_file) if secure else None
    try:
        connection = ldap3.Connection(
            ldap3.Server(host, port=port, use_ssl=secure, tls=tls, get_info=ldap3.NONE, connect_timeout=CONNECT_TIMEOUT_SECONDS),
            user=bind_user, password=server.get("password", ""), read_only=True, receive_timeout=RECEIVE_TIMEOUT_SECONDS,
        )
        if not connection.bind():
            raise DirectoryError(f"cannot log in as {bind_user}: {connection.result.get('description')} {connection.result.get('message', '')}".strip())
        try:
            entries = connection.extend.standard.paged_search(base, default_filter, attributes=list(attributes), paged_size=PAGE_SIZE, generator=True)
            return [_directory_user(entry["attributes"], attributes) for entry in entries if entry.get("type") == "searchResEntry"]
        finally:
            connection.unbind()
    except LDAPException as error:
        raise DirectoryError(str(error) or type(error).__name__) from None


def _directory_user(entry: dict, attributes: tuple) -> dict:
    login_attribute, name_attribute, description_attribute, mail_attribute, groups_attribute = attributes
    return {
        "loginName": _first(entry.get(login_attribute)),
        "fullName": _first(entry.get(name_attribute)),
        "description": _first(entry.get(description_attribute)),
        "mail": _as_list(entry.get(mail_attribute)),
        "groups": [_group_name(dn) for dn in _as_list(entry.get(groups_attribute))],
    }
