# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The last step of an import: the module's result and diff.

Built from what the earlier steps hand on (the sources' summaries and skipped entries, the records, the
users read, the plan, what applying it did, the API calls counted); nothing here reads or writes anything.
"""

from __future__ import annotations

import json
import typing as t

import yaml

from ansible_collections.kerio.connect.plugins.plugin_utils._apply import ApplyReport, Failure
from ansible_collections.kerio.connect.plugins.plugin_utils._reconcile import Plan
from ansible_collections.kerio.connect.plugins.plugin_utils._records import UserRecord
from ansible_collections.kerio.connect.plugins.plugin_utils._sources import SourceResult


def planned_report(plan: Plan) -> ApplyReport:
    """What check mode reports: the plan as if every write succeeded."""
    return ApplyReport(
        created=[create.record for create in plan.creates],
        updated=[update.record for update in plan.updates],
        removed=[removal.record for removal in plan.removals],
        groups_created=list(plan.groups_to_create),
        changed=plan.changes_anything,
    )


def plan_diff(plan: Plan) -> list[dict[str, t.Any]]:
    """The diff Ansible shows with --diff: per user, the fields before and after."""
    entries = []
    for create in plan.creates:
        entries.append((create.record.name, {"state": "absent"}, dict(create.diff, state="present")))
    for update in plan.updates:
        entries.append((update.record.name, update.before, update.after))
    for removal in plan.removals:
        entries.append((removal.record.name, dict(removal.before, state="present"), {"state": "absent"}))
    # As text, because Ansible shows a dict diff as ASCII-escaped JSON and names like "Zoë" would not read as written.
    return [
        {"before_header": f"user {name}", "after_header": f"user {name}", "before": _as_text(before), "after": _as_text(after)}
        for name, before, after in entries
    ]


def _as_text(fields: dict[str, t.Any]) -> str:
    # Through JSON first: option values are ansible-core's own str subclasses, which safe_dump refuses.
    return yaml.safe_dump(json.loads(json.dumps(fields)), allow_unicode=True, sort_keys=True, default_flow_style=False)


def _names(records: t.Iterable[UserRecord]) -> list[str]:
    return [record.name for record in records]


def _failure(failure: Failure) -> dict[str, str]:
    return {"name": failure.record.name, "source": str(failure.record.origin), "message": failure.message}


def fail_on(result: dict[str, t.Any], problems: list[str]) -> None:
    """Fail the result for what stopped or spoilt the run after it began to write, or for the users it could not import.

    What the run did is kept in the result either way.
    """
    if problems:
        if result["errors"]:
            problems.append(f"Besides, {len(result['errors'])} user(s) could not be imported or were changed only in part; see 'errors'.")
        result.update(failed=True, msg=" ".join(problems))
    elif result["errors"]:
        result.update(failed=True, msg=f"{len(result['errors'])} user(s) could not be imported; see 'errors'. A re-run retries them, "
                                       "except what a message says to do in Kerio.")


def _source_summary(summary: dict[str, t.Any], declared_keys: t.Container[str]) -> dict[str, t.Any]:
    """A source's summary, its directory identities limited to the users imported (include and exclude applied)."""
    if "identities" not in summary:
        return summary
    return dict(summary, identities={name: identity for name, identity in summary["identities"].items() if name.casefold() in declared_keys})


def module_result(
    report: ApplyReport,
    plan: Plan,
    sources: t.Sequence[SourceResult],
    records: list[UserRecord],
    existing_users: list[dict],
    api_calls: t.Mapping[str, int],
) -> dict[str, t.Any]:
    """The module's result (RETURN documents it; a test holds the two together)."""
    declared_keys = {record.key for record in records}
    return {
        "changed": report.changed,
        "summary": {
            "created": len(report.created),
            "updated": len(report.updated),
            "removed": len(report.removed),
            "unchanged": len(plan.unchanged),
            "failed": len(report.failures),
        },
        "created": _names(report.created),
        "updated": _names(report.updated),
        "removed": _names(report.removed),
        "unchanged": _names(plan.unchanged),
        "errors": [_failure(failure) for failure in report.failures],
        "groups_created": report.groups_created,
        "not_imported": [{"source": str(item.origin), "message": item.message} for source in sources for item in source.skipped],
        "undeclared": sorted(user["loginName"] for user in existing_users if user["loginName"].casefold() not in declared_keys),
        "sources": [_source_summary(source.summary, declared_keys) for source in sorted(sources, key=lambda source: source.rank)],
        "api_calls": dict(api_calls),
    }
