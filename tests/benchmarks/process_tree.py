# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Peak memory of a process and all its descendants, sampled from /proc (Linux; no psutil).

    with PeakRss(process.pid) as peak:
        process.wait()
    peak.tree_mib, peak.largest_mib

Every ``interval`` seconds the sampler finds the process's descendants (by parent pid, from
/proc/*/stat), sums their VmRSS and keeps the largest sum. RSS counts pages shared between a
parent and its forked child (ansible-playbook and its worker) in both, so the sum errs high.
"""

from __future__ import annotations

import os
import threading

INTERVAL_SECONDS = 0.05


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process now."""
    parents = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat_file:
                stat = stat_file.read()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
        parents[int(entry.name)] = int(stat.rsplit(b")", 1)[1].split()[1])
    return parents


def descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, ()))
    return found


def rss_kib(pid: int) -> int:
    """VmRSS of one process in KiB; 0 when it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status_file:
            for line in status_file:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakRss:
    def __init__(self, pid: int, interval: float = INTERVAL_SECONDS):
        self.pid = pid
        self.interval = interval
        self.tree_kib = 0  # the largest sum over the tree at one moment
        self.largest_kib = 0  # the largest single process seen
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)

    def _sample(self) -> None:
        sizes = [rss_kib(pid) for pid in descendants(self.pid)]
        self.tree_kib = max(self.tree_kib, sum(sizes))
        self.largest_kib = max(self.largest_kib, *sizes)
        self.samples += 1

    def _run(self) -> None:
        while True:
            self._sample()
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def tree_mib(self) -> float:
        return self.tree_kib / 1024

    @property
    def largest_mib(self) -> float:
        return self.largest_kib / 1024
