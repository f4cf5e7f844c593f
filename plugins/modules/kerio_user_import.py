#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done on the controller by the action plugin of the same name; this file holds the
# documentation and the argument spec that ansible-test checks against it.

from __future__ import annotations

DOCUMENTATION = r"""
module: kerio_user_import
short_description: Make a Kerio Connect domain hold the users that CSV files, directories and inventory declare
version_added: 0.1.0
description:
  - Imports user accounts into one Kerio Connect domain from Kerio CSV files, directory services (Active Directory,
    eDirectory, any LDAP directory, or a directory Kerio itself reads, such as a Windows NT domain) and users declared
    in inventory, in one task and in batches, and keeps them in sync on every later run.
  - Users are matched by login name, case-insensitively. Missing users are created, the declared
    fields of existing users are updated, users with O(users[].state=absent) are removed.
    Users that no source mentions are left alone.
  - All input is read and validated before the first change is made; an error names the file, line and
    column, or the inventory entry, and nothing is written.
  - What the server would refuse part-way through is found before the first change too, in check mode as in the
    real run, and nothing is written. That is an address declared for two users or already used by a user who keeps
    it, a group or an alias of the domain, a password the domain's password policy refuses, more enabled users than
    the licence or the domain's user limit leaves room for, removing or disabling the account the module logs in with,
    and taking it out of the last group whose role gives it administration rights. One task checks one domain, so when several
    domains of a server share its licence, the room a later task finds does not count what an earlier one would
    create in check mode.
  - When the connection to Kerio is lost while changes are being made, the task fails at that write, naming it,
    and makes no further change; its result still lists what was changed before (and reports C(changed)).
    A re-run reads what the server then holds and completes the import, except for the users created in the stopped
    run that had not joined all of their groups yet. A re-run adds them to the groups their sources declare (unless
    O(update_existing=false)), but not to those the template or O(defaults) give, which only new users get;
    RV(errors) names each such user and its groups.
  - Runs on the controller and talks to the Kerio Connect Administration API over HTTPS.
author:
  - kerio.connect contributors (@kerio-connect)
options:
  domain:
    description:
      - Name of the Kerio Connect domain to import into, for example C(example.com).
    type: str
    required: true
  sources:
    description:
      - Where users are read from, in order. Several sources of any type can feed one domain together with O(users).
      - V(csv) reads a Kerio CSV file on the controller.
      - V(active_directory), V(edirectory) and V(ldap) search a directory from the controller with LDAP, in pages,
        so a server's size limit never truncates the import (a truncated answer is an error).
      - V(kerio_directory) lets Kerio itself list the users of a directory (C(Users.getFromServer)), as the console's
        "Import from a Directory Service" does. It is the way to import a Windows NT domain, for which Kerio must run on
        Windows inside that domain. Kerio lists every field of a user, so an empty one (an NT domain has no mail
        addresses) is not managed, and an existing user keeps the value it has in Kerio. Nor is whether a user is
        enabled, which Kerio lists as its default; set it with O(defaults) for new users.
      - Users that a directory lists but that cannot become Kerio users (no login name, an invalid one, or not importable
        by Kerio's own judgement) are reported in RV(not_imported), not imported.
      - From a directory searched with LDAP, a group is named by the first part of its DN (C(CN=Sales,OU=Praha,DC=corp) is
        C(Sales)), so groups of one name in different places are one Kerio group, and users join the Kerio group of that
        name whatever role it gives. Only direct memberships count, not nested groups nor Active Directory's primary group.
        Addresses outside the domain and its aliases are left out (logged at C(-vvv)), and one Kerio would refuse is left out
        and listed in RV(not_imported). With O(sources[].referrals=false), users behind a referral are left out (logged at C(-vvv)).
      - A user renamed in a directory is a new user to the import. The old account is left alone (see RV(undeclared)), and
        the addresses it keeps stop the new one until it is removed, or renamed in Kerio.
    type: list
    elements: dict
    default: []
    suboptions:
      type:
        description: The kind of source.
        type: str
        required: true
        choices: [csv, active_directory, edirectory, ldap, kerio_directory]
      path:
        description:
          - For V(csv), the file on the controller. A relative path is looked up the way M(ansible.builtin.copy)
            finds O(ansible.builtin.copy#module:src), in the role's or playbook's C(files/) directory.
          - The header row names the columns, in any order and case, C(Name) being mandatory,
            C(Password), C(FullName), C(Description), C(MailAddress) and C(Groups) optional.
          - Required for V(csv).
        type: path
      delimiter:
        description:
          - For V(csv), how fields are separated. V(auto) detects, per file, either Kerio scheme; fields separated by
            C(;) with multiple values separated by C(,), or fields separated by C(,) with multiple values in double quotes.
          - Spaces after a delimiter are not part of the value that follows, so C(abird, VbD66op1, "read, all") gives the
            password C(VbD66op1) and the groups C(read) and C(all). A password keeps any other space; a space it begins with
            is kept when the password is in double quotes.
        type: str
        choices: ['auto', ';', ',']
        default: auto
      encoding:
        description:
          - For V(csv), the character encoding, any name of a Python text codec such as V(utf-8), V(utf-16),
            V(cp1250) (Central European) or V(cp1252) (Western European). Another name fails the import before any file is read.
          - V(auto) accepts only what can be told for sure, a byte order mark (UTF-8, UTF-16 or UTF-32) or else valid UTF-8
            (which ASCII is). A file in a legacy code page fails the import, naming its first line that is not UTF-8, as a
            guess could corrupt names silently; save it as UTF-8, or give its code page here.
          - A code page given for a file that is valid UTF-8 beyond ASCII fails the import too, naming the line, as read in
            the code page its letters would be imported as others (C(é) as C(Ã©) in cp1252).
        type: str
        default: auto
      server:
        description:
          - Directory server host names or IP addresses (without a port or scheme), tried in turn; the next is tried when one
            cannot be reached, breaks the connection or does not answer within O(sources[].timeout), not when it refuses the
            certificate, StartTLS or the credentials.
          - For V(kerio_directory), the server Kerio contacts (only the first is used), as its import dialog asks for it; required but
            for V(WinNT), where Kerio finds the NT domain by its name.
          - Required for V(active_directory), V(edirectory) and V(ldap).
        type: list
        elements: str
      port:
        description:
          - The directory's port, when not 636 (V(ldaps)) or 389.
          - For V(kerio_directory), Kerio is given it after the server's name or address, as C(dc1.corp.example.com:3269) (an IPv6
            address in brackets), which is how Kerio takes a directory server on a non-standard port.
        type: int
      domain_name:
        description:
          - For V(active_directory), the AD domain, for example C(corp.example.com); the search base
            C(DC=corp,DC=example,DC=com) follows from it unless O(sources[].search_base) is given.
          - For V(kerio_directory), the remote domain as Kerio's import dialog asks for it; the NT domain name for V(WinNT), the AD
            domain for V(ActiveDirectory), the NDS organization for V(NovellEDirectory) (O(sources[].organization) is for V(edirectory)).
        type: str
      organization:
        description:
          - For V(edirectory), the NDS organization; the search base is C(o=ORGANIZATION) unless O(sources[].search_base) is given.
        type: str
      search_base:
        description: Where the search starts. Required for V(ldap).
        type: str
      bind_user:
        description:
          - A user with read rights. For V(active_directory) a UPN (C(reader@corp.example.com)), C(DOMAIN\user), a DN, or a
            user name alone, bound as C(user@domain_name) as Kerio's import dialog does. For V(edirectory) and V(ldap) a DN.
            For V(kerio_directory), whatever Kerio's import dialog takes, passed on to Kerio.
          - Without it the directory is searched anonymously.
        type: str
      bind_password:
        description: The bind user's password. It never appears in output or logs.
        type: str
      filter:
        description:
          - An LDAP filter that narrows the default person filter of the directory type, for example V((department=Sales\)).
          - The default filters are V((&(objectCategory=person\)(objectClass=user\)(!(isCriticalSystemObject=TRUE\)\)\)) for
            V(active_directory), which leaves out contacts, computers and the domain's own accounts such as C(krbtgt);
            V((objectClass=Person\)) for V(edirectory); V((objectClass=inetOrgPerson\)) for V(ldap).
        type: str
      tls_mode:
        description:
          - V(ldaps) connects with TLS (port 636), V(start_tls) upgrades a plain connection (port 389), V(none) sends
            everything, the bind password included, in clear and needs O(sources[].allow_plaintext=true).
          - For V(kerio_directory), whether Kerio uses a secure connection.
        type: str
        choices: [ldaps, start_tls, none]
        default: ldaps
      allow_plaintext:
        description: Allow O(sources[].tls_mode=none).
        type: bool
        default: false
      ca_cert:
        description: A PEM file with the CA certificate(s) that signed the directory server's certificate.
        type: path
      cert_validation:
        description:
          - V(always) verifies the certificate and the host name, V(ignore_hostname) the certificate only,
            V(ignore) nothing (for a test directory only).
        type: str
        choices: [always, ignore_hostname, ignore]
        default: always
      page_size:
        description: Entries per page of the paged search.
        type: int
        default: 500
      referrals:
        description: Follow referrals to other directory servers.
        type: bool
        default: false
      timeout:
        description: Whole seconds to wait for the directory to connect and to answer each search.
        type: int
        default: 30
      attribute_map:
        description:
          - Directory attributes to read instead of the defaults, by field; keys C(login), C(full_name), C(description),
            C(mail), C(addresses), C(groups), C(disabled) and C(identity).
          - For C(full_name) and C(description), the first of their attributes that holds a value that is not blank gives it.
          - "Defaults, in that order of keys, for V(active_directory): C(sAMAccountName), C(displayName) then C(cn), C(description),
            C(mail), C(proxyAddresses), C(memberOf), C(userAccountControl), C(objectGUID); for V(edirectory): C(cn) then C(uid) (the first
            that makes a valid login name),
            C(fullName), C(description), C(mail), none, C(groupMembership), C(loginDisabled), C(GUID); for V(ldap): C(uid),
            C(displayName) then C(cn), C(description), C(mail), none, C(memberOf), none, C(entryUUID)."
        type: dict
      disabled_users:
        description: Users disabled in the directory are imported as disabled accounts (V(import)) or left out (V(skip)).
        type: str
        choices: [import, skip]
        default: import
      directory_type:
        description: For V(kerio_directory), the kind of directory Kerio reads. Required for V(kerio_directory).
        type: str
        choices: [ActiveDirectory, NovellEDirectory, WinNT]
      auth_type:
        description:
          - How the users of this source sign in to Kerio. V(internal) is Kerio's own user database, the only one that
            needs a password (given, or generated, see O(generated_passwords_file)); the others check the password with
            the directory, as users imported by Kerio's console from a directory do.
          - Defaults to V(kerberos) for Active Directory, V(windows_nt) for an NT domain, V(ldap) for eDirectory and
            generic LDAP, and to Kerio's default (or the O(template)'s) for CSV files.
          - When set, it is managed. Created users get it and existing users whose sign-in differs are changed.
            The directory's default only applies to the users the source creates, so an import never changes how
            an existing user signs in unless asked to.
        type: str
        choices: [internal, kerberos, windows_nt, ldap, pam, apple]
  users:
    description:
      - Users declared inline, typically in inventory variables.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Login name. Kerio accepts ASCII letters, digits, C(.), C(_) and C(-).
        type: str
        required: true
      password:
        description:
          - Password, set when the user is created (and on every run with O(update_password=always)).
          - It must meet the domain's password policy when the domain enforces one.
          - A created user without one gets a password generated by Kerio, see O(generated_passwords_file).
        type: str
      full_name:
        description: Full name.
        type: str
      description:
        description: Description.
        type: str
      addresses:
        description:
          - Additional e-mail addresses, as local parts (C(john.doe)) or full addresses in the domain or one of its aliases.
          - An address belongs to one user, group or alias of the domain. One that another user keeps is an error; one
            that a user removed or given other addresses in the same run gives up is free for any other user, so existing
            users may swap addresses in one run.
        type: list
        elements: str
      groups:
        description: Names of the groups the user is a member of.
        type: list
        elements: str
      enabled:
        description: Whether the account is enabled.
        type: bool
      state:
        description: V(absent) removes the user.
        type: str
        choices: [present, absent]
        default: present
  include:
    description:
      - Shell-style patterns (C(fnmatch)) of login names to import; when given, other users are ignored.
      - A pattern that matches no user of the sources is reported as a warning (a typo, or a user the source does not list).
    type: list
    elements: str
    default: []
  exclude:
    description:
      - Shell-style patterns of login names to leave out. Exclusion wins over inclusion.
    type: list
    elements: str
    default: []
  template:
    description:
      - Name of a Kerio user template (as offered by the console for this domain) applied to created users,
        as the console's import does. Values from the sources win.
      - A created user takes the template's settings (description, sign-in, quotas and limits, forwarding, spam rule, access
        policy, GAL publishing) and its role without folder rights; not its name, password or addresses (an address belongs to
        one user only), nor its contact or home server.
      - Created users also join the template's groups, besides the groups they declare. With
        O(remove_from_unlisted_groups=true) the template's groups count as listed for every declared user,
        so no user is taken out of them and a second run changes nothing.
    type: str
  defaults:
    description:
      - Values for created users that their source does not declare. They win over O(template).
      - A CSV file declares every column its header names for every row, so an empty cell in such a column is an empty
        value, not a gap for the defaults to fill; leave the column out of the file for the defaults to apply.
    type: dict
    suboptions:
      full_name:
        description: Full name.
        type: str
      description:
        description: Description.
        type: str
      addresses:
        description: Additional e-mail addresses, as in O(users[].addresses).
        type: list
        elements: str
      groups:
        description: Groups.
        type: list
        elements: str
      enabled:
        description: Whether the account is enabled.
        type: bool
  update_existing:
    description:
      - Update the declared fields of users that exist already. With V(false) existing users are only reported.
    type: bool
    default: true
  update_password:
    description:
      - V(on_create) sets the password only when a user is created, or switched to Kerio's own sign-in
        (O(sources[].auth_type=internal)), which needs a declared password; V(always) sets it on every run, which always
        reports a change for users that declare a password.
    type: str
    choices: [on_create, always]
    default: on_create
  generated_passwords_file:
    description:
      - File on the controller (mode 0600) to which the passwords that Kerio generated for created users
        without a password are written, one C(login@domain;password) line each, as the user signs in
        (C(jdoe@example.com;...)). Required when such users are created.
      - The passwords are written before the users are created, so that no failure can lose the password of a user
        that exists. The lines of users that were not created (the server refused them, alone or with the whole call, or
        the import stopped before creating users) are taken out again, and a new password replaces the line an earlier run left for the same
        user. Lines of other users are kept as they are.
      - The domains of a server can share a file. Two servers that hold the same domain need a file each, for example
        with C(inventory_hostname) in its path.
      - A relative path is relative to the directory C(ansible-playbook) runs in, not to the playbook as a CSV file's
        is; start it with C(playbook_dir) or C(inventory_dir) to pin it.
      - The file is rewritten whole, through a temporary file in the same directory, and locked meanwhile, so tasks of
        several hosts can share it. When set, the path is checked before anything is written, in check mode too; it must
        name a file (created if missing) in an existing, writable directory.
    type: path
  create_groups:
    description:
      - Create the groups that users are declared in when they do not exist. With V(false) a missing group is an error.
    type: bool
    default: true
  remove_from_unlisted_groups:
    description:
      - Remove users from the groups that their declared O(users[].groups) do not list.
      - The groups of the O(template), when one is given, count as listed; users are never taken out of them.
    type: bool
    default: false
  remove_mailbox:
    description:
      - What happens to the mailbox of a removed user. V(keep) keeps the message store, V(delete) deletes it.
    type: str
    choices: [keep, delete]
    default: keep
  duplicate_users:
    description:
      - What happens when more than one source declares the same login name.
      - V(error) reports every such user with all the places it is declared, and nothing is written.
      - V(merge) combines them field by field. Where they disagree the first declaration wins, in this order of
        precedence; O(users), then O(sources) in the order listed. Two declarations in the same source are still an error.
    type: str
    choices: [error, merge]
    default: error
  batch_size:
    description:
      - How many users go into one API call, at least 1.
      - A call the server rejects as a whole (a server may apply a batch all or nothing) is sent again in halves, so
        the users it can take are imported and the ones it refuses are reported in RV(errors).
    type: int
    default: 200
extends_documentation_fragment:
  - kerio.connect.connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: full
    details: Shows, per user, the declared fields before and after; for a created user, every field it gets, the template's
      too. Passwords never show; one to be set shows as V((changed\)) or V((generated\)), an existing user's as V((not shown\)).
  platform:
    platforms: all
  action_group:
    support: full
    membership:
      - kerio.connect.kerio
requirements:
  - requests
  - ldap3, for the V(active_directory), V(edirectory) and V(ldap) sources
"""

EXAMPLES = r"""
- name: Import users from a CSV file and inventory into example.com
  kerio.connect.kerio_user_import:
    kerio_url: https://mail.example.com:4040
    kerio_user: admin
    kerio_password: "{{ vault_kerio_admin_password }}"
    domain: example.com
    template: Staff
    sources:
      - type: csv
        path: users.csv
    users:
      - name: jdoe
        full_name: John Doe
        addresses: [john.doe]
        groups: [sales]
      - name: former.employee
        state: absent
    generated_passwords_file: /root/kerio-new-passwords.txt

- name: Users whose login names begin with s, test accounts left out, connection set once for the group
  module_defaults:
    group/kerio.connect.kerio:
      kerio_url: https://mail.example.com:4040
      kerio_user: admin
      kerio_password: "{{ vault_kerio_admin_password }}"
  kerio.connect.kerio_user_import:
    domain: example.com
    include: ['s*']
    exclude: ['*.test']
    sources:
      - type: csv
        path: /srv/hr/export.csv
        encoding: cp1250
        delimiter: ';'
"""

RETURN = r"""
summary:
  description: How many users fell into each category.
  returned: unless the task failed before its first write
  type: dict
  sample: {created: 2, updated: 1, removed: 0, unchanged: 40, failed: 0}
  contains:
    created:
      description: Users created.
      type: int
    updated:
      description: Users whose declared fields changed.
      type: int
    removed:
      description: Users removed.
      type: int
    unchanged:
      description: Declared users left as they were, as RV(unchanged) lists them.
      type: int
    failed:
      description: Users the server refused, listed in RV(errors).
      type: int
created:
  description: Login names of the users created (or, in check mode, to be created).
  returned: unless the task failed before its first write
  type: list
  elements: str
  sample: [abird, ewood]
updated:
  description: Login names of the users whose declared fields were changed, every change each needed made.
  returned: unless the task failed before its first write
  type: list
  elements: str
  sample: [mtaylor]
removed:
  description: Login names of the users removed.
  returned: unless the task failed before its first write
  type: list
  elements: str
  sample: []
unchanged:
  description:
    - Login names of the declared users left as they were, those that already matched and, with
      O(update_existing=false), every existing user, whether it matched or not.
  returned: unless the task failed before its first write
  type: list
  elements: str
  sample: [jdoe]
errors:
  description:
    - Users the server refused, with where they were declared and the server's reason. The task fails when
      this is not empty; the other users were imported, and a re-run retries these.
    - When the import stopped part-way (its message says where), also the users it had changed only in part, and
      those it had created but not yet added to all of their groups, with what to do.
    - When problems are found before the first write (in a CSV row, an inventory entry, the defaults or
      O(generated_passwords_file), or what the server would refuse), every one of them (the first 100 when there are more, as
      the message says), and nothing was changed.
    - Empty when the task fails on its options (an unknown or mistyped key of an entry of O(sources) or O(users), a CSV file
      not found), on the connection or on the directory; msg says what is wrong.
  returned: always, except when Ansible's own check refuses the task's options and none of the problems is in O(sources), O(users) or O(defaults)
  type: list
  elements: dict
  contains:
    name:
      description: Login name.
      type: str
      returned: for a user the server refused
      sample: mtaylor
    source:
      description: Where the user or the problem was declared, file and line (and column) or inventory entry.
      type: str
      returned: always
      sample: users.csv, line 4
    message:
      description: What went wrong and what to do.
      type: str
      returned: always
      sample: "could not be created: User count license exceeded."
groups_created:
  description: Names of the groups created in the domain.
  returned: unless the task failed before its first write
  type: list
  elements: str
  sample: [read, all]
not_imported:
  description:
    - Directory entries that were not imported, with the reason; for example an entry without a login name, one that cannot
      be made a valid Kerio login name, a user disabled in the directory with O(sources[].disabled_users=skip), or a user
      Kerio's own directory lookup marks as not importable.
    - Also the addresses of directory entries that Kerio would refuse, which their users are imported without.
  returned: unless the task failed before its first write
  type: list
  elements: dict
  contains:
    source:
      description: The source and the entry (its DN, or its login name for V(kerio_directory)).
      type: str
      returned: always
      sample: active_directory ldaps://dc1.corp.example.com:636 (DC=corp,DC=example,DC=com), CN=Printer Admin,OU=IT,DC=corp,DC=example,DC=com
    message:
      description: Why it was not imported.
      type: str
      returned: always
      sample: the entry has no sAMAccountName
undeclared:
  description:
    - Login names of the users in the domain that the import does not declare, because no source lists them (for example
      users who left a directory's filter scope) or O(include) and O(exclude) leave them out. They are left alone.
  returned: unless the task failed before its first write
  type: list
  elements: str
  sample: [admin, old.contractor]
sources:
  description: What was read from each source.
  returned: unless the task failed before its first write
  type: list
  elements: dict
  contains:
    source:
      description: The source, the path of a file as it was found, a directory or C(inventory).
      type: str
      returned: always
      sample: /srv/ansible/files/users.csv
    type:
      description: The source type, as O(sources[].type) names it, or V(inventory) for the users of O(users).
      type: str
      returned: always
      sample: csv
    users:
      description: How many users it declared, before O(include) and O(exclude) select among them.
      type: int
      returned: always
      sample: 3
    scheme:
      description: For a CSV file, the separator scheme detected or used.
      type: str
      returned: when type is csv
      sample: fields separated by ';', values by ','
    encoding:
      description:
        - For a CSV file, the character encoding used, as Python names it.
        - Under O(sources[].encoding=auto) V(utf-8), or V(utf-8-sig), V(utf-16) or V(utf-32) for a file with a byte order mark.
      type: str
      returned: when type is csv
      sample: utf-8
    identities:
      description:
        - For a directory searched from the controller, each imported login name's stable identity in the directory
          (C(objectGUID) in Active Directory, C(GUID) in eDirectory, C(entryUUID) in LDAP).
      type: dict
      returned: when type is active_directory, edirectory or ldap
      sample: {jdoe: 6f1c7a02-3b8e-4b53-9d1e-1c2f4a5b6c7d}
generated_passwords_file:
  description: The file the generated passwords were written to, when any were generated.
  returned: when a password was generated
  type: str
  sample: /root/kerio-new-passwords.txt
api_calls:
  description: How many calls of each Kerio API method the task made.
  returned: unless the task failed before its first write
  type: dict
  sample: {Session.login: 1, Users.get: 1, Users.create: 1, Session.logout: 1}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kerio.connect.plugins.module_utils._argument_specs import USER_IMPORT_SPEC


def main():
    module = AnsibleModule(argument_spec=USER_IMPORT_SPEC, supports_check_mode=True)
    module.fail_json(msg="kerio.connect.kerio_user_import runs on the controller through its action plugin; call it by its full name in a task.")


if __name__ == "__main__":
    main()
