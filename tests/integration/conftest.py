# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from runner import IMPORT_USERS, run_playbook


@pytest.fixture
def playbook_runner(tmp_path):
    def run(playbook=IMPORT_USERS, inventory=None, **kwargs):
        return run_playbook(playbook, inventory, tmp_path, **kwargs)
    return run
