# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted


@pytest.mark.parametrize("value, shown", [
    ("jdoe", "'jdoe'"),
    ("jürgen", "'jürgen'"),
    # Backslashes stay single, so a message shows what the user wrote and can paste back.
    ("EXAMPLE\\reader", "'EXAMPLE\\reader'"),
    ("OU=Sales\\, EMEA,DC=example,DC=com", "'OU=Sales\\, EMEA,DC=example,DC=com'"),
    ("(cn=Doe\\28J\\29)", "'(cn=Doe\\28J\\29)'"),
    # Quotes as repr takes them: double quotes around a single quote, escaped only when both occur.
    ("O'Brien", "\"O'Brien\""),
    ("say \"hi\"", "'say \"hi\"'"),
    ("it's \"x\"", "'it\\'s \"x\"'"),
    # What cannot be seen is escaped, as repr does.
    ("a\tb\n", "'a\\tb\\n'"),
    ("no\xa0break", "'no\\xa0break'"),
    ("", "''"),
])
def test_text_is_shown_as_written(value, shown):
    assert quoted(value) == shown


@pytest.mark.parametrize("value", [3, 2.5, None, True])
def test_other_values_are_shown_by_repr(value):
    assert quoted(value) == repr(value)
