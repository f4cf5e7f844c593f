# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The generated-passwords file: one ``name;password`` line for each user created with a password Kerio generated.

The importer names each user ``login@domain``. It writes the passwords before it creates the
users, so that no crash can lose the password of a user that exists, and takes out the lines of
the users not created. A name has one line: a new password takes the place of the line an
earlier attempt left.

Each change rewrites the whole file into a temporary one renamed over it, so the file is never
seen half-written, and holds a lock meanwhile: the tasks of several hosts may share the file
and run at the same time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import typing as t

from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted

MODE = 0o600


def problem_with(path: str) -> str | None:
    """Why ``path`` cannot be the file, or None; checked before anything is written."""
    real_path = os.path.realpath(path)
    directory = os.path.dirname(real_path)
    if os.path.isdir(real_path):
        return f"{quoted(path)} is a directory; give the path of a file (it is created if missing)"
    if os.path.lexists(real_path) and not os.path.isfile(real_path):
        return f"{quoted(path)} is not a regular file; give the path of a file (it is created if missing)"
    if not os.path.isdir(directory):
        return f"{quoted(directory)}, the directory of {quoted(path)}, does not exist or is not a directory; create it or give another path"
    # The file is replaced, not written in place: that takes a new file in its directory.
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"cannot create files in {quoted(directory)}, the directory of {quoted(path)}; give a path in a writable directory"
    if os.path.exists(real_path) and not os.access(real_path, os.R_OK):
        return f"cannot read {quoted(path)}, which the import rewrites to add its lines; give another path or make it readable"
    return None


def update(path: str, *, new: t.Mapping[str, str] | None = None, forget: t.Iterable[str] = ()) -> None:
    """Write a line for each name of ``new`` in place of its earlier ones, and take out the lines of ``forget``."""
    new = new or {}
    replaced = {name.casefold() for name in new} | {name.casefold() for name in forget}
    real_path = os.path.realpath(path)
    with _locked(real_path) as current:
        lines = [line for line in current if _name(line) not in replaced]
        lines += [f"{name};{password}\n" for name, password in new.items()]
        _replace(real_path, lines)


def _name(line: str) -> str:
    return line.split(";", 1)[0].strip().casefold()


@contextlib.contextmanager
def _locked(path: str) -> t.Iterator[list[str]]:
    """Lock the file (creating it if missing) and give its lines, each ending with a newline."""
    while True:
        descriptor = os.open(path, os.O_RDONLY | os.O_CREAT, MODE)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            if _still_at(path, descriptor):
                break
        except BaseException:
            os.close(descriptor)
            raise
        # Another writer replaced the file while this one waited for the lock: lock the new one.
        os.close(descriptor)
    try:
        # surrogateescape: lines someone else wrote in another encoding come back byte for byte.
        with open(descriptor, encoding="utf-8", errors="surrogateescape", newline="", closefd=False) as current:
            lines = [line if line.endswith("\n") else line + "\n" for line in current]
        yield lines
    finally:
        os.close(descriptor)  # which releases the lock


def _still_at(path: str, descriptor: int) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(descriptor)
    return (opened.st_dev, opened.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _replace(path: str, lines: list[str]) -> None:
    directory, name = os.path.split(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with open(descriptor, "w", encoding="utf-8", errors="surrogateescape", newline="") as replacement:
            os.fchmod(descriptor, MODE)  # the umask could have narrowed mkstemp's mode below the owner's read and write
            replacement.writelines(lines)
            replacement.flush()
            # On disk before the rename, so that a crash leaves the old file or the new one, never an empty one.
            os.fsync(replacement.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Make the rename itself survive a crash of the machine: the passwords belong to users that exist."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
