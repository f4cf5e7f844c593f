# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The argument spec against the code behind it: the choices and defaults it declares are those the code takes.

The spec is the module's interface (DOCUMENTATION is checked against it), so it spells its values
out; the code keeps its own names for them. These tests hold the two together.
"""

from __future__ import annotations

from ansible_collections.kerio.connect.plugins.module_utils._argument_specs import SOURCE_SPEC, USER_IMPORT_SPEC
from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import DEFAULT_BATCH_SIZE
from ansible_collections.kerio.connect.plugins.plugin_utils._ldap_connection import CERT_VALIDATIONS, TLS_MODES
from ansible_collections.kerio.connect.plugins.plugin_utils._ldap_source import DEFAULT_PAGE_SIZE
from ansible_collections.kerio.connect.plugins.plugin_utils._records import AUTH_TYPES


def test_directory_choices_and_defaults_are_the_directory_codes():
    assert tuple(SOURCE_SPEC["tls_mode"]["choices"]) == TLS_MODES and SOURCE_SPEC["tls_mode"]["default"] in TLS_MODES
    assert tuple(SOURCE_SPEC["cert_validation"]["choices"]) == CERT_VALIDATIONS
    assert SOURCE_SPEC["page_size"]["default"] == DEFAULT_PAGE_SIZE


def test_auth_types_are_the_ones_the_records_know():
    assert list(SOURCE_SPEC["auth_type"]["choices"]) == list(AUTH_TYPES)


def test_the_batch_size_default_is_the_clients():
    assert USER_IMPORT_SPEC["batch_size"]["default"] == DEFAULT_BATCH_SIZE
