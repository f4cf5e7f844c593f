# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One import, start to finish: sources → records → plan → apply → result (built by _report).

Everything that can be wrong with the input is found before the first write: the sources are
read and validated before the server is asked anything, and what needs the server's answers
(the domain's aliases, the template, existing groups, who holds an address, the password policy,
the room left for users, the session's own account) is checked before the plan is applied.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import gc
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils import _generated_passwords
from ansible_collections.kerio.connect.plugins.plugin_utils._apply import ApplyReport, apply_plan
from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import DEFAULT_BATCH_SIZE, KerioClient, domain_key
from ansible_collections.kerio.connect.plugins.plugin_utils._plan_checks import (
    ServerFacts,
    addresses_to_look_up,
    admin_groups,
    check_plan,
    needs_session_user,
)
from ansible_collections.kerio.connect.plugins.plugin_utils._password_policy import PasswordPolicy
from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted
from ansible_collections.kerio.connect.plugins.plugin_utils._reconcile import USER_FIELDS, Plan, PlanOptions, UserCreate, build_plan
from ansible_collections.kerio.connect.plugins.plugin_utils._report import fail_on, module_result, plan_diff, planned_report
from ansible_collections.kerio.connect.plugins.plugin_utils._records import (
    InputError,
    InputValidationError,
    Origin,
    UserRecord,
    distinct_values,
    local_parts,
    localize_addresses,
)
from ansible_collections.kerio.connect.plugins.plugin_utils._sources import (
    check_directory_sources,
    combine,
    read_directory_sources,
    read_file_sources,
    unmatched_patterns,
)

GROUP_FIELDS = ("id", "name", "role")
# Kerio generates a password without knowing for whom, so now and then one holds the user's name,
# which the policy refuses: another is asked for, this many times in all.
PASSWORD_GENERATION_ATTEMPTS = 5


class ImportAborted(Exception):
    """The import cannot go on, for a reason that is not one input entry's fault."""


@dataclasses.dataclass(frozen=True)
class ImportRequest:
    """The module's options, as the importer needs them."""

    connection: dict[str, t.Any] = dataclasses.field(repr=False)
    domain: str
    sources: list[dict] = dataclasses.field(default_factory=list)
    users: list[dict] = dataclasses.field(default_factory=list, repr=False)
    include: list[str] = dataclasses.field(default_factory=list)
    exclude: list[str] = dataclasses.field(default_factory=list)
    template: str | None = None
    defaults: dict[str, t.Any] = dataclasses.field(default_factory=dict)
    update_existing: bool = True
    update_password: str = "on_create"
    create_groups: bool = True
    remove_from_unlisted_groups: bool = False
    generated_passwords_file: str | None = None
    remove_mailbox: str = "keep"
    duplicate_users: str = "error"
    batch_size: int = DEFAULT_BATCH_SIZE

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ImportAborted(f"batch_size {self.batch_size} is not valid: give how many users one API call may carry, at least 1 "
                                f"({DEFAULT_BATCH_SIZE} when not set).")


def _find_template(client, domain_id: str, name: str | None) -> dict | None:
    if name is None:
        return None
    templates = client.available_templates(domain_id)
    for template in templates:
        if template.get("name", "").casefold() == name.casefold():
            return template
    offered = ", ".join(sorted(template.get("name", "") for template in templates)) or "none"
    raise ImportAborted(f"the user template {quoted(name)} is not available for this domain (available: {offered}); check its name and scope")


def _find_domain(client, name: str) -> dict:
    domain = client.find_domain(name)
    if domain is not None:
        return domain
    domains = client.list_domains()
    wanted = domain_key(name)
    owner = next((domain["name"] for domain in domains if wanted in map(domain_key, domain.get("aliasList") or ())), None)
    if owner:  # users belong to the domain itself, which takes their mail for its aliases too
        raise ImportAborted(f"{quoted(name)} is an alias of the domain {quoted(owner)} on the Kerio server; set the domain option to {quoted(owner)}")
    existing = ", ".join(sorted(domain["name"] for domain in domains)) or "none"
    raise ImportAborted(f"the domain {quoted(name)} does not exist on the Kerio server (its domains: {existing}); check the domain option")


def _check_generated_passwords_file(plan: Plan, path: str | None) -> list[InputError]:
    """What is wrong with the generated_passwords_file option: a path that cannot be used, or none where one is needed."""
    if path is not None:
        # Checked even when no password is generated this time: a wrong path is found the day it is set.
        problem = _generated_passwords.problem_with(path)
        return [InputError(Origin("generated_passwords_file"), problem)] if problem else []
    needing = [create.record for create in plan.creates if create.needs_generated_password]
    if needing:
        # A user declared more than once is left to its duplicate error: which declaration gives its password is not settled.
        declarations = collections.Counter(create.record.key for create in plan.creates)
        needing = [record for record in needing if declarations[record.key] == 1]
    if not needing:
        return []
    names = ", ".join(record.name for record in needing[:5]) + (" …" if len(needing) > 5 else "")
    return [InputError(needing[0].origin, (
        f"{len(needing)} new user(s) have no password ({names}); give them one, "
        "or set generated_passwords_file so the passwords Kerio generates are kept somewhere"
    ))]


def _generated_password(client, domain_id: str, create: UserCreate, policy: PasswordPolicy) -> str:
    for _attempt in range(PASSWORD_GENERATION_ATTEMPTS):
        password = client.generate_password(domain_id)
        if not policy.problem(password, create.record.name, create.user.get("fullName")):
            return password
    # One the server would refuse must stop the import before any write.
    raise ImportAborted(f"Kerio generated {PASSWORD_GENERATION_ATTEMPTS} passwords for {quoted(create.record.name)} that its own password "
                        "policy for the domain refuses; nothing was changed. Check the domain's password policy, or give the user a password")


def _line_name(record: UserRecord, domain_name: str) -> str:
    # login@domain, as the user signs in: the same login in two domains sharing the file keeps a line each.
    return f"{record.name}@{domain_name}"


def _generate_passwords(client, domain: dict[str, t.Any], plan: Plan, path: str | None, policy: PasswordPolicy) -> dict[str, str]:
    """Kerio generates the missing passwords; they are kept in the caller's file before any user is created."""
    generated = {create.record.key: _generated_password(client, domain["id"], create, policy) for create in plan.creates if create.needs_generated_password}
    if generated:
        names = {create.record.key: _line_name(create.record, domain["name"]) for create in plan.creates}
        try:
            _generated_passwords.update(path, new={names[key]: password for key, password in generated.items()})
        except OSError as error:
            raise ImportAborted(f"generated_passwords_file: cannot write {quoted(path)} ({error.strerror}); nothing was changed") from None
    return generated


def _forget_passwords_not_used(path: str | None, domain_name: str, generated: dict[str, str], report: ApplyReport) -> str | None:
    """Take the users not created (the server refused them, or the import stopped before creating users) out of the file.

    Returns a problem doing so, or None.

    A user whose create was cut off by a lost connection may exist: its line stays, and a re-run
    that finds it missing creates it with a new password in place of that line.
    """
    refused = [_line_name(record, domain_name) for record in report.not_created if record.key in generated]
    if not refused:
        return None
    try:
        _generated_passwords.update(path, forget=refused)
    except OSError as error:
        return (f"The passwords generated for {len(refused)} user(s) that could not be created are still in {quoted(path)}: "
                f"rewriting it failed ({error.strerror}). The next run replaces them.")
    return None


def _defaults(request: ImportRequest, domain_names: list[str]) -> tuple[dict[str, t.Any], list[InputError]]:
    """The defaults for created users, their addresses checked and reduced to local parts as a source's are."""
    defaults = {key: value for key, value in (request.defaults or {}).items() if value is not None}
    for key in ("addresses", "groups"):
        if key in defaults:
            defaults[key] = distinct_values(defaults[key])
    if "addresses" not in defaults:
        return defaults, []
    accepted = {name.casefold() for name in domain_names}
    defaults["addresses"], problems = local_parts(defaults["addresses"], "", accepted, domain_names)
    return defaults, [InputError(Origin("defaults", entry="addresses"), problem) for problem in problems]


def _read_server_facts(client, domain_id: str, plan: Plan, existing_groups: list[dict]) -> ServerFacts:
    """What the checks of the plan need besides users and groups: one read of each kind, and only when the plan needs it."""
    addresses = addresses_to_look_up(plan)
    administering = admin_groups(existing_groups)
    return ServerFacts(
        address_holders=client.find_address_holders(domain_id, addresses) if addresses else (),
        user_count=client.user_count_info(domain_id) if plan.enables_users else None,
        session_user=client.who_am_i() if needs_session_user(plan, administering) else None,
        admin_groups=administering,
    )


@contextlib.contextmanager
def _cyclic_gc_paused() -> t.Iterator[None]:
    """Pause CPython's cyclic garbage collector (reference counting still frees everything).

    An import builds several objects per user that all live until it ends and hold no reference
    cycles; the collector would walk them again and again without freeing any: at 100,000 users,
    the import took 40% longer with it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_cyclic_gc_paused()
def run_import(
    request: ImportRequest,
    *,
    check_mode: bool = False,
    diff: bool = False,
    client_factory=KerioClient,
    log: t.Callable[[str], None] | None = None,
) -> dict[str, t.Any]:
    """Import the declared users into the domain and return the module's result."""
    file_sources = read_file_sources(request.sources, request.users)
    file_errors = [error for source in file_sources for error in source.errors]
    if file_errors:
        raise InputValidationError(file_errors)
    check_directory_sources(request.sources)

    with client_factory(**request.connection, log=log) as client:
        domain = _find_domain(client, request.domain)
        domain_names = [domain["name"], *domain.get("aliasList", [])]
        template = _find_template(client, domain["id"], request.template)
        existing_users = client.list_users(domain["id"], list(USER_FIELDS))
        existing_groups = client.list_groups(domain["id"], list(GROUP_FIELDS))
        directory_sources = read_directory_sources(
            request.sources, client=client, domain_id=domain["id"], domain_names=domain_names,
            existing_logins={user["loginName"].casefold() for user in existing_users}, log=log,
        )
        sources = file_sources + directory_sources
        declared, errors = combine(sources, request.include, request.exclude, request.duplicate_users)
        unmatched = unmatched_patterns(sources, request.include)
        records, address_errors = localize_addresses(declared, domain_names)
        defaults, default_errors = _defaults(request, domain_names)
        options = PlanOptions(
            update_existing=request.update_existing,
            update_password=request.update_password,
            create_groups=request.create_groups,
            remove_from_unlisted_groups=request.remove_from_unlisted_groups,
            defaults=defaults,
            template=template,
            password_policy=PasswordPolicy.of_domain(domain),
        )
        plan = build_plan(records, existing_users, existing_groups, options)
        errors += address_errors + default_errors + plan.errors
        errors += check_plan(plan, existing_users, _read_server_facts(client, domain["id"], plan, existing_groups))
        errors += _check_generated_passwords_file(plan, request.generated_passwords_file)
        if errors:
            raise InputValidationError(errors)

        if check_mode:
            report = planned_report(plan)
            generated = {}
        else:
            generated = _generate_passwords(client, domain, plan, request.generated_passwords_file, options.password_policy)
            report = apply_plan(
                client, domain["id"], plan, existing_groups, passwords=generated,
                batch_size=request.batch_size, remove_mailbox=request.remove_mailbox,
            )

    passwords_file_problem = _forget_passwords_not_used(request.generated_passwords_file, domain["name"], generated, report)
    result = module_result(report, plan, sources, records, existing_users, client.call_counts)
    if unmatched:
        result["warnings"] = [f"include {quoted(pattern)} matches no user the sources declare (see not_imported for those they leave out); "
                              "check its spelling, or whether the source lists that user" for pattern in unmatched]
    if set(generated) - {record.key for record in report.not_created}:
        result["generated_passwords_file"] = request.generated_passwords_file
    if diff:
        result["diff"] = plan_diff(plan)
    fail_on(result, [problem for problem in (report.interruption, passwords_file_problem) if problem])
    return result
