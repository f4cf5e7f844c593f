# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reads every declared source and combines them into one validated list of records.

Files and inventory are read, and the directories' options checked, before Kerio is asked
anything. Directories are read after login, because which of a directory entry's addresses
belong to the domain depends on the domain's aliases, and Kerio's own directory lookup needs the
session; all of it still happens before the first write.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._csv_source import read_csv_source
from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_directory_source import check_kerio_directory_options, read_kerio_directory, source_name
from ansible_collections.kerio.connect.plugins.plugin_utils._records import (
    AUTH_TYPES,
    DirectoryError,
    InputError,
    Origin,
    UserRecord,
    distinct_values,
    find_duplicates,
    login_name_problem,
)

INVENTORY = "inventory"
FILE_TYPES = {"csv"}
LDAP_TYPES = {"active_directory", "edirectory", "ldap"}
# Inventory users are the most explicit declaration, so they come first when sources are merged.
INVENTORY_RANK = -1
RECORD_FIELDS = ("password", "full_name", "description", "addresses", "groups", "enabled", "auth_type", "new_user_auth_type")

# How imported users sign in: as Kerio's own directory import does, users from a directory
# authenticate against it, so they need no password of Kerio's.
DEFAULT_AUTH = {
    "active_directory": "kerberos", "edirectory": "ldap", "ldap": "ldap",
    "ActiveDirectory": "kerberos", "NovellEDirectory": "ldap", "WinNT": "windows_nt",
}


@dataclasses.dataclass
class SourceResult:
    """What one source declared. ``rank`` orders sources for merging: inventory, then sources as listed."""

    rank: int
    summary: dict[str, t.Any]
    records: list[UserRecord] = dataclasses.field(default_factory=list)
    errors: list[InputError] = dataclasses.field(default_factory=list)
    skipped: list[InputError] = dataclasses.field(default_factory=list)


def _with_auth_type(result: SourceResult, options: dict) -> SourceResult:
    """The source's auth_type for every user it declares, or its directory's default for the users it creates."""
    default = DEFAULT_AUTH.get(options.get("directory_type") or options["type"])
    if options.get("auth_type"):
        change = {"auth_type": AUTH_TYPES[options["auth_type"]]}
    elif default:
        change = {"new_user_auth_type": AUTH_TYPES[default]}
    else:
        return result
    result.records = [dataclasses.replace(record, **change) for record in result.records]
    return result


def _inventory(users: t.Sequence[dict]) -> SourceResult:
    result = SourceResult(INVENTORY_RANK, {"source": INVENTORY, "type": INVENTORY})
    for index, user in enumerate(users):
        origin = Origin(INVENTORY, entry=f"users[{index}] ({user['name']})")
        problem = login_name_problem(user["name"])
        if problem:
            result.errors.append(InputError(origin, problem))
            continue
        result.records.append(UserRecord(
            name=user["name"],
            origin=origin,
            password=user.get("password"),
            full_name=user.get("full_name"),
            description=user.get("description"),
            # As in a CSV cell: "sales, support" given as a string reaches us split on ',' but not stripped.
            addresses=None if user.get("addresses") is None else distinct_values(user["addresses"]),
            groups=None if user.get("groups") is None else distinct_values(user["groups"]),
            enabled=user.get("enabled"),
            state=user.get("state") or "present",
        ))
    result.summary["users"] = len(result.records)
    return result


def _csv(rank: int, options: dict) -> SourceResult:
    csv_source = read_csv_source(options["path"], delimiter=options.get("delimiter") or "auto", encoding=options.get("encoding") or "auto")
    summary = {"source": csv_source.path, "type": "csv", "users": len(csv_source.records), "scheme": csv_source.scheme, "encoding": csv_source.encoding}
    return SourceResult(rank, summary, csv_source.records, csv_source.errors)


def read_file_sources(sources: t.Sequence[dict], users: t.Sequence[dict]) -> list[SourceResult]:
    """The CSV files (``path`` already resolved on the controller) and the inventory users."""
    results = [_with_auth_type(_csv(rank, options), options) for rank, options in enumerate(sources) if options["type"] in FILE_TYPES]
    if users:
        results.append(_inventory(users))
    return results


@contextlib.contextmanager
def _errors_named_after_source(rank: int, options: dict) -> t.Iterator[None]:
    """A directory error, named after the source it is about."""
    try:
        yield
    except DirectoryError as error:
        raise DirectoryError(f"sources[{rank}] ({options['type']}): {error}") from None


def _ldap_source():
    # Imported when needed: ldap3 takes 60 ms to import, a tenth of a small import's run.
    from ansible_collections.kerio.connect.plugins.plugin_utils import _ldap_source  # pylint: disable=import-outside-toplevel
    return _ldap_source


def check_directory_sources(sources: t.Sequence[dict]) -> None:
    """Refuse a directory source's options before anything is asked of Kerio or of the directory."""
    for rank, options in enumerate(sources):
        with _errors_named_after_source(rank, options):
            if options["type"] in LDAP_TYPES:
                _ldap_source().check_directory_options(options)
            elif options["type"] == "kerio_directory":
                check_kerio_directory_options(options)


def read_directory_sources(
    sources: t.Sequence[dict],
    *,
    client,
    domain_id: str,
    domain_names: t.Sequence[str],
    existing_logins: t.Container[str],
    log: t.Callable[[str], None] | None = None,
) -> list[SourceResult]:
    """The directories, searched from the controller or listed by Kerio."""
    results = []
    for rank, options in enumerate(sources):
        with _errors_named_after_source(rank, options):
            if options["type"] in LDAP_TYPES:
                results.append(_with_auth_type(_ldap(rank, options, domain_names, log), options))
            elif options["type"] == "kerio_directory":
                results.append(_with_auth_type(_kerio_directory(rank, options, client, domain_id, existing_logins, log), options))
    return results


def _ldap(rank: int, options: dict, domain_names: t.Sequence[str], log: t.Callable[[str], None] | None) -> SourceResult:
    directory = _ldap_source().read_directory_source(options, target_domains=domain_names, log=log)
    summary = {"source": directory.source, "type": options["type"], "users": len(directory.records), "identities": directory.identities}
    return SourceResult(rank, summary, directory.records, skipped=directory.skipped)


def _kerio_directory(rank: int, options: dict, client, domain_id: str, existing_logins: t.Container[str],
                     log: t.Callable[[str], None] | None) -> SourceResult:
    records, skipped = read_kerio_directory(options, client, domain_id, existing_logins, log)
    return SourceResult(rank, {"source": source_name(options), "type": "kerio_directory", "users": len(records)}, records, skipped=skipped)


def _matches(name: str, patterns: t.Iterable[str]) -> bool:
    folded = name.casefold()
    return any(fnmatch.fnmatchcase(folded, pattern.casefold()) for pattern in patterns)


def select(records: t.Iterable[UserRecord], include: t.Sequence[str], exclude: t.Sequence[str]) -> list[UserRecord]:
    """Keep the users the patterns select, as the console's import dialog lets you pick them."""
    if not include and not exclude:
        return list(records)
    return [
        record for record in records
        if (not include or _matches(record.name, include)) and not _matches(record.name, exclude)
    ]


def unmatched_patterns(results: t.Sequence[SourceResult], include: t.Sequence[str]) -> list[str]:
    """The include patterns that no user of any source matches: a typo, or a user the source does not list."""
    return [pattern for pattern in include if not any(_matches(record.name, [pattern]) for result in results for record in result.records)]


def _merge(declarations: list[UserRecord]) -> UserRecord:
    """Field by field, the first declaration that sets a field wins."""
    merged = declarations[0]
    for field in RECORD_FIELDS:
        if getattr(merged, field) is None:
            value = next((getattr(record, field) for record in declarations if getattr(record, field) is not None), None)
            merged = dataclasses.replace(merged, **{field: value})
    return merged


def combine(
    results: t.Iterable[SourceResult],
    include: t.Sequence[str] = (),
    exclude: t.Sequence[str] = (),
    duplicate_users: str = "error",
) -> tuple[list[UserRecord], list[InputError]]:
    """One record per user: selected by the patterns, duplicates reported or merged by precedence.

    The sources' own errors are not repeated here: the import stops on them before it reads the server.
    """
    ordered = sorted(results, key=lambda result: result.rank)
    by_source = [select(result.records, include, exclude) for result in ordered]
    if duplicate_users == "merge":
        # Declared twice in one source is a conflict no precedence settles.
        errors = [error for records in by_source for error in find_duplicates(records)]
        declarations: dict[str, list[UserRecord]] = {}
        for records in by_source:
            for record in records:
                declarations.setdefault(record.key, []).append(record)
        return [_merge(same) for same in declarations.values()], errors
    records = [record for source_records in by_source for record in source_records]
    return records, find_duplicates(records)
