# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The generated-passwords file: one line per name, the lines of others kept, never half-written, one writer at a time."""

from __future__ import annotations

import fcntl
import os
import stat
import threading

from ansible_collections.kerio.connect.plugins.plugin_utils import _generated_passwords


def lines(path):
    return path.read_bytes().decode("utf-8", "surrogateescape").splitlines()


def test_a_new_password_takes_the_place_of_every_earlier_line_of_its_login(tmp_path):
    path = tmp_path / "pw.txt"
    path.write_bytes(b"amy;old-1\nLIC22;stale-1\nbob;B\nlic22;stale-2\ncaf\xe9;latin-1 line\nno separator")
    _generated_passwords.update(str(path), new={"lic22": "fresh", "amy": "new-1"})
    assert lines(path) == ["bob;B", "caf\udce9;latin-1 line", "no separator", "lic22;fresh", "amy;new-1"]


def test_forgotten_logins_lose_their_lines_and_nothing_else(tmp_path):
    path = tmp_path / "pw.txt"
    path.write_text("amy;A\nbob;B\ncid;C\n", encoding="utf-8")
    _generated_passwords.update(str(path), forget=["BOB", "dan"])
    assert lines(path) == ["amy;A", "cid;C"]


def test_the_file_is_made_owner_only_and_no_temporary_file_is_left(tmp_path):
    path = tmp_path / "pw.txt"
    path.write_text("amy;A\n", encoding="utf-8")
    path.chmod(0o644)
    _generated_passwords.update(str(path), new={"bob": "B"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["pw.txt"]
    _generated_passwords.update(str(tmp_path / "new.txt"), new={"cid": "C"})
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o600


def test_a_symbolic_link_stays_and_its_target_is_updated(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("amy;A\n", encoding="utf-8")
    link = tmp_path / "pw.txt"
    link.symlink_to(target)
    _generated_passwords.update(str(link), new={"bob": "B"})
    assert link.is_symlink() and lines(target) == ["amy;A", "bob;B"]


def test_a_writer_waits_for_the_one_that_holds_the_file_and_then_reads_what_it_wrote(tmp_path):
    path = tmp_path / "pw.txt"
    path.write_text("", encoding="utf-8")
    # Another task holds the file, as update() does: locked, then replaced by a new file.
    holder = os.open(path, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    writer = threading.Thread(target=_generated_passwords.update, args=(str(path),), kwargs={"new": {"bob": "B"}})
    writer.start()
    writer.join(0.3)
    assert writer.is_alive()  # waiting for the lock
    replacement = tmp_path / "replacement"
    replacement.write_text("amy;A\n", encoding="utf-8")
    os.replace(replacement, path)
    os.close(holder)
    writer.join(5)
    assert not writer.is_alive() and lines(path) == ["amy;A", "bob;B"]


def test_problems_with_the_path_are_named(tmp_path):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    assert "is a directory" in _generated_passwords.problem_with(str(tmp_path))
    assert "does not exist" in _generated_passwords.problem_with(str(tmp_path / "absent" / "pw.txt"))
    assert "does not exist" in _generated_passwords.problem_with(str(tmp_path / "a-file" / "pw.txt"))
    assert "not a regular file" in _generated_passwords.problem_with(os.devnull)
    assert _generated_passwords.problem_with(str(tmp_path / "pw.txt")) is None
    assert _generated_passwords.problem_with(str(tmp_path / "a-file")) is None
