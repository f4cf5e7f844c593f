# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reads every declared source into one validated list of records.

Nothing here talks to Kerio: all of it runs, and every error in it is reported, before the
first API call.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._csv_source import read_csv_source
from ansible_collections.kerio.connect.plugins.plugin_utils._records import (
    InputError,
    Origin,
    UserRecord,
    find_duplicates,
    login_name_problem,
)

INVENTORY = "inventory"


@dataclasses.dataclass(frozen=True)
class SourceSummary:
    source: str
    type: str
    users: int
    scheme: str | None = None
    encoding: str | None = None

    def as_dict(self) -> dict[str, t.Any]:
        return {key: value for key, value in dataclasses.asdict(self).items() if value is not None}


@dataclasses.dataclass
class DeclaredUsers:
    records: list[UserRecord]
    summaries: list[SourceSummary]
    errors: list[InputError]


def _inventory_records(users: t.Sequence[dict]) -> tuple[list[UserRecord], list[InputError]]:
    records, errors = [], []
    for index, user in enumerate(users):
        origin = Origin(INVENTORY, entry=f"users[{index}] ({user['name']})")
        problem = login_name_problem(user["name"])
        if problem:
            errors.append(InputError(origin, problem))
            continue
        records.append(UserRecord(
            name=user["name"],
            origin=origin,
            password=user.get("password"),
            full_name=user.get("full_name"),
            description=user.get("description"),
            addresses=None if user.get("addresses") is None else tuple(user["addresses"]),
            groups=None if user.get("groups") is None else tuple(user["groups"]),
            enabled=user.get("enabled"),
            state=user.get("state") or "present",
        ))
    return records, errors


def _matches(name: str, patterns: t.Iterable[str]) -> bool:
    folded = name.casefold()
    return any(fnmatch.fnmatchcase(folded, pattern.casefold()) for pattern in patterns)


def select(records: t.Iterable[UserRecord], include: t.Sequence[str], exclude: t.Sequence[str]) -> list[UserRecord]:
    """Keep the users the patterns select, as the console's import dialog lets you pick them."""
    return [
        record for record in records
        if (not include or _matches(record.name, include)) and not _matches(record.name, exclude)
    ]


def read_declared_users(
    sources: t.Sequence[dict],
    users: t.Sequence[dict],
    include: t.Sequence[str] = (),
    exclude: t.Sequence[str] = (),
) -> DeclaredUsers:
    """Read CSV sources (``path`` already resolved on the controller) and inventory users."""
    records: list[UserRecord] = []
    summaries: list[SourceSummary] = []
    errors: list[InputError] = []
    for source in sources:
        csv_source = read_csv_source(source["path"], delimiter=source.get("delimiter", "auto"), encoding=source.get("encoding", "auto"))
        records.extend(csv_source.records)
        errors.extend(csv_source.errors)
        summaries.append(SourceSummary(csv_source.path, "csv", len(csv_source.records), csv_source.scheme, csv_source.encoding))
    inventory, inventory_errors = _inventory_records(users)
    if users:
        records.extend(inventory)
        errors.extend(inventory_errors)
        summaries.append(SourceSummary(INVENTORY, INVENTORY, len(inventory)))
    selected = select(records, include, exclude)
    # A duplicate inside one file was reported by its reader in the same words; say it once.
    errors.extend(error for error in find_duplicates(selected) if error not in errors)
    return DeclaredUsers(selected, summaries, errors)
