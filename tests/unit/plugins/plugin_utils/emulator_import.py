# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""run_import's request for tests that import into an emulator directly, without ansible-playbook."""

from __future__ import annotations

from ansible_collections.kerio.connect.plugins.plugin_utils._importer import ImportRequest


def request(kerio, users, **options) -> ImportRequest:
    """Import ``users`` (inventory-style entries) into example.com of the emulator ``kerio``."""
    connection = {"url": kerio.url, "user": kerio.admin_user, "password": kerio.admin_password, "ca_path": kerio.ca_path}
    return ImportRequest(connection=connection, domain="example.com", users=users, **options)
