# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Argument specs of the collection's modules, composed from shared constants.

The action plugin validates with these and the documentation stub declares them, so the
options that ansible-test checks against DOCUMENTATION are exactly the ones the code uses.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

CONNECTION_SPEC = dict(
    kerio_url=dict(type="str", required=True, fallback=(env_fallback, ["KERIO_URL"])),
    kerio_user=dict(type="str", required=True, fallback=(env_fallback, ["KERIO_USER"])),
    kerio_password=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["KERIO_PASSWORD"])),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    timeout=dict(type="float", default=30),
)

USER_FIELDS_SPEC = dict(
    full_name=dict(type="str"),
    description=dict(type="str"),
    addresses=dict(type="list", elements="str"),
    groups=dict(type="list", elements="str"),
    enabled=dict(type="bool"),
)

INLINE_USER_SPEC = dict(
    name=dict(type="str", required=True),
    password=dict(type="str", no_log=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    **USER_FIELDS_SPEC,
)

SOURCE_TYPES = ["csv", "active_directory", "edirectory", "ldap", "kerio_directory"]

# One list of sources with a type each: the options of every type side by side, and
# required_if saying which a type needs. Options of another type are ignored.
SOURCE_SPEC = dict(
    type=dict(type="str", required=True, choices=SOURCE_TYPES),
    # csv
    path=dict(type="path"),
    delimiter=dict(type="str", choices=["auto", ";", ","], default="auto"),
    encoding=dict(type="str", default="auto"),
    # directories, read by the controller (active_directory, edirectory, ldap) or by Kerio (kerio_directory)
    server=dict(type="list", elements="str"),
    port=dict(type="int"),
    domain_name=dict(type="str"),
    organization=dict(type="str"),
    search_base=dict(type="str"),
    bind_user=dict(type="str"),
    bind_password=dict(type="str", no_log=True),
    filter=dict(type="str"),
    tls_mode=dict(type="str", choices=["ldaps", "start_tls", "none"], default="ldaps"),
    allow_plaintext=dict(type="bool", default=False),
    ca_cert=dict(type="path"),
    cert_validation=dict(type="str", choices=["always", "ignore_hostname", "ignore"], default="always"),
    page_size=dict(type="int", default=500),
    referrals=dict(type="bool", default=False),
    timeout=dict(type="int", default=30),
    attribute_map=dict(type="dict"),
    disabled_users=dict(type="str", choices=["import", "skip"], default="import"),
    directory_type=dict(type="str", choices=["ActiveDirectory", "NovellEDirectory", "WinNT"]),
    auth_type=dict(type="str", choices=["internal", "kerberos", "windows_nt", "ldap", "pam", "apple"]),
)

SOURCE_REQUIREMENTS = [
    ("type", "csv", ["path"]),
    ("type", "active_directory", ["server", "domain_name"]),
    ("type", "edirectory", ["server", "organization"]),
    ("type", "ldap", ["server", "search_base"]),
    ("type", "kerio_directory", ["directory_type", "domain_name"]),
]

USER_IMPORT_SPEC = dict(
    CONNECTION_SPEC,
    domain=dict(type="str", required=True),
    sources=dict(type="list", elements="dict", options=SOURCE_SPEC, required_if=SOURCE_REQUIREMENTS, default=[]),
    users=dict(type="list", elements="dict", options=INLINE_USER_SPEC, default=[]),
    include=dict(type="list", elements="str", default=[]),
    exclude=dict(type="list", elements="str", default=[]),
    template=dict(type="str"),
    defaults=dict(type="dict", options=dict(USER_FIELDS_SPEC)),
    update_existing=dict(type="bool", default=True),
    update_password=dict(type="str", choices=["on_create", "always"], default="on_create"),
    generated_passwords_file=dict(type="path"),
    create_groups=dict(type="bool", default=True),
    remove_from_unlisted_groups=dict(type="bool", default=False),
    remove_mailbox=dict(type="str", choices=["keep", "delete"], default="keep"),
    duplicate_users=dict(type="str", choices=["error", "merge"], default="error"),
    batch_size=dict(type="int", default=200),
)
