# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Uploaded files (for Users.parseFromCsv) and prepared downloads (Users.exportToCsv), kept in memory."""

from __future__ import annotations

import email.parser
import email.policy
import secrets
import urllib.parse

DOWNLOAD_PREFIX = "/admin/api/download/"


def parse_multipart(content_type: str, body: bytes) -> tuple[str, bytes] | None:
    """(file name, content) of the first file part of a multipart/form-data body, or None."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        return None
    for part in message.iter_parts():
        if part.get_filename() is not None:
            return part.get_filename(), part.get_payload(decode=True) or b""
    return None


class Files:
    def __init__(self):
        self._uploads: dict[str, tuple[str, bytes]] = {}
        self._downloads: dict[str, tuple[str, bytes]] = {}

    def add_upload(self, name: str, content: bytes) -> dict:
        """Store an upload; returns the ``fileUpload`` member (reference §9.2: id; name and length [I])."""
        file_id = secrets.token_hex(16)
        self._uploads[file_id] = (name, content)
        return {"id": file_id, "name": name, "length": len(content)}

    def upload(self, file_id: str) -> bytes | None:
        entry = self._uploads.get(file_id)
        return None if entry is None else entry[1]

    def add_download(self, name: str, content: bytes) -> dict:
        """Store a prepared file; returns the ``Download`` struct {url, name, length}."""
        file_id = secrets.token_hex(16)
        self._downloads[file_id] = (name, content)
        return {"url": f"{DOWNLOAD_PREFIX}{file_id}/{urllib.parse.quote(name)}", "name": name, "length": len(content)}

    def download(self, path: str) -> tuple[str, bytes] | None:
        """The (name, content) a download URL path points at."""
        file_id = path[len(DOWNLOAD_PREFIX):].split("/", 1)[0]
        return self._downloads.get(file_id)
