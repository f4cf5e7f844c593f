# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""JSON text for replies: compact encoding, and arrays whose items are already encoded.

Query results are encoded entity by entity (see _model.User.to_json, which pastes the members most
users share as one ready-made piece), then joined here without being decoded again.
"""

from __future__ import annotations

import json


class JsonArray(list):
    """A list of JSON texts, written into a reply as an array of those items."""


# One encoder for all: json.dumps with options would build a new one per call (100,000 times per bulk read).
# The emulator's documents never refer to themselves, so the circular-reference check is skipped.
dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def encode(value) -> str:
    """Like dumps, but a JsonArray anywhere inside dicts is pasted in as it is."""
    if isinstance(value, JsonArray):
        return "[" + ",".join(value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{dumps(key)}:{encode(item)}" for key, item in value.items()) + "}"
    return dumps(value)
