# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """How every kerio.connect module reaches the Kerio Connect Administration API."""

    DOCUMENTATION = r"""
options:
  kerio_url:
    description:
      - Base URL of the Kerio Connect administration interface, for example C(https://mail.example.com:4040).
      - It must be C(https://); C(http://) is refused, as it would send the administrator's password in clear.
      - The path C(/admin/api/jsonrpc/) is added when missing; the console's address (C(https://mail.example.com:4040/admin/)) works too.
      - If not set, the environment variable E(KERIO_URL) is used (the controller's, or set by the task's C(environment) keyword).
    type: str
    required: true
  kerio_user:
    description:
      - Administrator login name, for example C(admin) or C(admin@example.com).
      - If not set, the environment variable E(KERIO_USER) is used (the controller's, or set by the task's C(environment) keyword).
    type: str
    required: true
  kerio_password:
    description:
      - The administrator's password. It never appears in output, diffs or logs.
      - If not set, the environment variable E(KERIO_PASSWORD) is used (the controller's, or set by the task's C(environment) keyword).
    type: str
    required: true
  validate_certs:
    description:
      - Verify the server's TLS certificate.
      - Set to V(false) only for a test server; prefer O(ca_path) for a private CA.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file with the CA certificate(s) that signed the Kerio server's certificate.
    type: path
  timeout:
    description:
      - Seconds to wait for the server to accept a connection and for each answer, more than 0 and at most 3600.
    type: float
    default: 30
notes:
  - The module runs on the Ansible controller; the Kerio host needs no SSH access (a play of Kerio hosts needs
    C(gather_facts) set to V(false), as facts would be gathered over SSH).
  - It sees the environment a module run on the controller would see, the C(environment) keyword included. That
    holds for the E(KERIO_*) variables above and for the proxy variables E(HTTPS_PROXY) and E(NO_PROXY).
  - Set these options once for every kerio.connect module with
    C(module_defaults) and the action group C(group/kerio.connect.kerio).
"""
