# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Writes the store to the --state file after changes, debounced, atomically (temp file + rename).

A burst of calls (a bulk import) is written once it has been quiet for QUIET_SECONDS, or every
MAX_DELAY_SECONDS while it goes on; shutdown writes whatever is left. The document is built under
the emulator's lock (a consistent snapshot) and encoded and written outside it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time

from _document import dump_document

POLL_SECONDS = 0.1
QUIET_SECONDS = 0.5
MAX_DELAY_SECONDS = 10.0


def write_atomically(path: str, data: bytes) -> None:
    """A reader never sees half a file, and the file is private (mkstemp's mode 0600): it may be a key."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temp_path = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(data)
        os.replace(temp_path, path)
    except BaseException:
        os.unlink(temp_path)
        raise


class StateWriter:
    def __init__(self, app, path: str):
        self._app = app
        self._path = path
        self._saved = app.version()
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="state-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the background writer and write what is left."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.flush()

    def flush(self) -> None:
        with self._write_lock:
            with self._app.lock:
                version = self._app.version()
                if version == self._saved:
                    return
                document = dump_document(self._app.store)
            write_atomically(self._path, json.dumps(document, separators=(",", ":")).encode("utf-8"))
            self._saved = version

    def _run(self) -> None:
        seen, last_change, first_unsaved = self._saved, 0.0, None
        while not self._stop.wait(POLL_SECONDS):
            now = time.monotonic()
            version = self._app.version()
            if version != seen:
                seen, last_change = version, now
                first_unsaved = first_unsaved or now
            if first_unsaved is not None and (now - last_change >= QUIET_SECONDS or now - first_unsaved >= MAX_DELAY_SECONDS):
                try:
                    self.flush()
                except OSError as error:  # keep serving; the next change (or the exit) tries again
                    sys.stderr.write(f"kerio-emulator: cannot write the state file: {error}\n")
                first_unsaved = None
