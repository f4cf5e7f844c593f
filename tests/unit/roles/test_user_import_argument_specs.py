# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role's argument spec against the module's: the role hands each domain's entry to the module whole.

An entry of user_import_domains becomes the module's defaults for the task (module_defaults), so
every option an entry may hold must be a module option of the same type, with the same choices
and, where the role documents a default, the module's own default.
"""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.kerio.connect.plugins.module_utils._argument_specs import CONNECTION_SPEC, USER_IMPORT_SPEC
from ansible_collections.kerio.connect.tests.playbook_runner import REPO

ROLE_SPEC = yaml.safe_load((REPO / "roles" / "user_import" / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
ROLE_OPTIONS = ROLE_SPEC["argument_specs"]["main"]["options"]
ENTRY_OPTIONS = ROLE_OPTIONS["user_import_domains"]["options"]
# The role's host variables for the connection, and the module options the role's task passes them to.
CONNECTION_VARIABLES = {
    "kerio_url": "kerio_url", "kerio_user": "kerio_user", "kerio_password": "kerio_password",
    "kerio_validate_certs": "validate_certs", "kerio_ca_path": "ca_path", "kerio_timeout": "timeout",
}


def same_kind(role_option: dict, module_option: dict) -> dict:
    """What must agree between a role option and the module option it becomes."""
    return {
        "type": (role_option.get("type", "str"), module_option.get("type", "str")),
        "elements": (role_option.get("elements"), module_option.get("elements")),
        "choices": (role_option.get("choices"), module_option.get("choices")),
    }


@pytest.mark.parametrize("name", sorted(ENTRY_OPTIONS))
def test_each_entry_option_is_a_module_option_of_the_same_kind(name):
    assert name in USER_IMPORT_SPEC and name not in CONNECTION_SPEC, f"{name} would reach the module as an unsupported parameter"
    for what, (role, module) in same_kind(ENTRY_OPTIONS[name], USER_IMPORT_SPEC[name]).items():
        assert role == module, f"{name}: the role says {what} {role!r}, the module {module!r}"


@pytest.mark.parametrize("name", sorted(name for name, option in ENTRY_OPTIONS.items() if "default" in option))
def test_a_default_the_role_documents_is_the_modules_own(name):
    # An entry that leaves the option out gets the module's default, not the role's.
    assert ENTRY_OPTIONS[name]["default"] == USER_IMPORT_SPEC[name].get("default")


def test_the_module_options_a_domain_may_set_are_all_in_the_role():
    settable = set(USER_IMPORT_SPEC) - set(CONNECTION_SPEC)
    assert settable == set(ENTRY_OPTIONS)


@pytest.mark.parametrize("variable, option", sorted(CONNECTION_VARIABLES.items()))
def test_connection_variables_match_the_connection_options(variable, option):
    assert set(CONNECTION_VARIABLES.values()) == set(CONNECTION_SPEC)
    for what, (role, module) in same_kind(ROLE_OPTIONS[variable], CONNECTION_SPEC[option]).items():
        assert role == module, f"{variable}: the role says {what} {role!r}, the module {module!r}"
