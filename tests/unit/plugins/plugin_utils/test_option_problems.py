# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.kerio.connect.plugins.module_utils._argument_specs import USER_IMPORT_SPEC
from ansible_collections.kerio.connect.plugins.plugin_utils._option_problems import is_about, problems_by_option

CONNECTION = {"kerio_url": "https://kerio.test:4040", "kerio_user": "admin", "kerio_password": "Adm1n-Pa55word", "domain": "example.com"}


def shown(options):
    """What the action plugin shows: each problem named after its entry, then Ansible's messages about anything else."""
    problems = problems_by_option(options)
    others = [error.msg for error in ArgumentSpecValidator(USER_IMPORT_SPEC).validate(options).errors if not is_about(error, problems)]
    return [problem for option_problems in problems.values() for problem in option_problems] + others


@pytest.mark.parametrize("options, expected", [
    # Ansible says "dictionary requested, could not parse JSON or key=value", naming nothing.
    ({"sources": ["users.csv"]}, ["sources[0]: give a mapping such as {type: csv, path: users.csv}, not text"]),
    ({"users": "jdoe"}, ["users: give a list of mappings such as [{name: jdoe}], not text"]),
    ({"defaults": "staff"}, ["defaults: give a mapping of field values such as {groups: [staff]}, not text"]),
    # Ansible says "must be a list, not 'NoneType'" of an entry that must be a mapping.
    ({"users": [None, {"name": "ok"}]}, ["users[0]: give a mapping such as {name: jdoe}, not null"]),
    ({"users": [{"name": "ok"}, ["jdoe"], 7, True]}, [
        "users[1]: give a mapping such as {name: jdoe}, not a list", "users[2]: give a mapping such as {name: jdoe}, not a number",
        "users[3]: give a mapping such as {name: jdoe}, not true or false",
    ]),
])
def test_an_option_of_the_wrong_shape_is_named_with_what_to_give(options, expected):
    assert shown(dict(CONNECTION, **options)) == expected


def test_each_entry_is_named_and_problems_of_other_options_are_kept():
    options = dict(CONNECTION, users=[{"name": "ok"}, {"name": "bad", "enabled": "maybe"}], defaults={"enabled": "maybe"},
                   sources=[{"type": "kerio_directory", "directory_type": "WinNT"}], batch_size="many")
    messages = shown(options)
    assert messages[0].startswith("sources[0] (kerio_directory): type is kerio_directory but all of the following are missing: domain_name")
    assert messages[1].startswith("users[1] (bad): argument 'enabled' is of type")
    # defaults' own field and batch_size are not entries: Ansible's messages for them stay, once each.
    assert sum("found in 'defaults'" in message for message in messages) == 1
    assert sum("argument 'batch_size'" in message for message in messages) == 1
    assert len(messages) == 4 and not any("found in sources" in message or "found in 'users'" in message for message in messages)


def test_options_of_the_right_shape_have_no_problems():
    assert problems_by_option(dict(CONNECTION, users=[{"name": "jdoe"}], sources=[{"type": "csv", "path": "users.csv"}], defaults={})) == {}
