# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stands in for the get-pip.py that `ansible-test --venv` downloads from a host CI cannot reach.

ansible-test runs this file with get-pip's arguments (`pip==X --no-setuptools --no-wheel ...`);
the same result comes from the interpreter's own ensurepip followed by pip from the package index.
"""

from __future__ import annotations

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}

subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True, stdout=subprocess.DEVNULL)
arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY_OPTIONS]
subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *arguments], check=True)
