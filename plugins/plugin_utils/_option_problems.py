# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What is wrong with the options sources, users and defaults, each problem named after its entry.

Ansible's own check of a task's options names only the list (``found in 'users'``), or nothing at
all (``dictionary requested, could not parse JSON or key=value``) when an entry is not a mapping.
The action plugin asks here when that check fails, and shows these problems in place of Ansible's
messages about the same options.
"""

from __future__ import annotations

import typing as t

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import NoLogError, UnsupportedError
from ansible_collections.kerio.connect.plugins.module_utils._argument_specs import INLINE_USER_SPEC, SOURCE_REQUIREMENTS, SOURCE_SPEC

# The list options whose entries are checked one by one, with the rules of one entry and an example of one.
ENTRY_SPECS = {
    "sources": (SOURCE_SPEC, {"required_if": SOURCE_REQUIREMENTS}, "{type: csv, path: users.csv}"),
    "users": (INLINE_USER_SPEC, {}, "{name: jdoe}"),
}


def _kind(value: t.Any) -> str:
    """What a value is, in the words of YAML rather than of Python's (or Ansible's own) types."""
    for kind, name in ((bool, "true or false"), (str, "text"), (int, "a number"), (float, "a number"), (list, "a list"), (dict, "a mapping")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__


def problems_by_option(task_args: t.Mapping[str, t.Any]) -> dict[str, list[str]]:
    """The problems of each of sources, users and defaults that has any, each naming its entry."""
    problems: dict[str, list[str]] = {}
    for option, (spec, rules, example) in ENTRY_SPECS.items():
        entries = task_args.get(option)
        if entries is None:
            continue
        if not isinstance(entries, list):
            problems[option] = [f"{option}: give a list of mappings such as [{example}], not {_kind(entries)}"]
            continue
        found = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                found.append(f"{option}[{index}]: give a mapping such as {example}, not {_kind(entry)}")
                continue
            label = entry.get("name") or entry.get("type")
            for error in ArgumentSpecValidator(spec, **rules).validate(entry).errors:
                message = f"unsupported parameter {error.msg}" if isinstance(error, UnsupportedError) else error.msg
                found.append(f"{option}[{index}]{f' ({label})' if label else ''}: {message}")
        if found:
            problems[option] = found
    defaults = task_args.get("defaults")
    if defaults is not None and not isinstance(defaults, dict):
        problems["defaults"] = [f"defaults: give a mapping of field values such as {{groups: [staff]}}, not {_kind(defaults)}"]
    return problems


def is_about(error: Exception, options: t.Collection[str]) -> bool:
    """Whether one of Ansible's option errors is about ``options`` only, whose problems name their entries already."""
    if isinstance(error, NoLogError):
        # Raised only for an option with sub-options whose value is no mapping or list of them, beside
        # the type error that names the option: a second, unnamed account of the same problem.
        return True
    message = str(error)
    if isinstance(error, UnsupportedError):
        names = message.split(". Supported parameters", 1)[0].split(", ")
        return all(name.split(".", 1)[0] in options for name in names)
    # Ansible quotes the option's name in most messages, but not in those of required_if.
    return any(f"'{option}'" in message or message.endswith(f" found in {option}") for option in options)
