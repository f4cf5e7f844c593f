# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The benchmark behind ``make bench``: real ansible-playbook runs against the emulator, on loopback.

    PYTHONPATH=build/collections .venv/bin/python tests/benchmarks/run_benchmarks.py [--quick] [--help]

For each case: wall time of the whole ansible-playbook run, API calls per method (the emulator's
count, checked against the formula of api_calls.py), peak RSS of the ansible-playbook process
tree, users per second. Each figure is the median of ``--repeat`` runs, with min and max. Beside
them, in the same run: Ansible's start-up (an empty playbook), the naive loop (naive_loop.yml, one
ansible.builtin.uri call per user) and the floor (floor.py, the bare write calls), the floor in
rounds with the initial import and the start-up so that each ratio compares runs made side by side.
The table goes to stdout, everything measured to ``--output`` (JSON). See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import functools
import hashlib
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
import typing as t

_REPO = pathlib.Path(__file__).resolve().parents[2]
if str(_REPO / "build" / "collections") not in sys.path:
    sys.path.insert(0, str(_REPO / "build" / "collections"))

# pylint: disable=wrong-import-position

from ansible_collections.kerio.connect.tests.benchmarks import generate_users  # noqa: E402
from ansible_collections.kerio.connect.tests.benchmarks.api_calls import Declared, declared_users, expected_calls  # noqa: E402
from ansible_collections.kerio.connect.tests.benchmarks.process_tree import PeakRss  # noqa: E402
from ansible_collections.kerio.connect.tests.emulator.harness import start_emulator  # noqa: E402
from ansible_collections.kerio.connect.tests.playbook_runner import IMPORT_USERS, REPO, write_inventory  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
EMPTY_PLAYBOOK = HERE / "empty.yml"
PHASE_TIMES_CALLBACK = HERE / "callback_plugins"
NAIVE_PLAYBOOK = HERE / "naive_loop.yml"
FLOOR_SCRIPT = HERE / "floor.py"
ANSIBLE_PLAYBOOK = pathlib.Path(sys.executable).parent / "ansible-playbook"
DIRECTORY_TESTS = REPO / "tests" / "directory"

GENERATOR_VERSION = hashlib.sha256(pathlib.Path(generate_users.__file__).read_bytes()).hexdigest()[:12]
DOMAIN = "example.com"
SEED = {"domains": [{"name": DOMAIN, "isPrimary": True, "aliasList": ["example.org"], "userMaxCount": -1}]}
BATCH_SIZE = 200  # what the role passes
LATENCY_MS = 20
PLAYBOOK_TIMEOUT_SECONDS = 1800
MIB = 2 ** 20
STARTUP_CASE = "startup (empty playbook)"
# The reads of an initial import that the floor leaves out (it makes the writes only).
IMPORT_READS = ("Users.get", "Groups.get", "Server.findEntityByEmail", "Domains.getUserCountInfo")

# The targets on the 2-core machine: (case, figure, limit, unit).
TARGETS = (
    ("csv initial 10000", "wall", 10.0, "s"),
    ("csv re-run 10000", "wall", 5.0, "s"),
    ("csv re-run 10000", "writes", 0, "calls"),
    ("csv initial 100000", "wall", 60.0, "s"),
    ("csv initial 100000", "rss", 400.0, "MB"),
    (f"csv initial 10000 +{LATENCY_MS}ms", "wall", 12.0, "s"),
)
NAIVE_TARGET = 20.0  # at least this many times faster per user
FLOOR_TARGET = 1.5  # at most this many times the floor, Ansible's start-up taken out


def run_to_end(command: list[str], **popen_arguments) -> tuple[subprocess.Popen, Run, tuple[bytes | None, bytes | None]]:
    """Run ``command`` to its end: its wall time, taken as it exits, its peak RSS and its output (when piped).

    Not ``Popen.wait(timeout)``: with a timeout it polls, up to 50 ms late. A process still running
    after PLAYBOOK_TIMEOUT_SECONDS is killed (exit code -9). The clock is the one the phase_times
    callback reads, so that its times can be placed within the run.
    """
    started = time.monotonic()
    process = subprocess.Popen(command, **popen_arguments)
    killer = threading.Timer(PLAYBOOK_TIMEOUT_SECONDS, process.kill)
    killer.daemon = True
    killer.start()
    try:
        with PeakRss(process.pid) as peak:
            output = process.communicate()
            wall = time.monotonic() - started
    finally:
        killer.cancel()
    return process, Run(wall, peak.tree_mib, peak.largest_mib, started=started), output


def phase_times(times: dict, started: float, wall: float) -> dict[str, float]:
    """Where a playbook run's wall time went, from what the phase_times callback wrote.

    Before the play (Ansible's start-up: reading the inventory and the playbook), each task from
    its start to its first result (by action: validate_argument_spec, kerio_user_import, ...),
    between the tasks (the strategy's own work, such as loading a task's action plugin, which
    ansible-core does in the main process before forking the worker), and after the recap (the
    controller's clean-up and the interpreter's exit).
    """
    phases = {"before the play": times["play"] - started}
    between, previous_end = 0.0, times["play"]
    for task in times["tasks"]:
        end = task["end"] if task["end"] is not None else times["recap"]
        name = f"task {task['action']}"
        phases[name] = phases.get(name, 0.0) + end - task["start"]
        between += task["start"] - previous_end
        previous_end = end
    phases["between the tasks"] = between + times["recap"] - previous_end
    phases["after the recap"] = started + wall - times["recap"]
    return {name: round(seconds, 4) for name, seconds in phases.items()}


@functools.lru_cache(maxsize=8)
def declared_after(count: int, changed_slices: int = 0) -> dict[str, Declared]:
    """The users a generated file declares; kept, since 100,000 users take over a second to generate. Read-only."""
    return declared_users(generate_users.users_with_changes(count, changed_slices))


@dataclasses.dataclass
class Run:
    wall: float
    rss_tree_mib: float = 0.0
    rss_largest_mib: float = 0.0
    calls: dict[str, int] = dataclasses.field(default_factory=dict)
    writes: int = 0  # calls of methods that change state, as the emulator counts them
    inner: float | None = None  # the floor's timed part
    phases: dict[str, float] = dataclasses.field(default_factory=dict)  # of a playbook run: see phase_times()
    started: float = dataclasses.field(default=0.0, repr=False)  # time.monotonic() at the start; not reported


class FloorRound(t.NamedTuple):
    """Wall times of one round: Ansible's start-up, the module's initial import, the floor script."""

    startup: float
    module: float
    floor: float

    @property
    def ratio(self) -> float:
        return (self.module - self.startup) / self.floor


@dataclasses.dataclass
class Case:
    name: str
    group: str
    users: int
    runs: list[Run] = dataclasses.field(default_factory=list)
    expected: dict[str, int] | None = None
    problems: list[str] = dataclasses.field(default_factory=list)

    def figure(self, name: str) -> list[float]:
        return [getattr(run, name) for run in self.runs if getattr(run, name) is not None]

    def median(self, name: str = "wall") -> float:
        return statistics.median(self.figure(name))

    def phase_medians(self) -> dict[str, float]:
        names = dict.fromkeys(name for run in self.runs for name in run.phases)  # in the order they happen
        return {name: round(statistics.median(run.phases[name] for run in self.runs if name in run.phases), 4) for name in names}

    def as_json(self) -> dict:
        summary = {}
        for name in ("wall", "rss_tree_mib", "rss_largest_mib", "inner"):
            values = self.figure(name)
            if values:
                summary[name] = {"median": round(statistics.median(values), 4), "min": round(min(values), 4), "max": round(max(values), 4)}
        calls = self.runs[-1].calls if self.runs else {}
        return {
            "name": self.name, "group": self.group, "users": self.users, "summary": summary,
            "users_per_second": round(self.users / self.median(), 1) if self.users and self.runs else None,
            "calls": calls, "writes": self.runs[-1].writes if self.runs else 0, "expected_calls": self.expected, "problems": self.problems,
            "phases": self.phase_medians(),
            "runs": [{name: value for name, value in dataclasses.asdict(run).items() if name != "started"} for run in self.runs],
        }


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.groups = set(args.cases.split(","))
        self.work = pathlib.Path(args.work_dir).resolve()
        self.data = self.work / "data"
        self.logs = self.work / "logs"
        self.cases: list[Case] = []
        self.floor_rounds: dict[int, list[FloorRound]] = {}
        self.log_count = 0
        for folder in (self.data, self.logs):
            folder.mkdir(parents=True, exist_ok=True)

    # -- running things ------------------------------------------------------------------------
    def playbook(self, playbook: pathlib.Path, inventory: pathlib.Path, *extra: str) -> Run:
        """One ansible-playbook run as a user would start it (default output); its wall time and peak RSS."""
        self.log_count += 1
        log_path = self.logs / f"{self.log_count:03d}-{playbook.stem}.log"
        times_path = log_path.with_suffix(".times.json")
        env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=self.args.collections,
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_LOCAL_TEMP=str(self.work / "ansible-tmp"),
            ANSIBLE_CALLBACK_PLUGINS=str(PHASE_TIMES_CALLBACK),
            BENCH_PHASE_TIMES_FILE=str(times_path),
        )
        command = [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), str(playbook), *extra]
        with open(log_path, "wb") as log_file:
            process, run, _output = run_to_end(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT)
        if process.returncode != 0:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(command)} failed with exit code {process.returncode} (log: {log_path}):\n{tail}")
        run.phases = phase_times(json.loads(times_path.read_text(encoding="utf-8")), run.started, run.wall)
        return run

    def measure(self, case: Case, emulator, action: t.Callable[[], Run], *, prepare: t.Callable[[int], None] | None = None,
                expected: t.Callable[[int], dict[str, int]] | None = None) -> Case:
        """``--repeat`` runs of ``action``; ``prepare(i)`` readies the emulator for run i; the calls are checked per run."""
        for _index in range(self.repeat(case)):
            self.measure_once(case, emulator, action, prepare=prepare, expected=expected)
        if case not in self.cases:  # the start-up case is registered before the rounds add to it
            self.cases.append(case)
        return case

    def repeat(self, case: Case) -> int:
        if case.group == "naive":
            return self.args.repeat_naive
        return self.args.repeat_large if case.users >= 100000 else self.args.repeat

    def floor_rounds_of(self, initial: Case) -> int:
        # One round's ratio ranges over a factor of two on this VM (three runs, each drifting on its
        # own), so below 100,000 users, where a round is short, the median is taken over more of them.
        return self.args.repeat_large if initial.users >= 100000 else max(self.args.repeat, self.args.floor_rounds)

    def measure_once(self, case: Case, emulator, action: t.Callable[[], Run], *, prepare: t.Callable[[int], None] | None = None,
                     expected: t.Callable[[int], dict[str, int]] | None = None) -> Run:
        index = len(case.runs)
        if prepare is not None:
            prepare(index)
        if emulator is not None:
            emulator.flush()  # the state file of the last run is written now, not while this one runs
            emulator.reset_stats()
        run = action()
        if emulator is not None:
            run.calls, run.writes = emulator.stats(), emulator.write_calls()
        if expected is not None:
            case.expected = expected(index)
            if run.calls != case.expected:
                case.problems.append(f"run {index + 1}: calls {run.calls} differ from the formula's {case.expected}")
        case.runs.append(run)
        self._progress(case, run)
        return run

    def _progress(self, case: Case, run: Run) -> None:
        inner = f", timed part {run.inner:.2f} s" if run.inner is not None else ""
        print(f"  {case.name}: {run.wall:.2f} s{inner}, peak RSS {run.rss_tree_mib:.0f} MiB, {sum(run.calls.values())} calls", flush=True)

    def emulator(self, name: str, **options):
        workdir = self.work / "emulators" / name
        shutil.rmtree(workdir, ignore_errors=True)  # a state file left there would win over the seed
        return start_emulator(workdir, seed=SEED, **options)

    def inventory(self, name: str, emulator, domains: list[dict]) -> pathlib.Path:
        # The Python running the benchmark, so the measured runs use the same ansible-core and libraries.
        return write_inventory(self.work, emulator, domains, host_vars={"ansible_python_interpreter": sys.executable},
                               name=f"inventory-{name}.yml")

    def csv_file(self, count: int, changed_slices: int = 0, *, groups: bool = True) -> pathlib.Path:
        """The generated file, made once and kept in the work dir (generation is deterministic; a new generator, new files)."""
        suffix = (f"-changed{changed_slices}" if changed_slices else "") + ("" if groups else "-nogroups")
        path = self.data / GENERATOR_VERSION / f"users-{count}{suffix}.csv"
        path.parent.mkdir(exist_ok=True)
        if not path.exists():
            users = generate_users.users_with_changes(count, changed_slices)
            generate_users.write_csv(path, users, groups=groups)
        return path

    # -- the cases -----------------------------------------------------------------------------
    def startup_case(self) -> Case:
        """Ansible's start-up; the rounds beside the floor add runs to it."""
        case = self.case(STARTUP_CASE)
        if case is None:
            case = Case(STARTUP_CASE, "startup", 0)
            self.cases.append(case)
        return case

    def startup(self) -> None:
        print("Ansible's start-up (empty playbook)", flush=True)
        emulator = self.emulator("startup")
        try:
            inventory = self.inventory("startup", emulator, [])
            self.measure(self.startup_case(), None, lambda: self.playbook(EMPTY_PLAYBOOK, inventory))
        finally:
            emulator.stop()

    def csv_cases(self, count: int, *, latency_ms: int = 0, initial_only: bool = False) -> None:
        label = f" +{latency_ms}ms" if latency_ms else ""
        print(f"CSV, {count} users{label}", flush=True)
        emulator = self.emulator(f"csv-{count}{'-latency' if latency_ms else ''}")
        declared = declared_after(count)
        groups = sorted({group for user in declared.values() for group in user.groups})

        def inventory_for(path: pathlib.Path) -> pathlib.Path:
            return self.inventory(f"csv-{count}", emulator, [{"domain": DOMAIN, "sources": [{"type": "csv", "path": str(path)}]}])

        def import_file(path: pathlib.Path) -> t.Callable[[], Run]:
            return lambda: self.playbook(IMPORT_USERS, inventory_for(path))

        def fresh(_index: int) -> None:
            emulator.reset()  # back to the seed: the admin only
            if latency_ms:
                emulator.set_faults(latency_ms=latency_ms)

        try:
            full = self.csv_file(count)
            initial = Case(f"csv initial {count}{label}", "csv", count)
            initial_calls = expected_calls(declared, {}, batch_size=BATCH_SIZE)
            if not latency_ms and "floor" in self.groups:
                self.initial_beside_floor(emulator, initial, import_file(full), full, fresh, initial_calls)
            else:
                self.measure(initial, emulator, import_file(full), prepare=fresh, expected=lambda _i: initial_calls)
            if not initial_only:
                self.rerun_and_change(emulator, count, label, import_file(full), inventory_for, declared, groups)
        finally:
            emulator.stop()

    # pylint: disable-next=too-many-arguments
    def rerun_and_change(self, emulator, count: int, label: str, rerun: t.Callable[[], Run],
                         inventory_for: t.Callable[[pathlib.Path], pathlib.Path], declared: dict, groups: list[str]) -> None:
        self.measure(Case(f"csv re-run {count}{label}", "csv", count), emulator, rerun,
                     expected=lambda _i: expected_calls(declared, declared, batch_size=BATCH_SIZE, existing_groups=groups))
        # Run i imports the file with i + 1 changed slices over a server holding i: 1% changed each time.
        changed = Case(f"csv 1% changed {count}{label}", "csv", count)
        self.measure(changed, emulator, lambda: self.playbook(IMPORT_USERS, inventory_for(self.csv_file(count, len(changed.runs) + 1))),
                     expected=lambda i: expected_calls(
                         declared_after(count, i + 1), declared_after(count, i),
                         batch_size=BATCH_SIZE, existing_groups=groups))

    # pylint: disable-next=too-many-arguments
    def initial_beside_floor(self, emulator, initial: Case, import_run: t.Callable[[], Run], path: pathlib.Path,
                             fresh: t.Callable[[int], None], initial_calls: dict[str, int]) -> None:
        """The initial import, the floor script and Ansible's start-up, measured in rounds of one run each.

        The ratio to the floor is taken within each round: this VM's speed drifts over minutes, and
        runs of the module and of the floor made minutes apart would compare the drift.
        The order within a round turns, so no run always follows the same one.
        """
        count = initial.users

        def floor() -> Run:
            command = [sys.executable, str(FLOOR_SCRIPT), "--url", emulator.url, "--ca-path", emulator.ca_path,
                       "--password", emulator.admin_password, "--csv", str(path), "--batch-size", str(BATCH_SIZE)]
            process, run, (output, errors) = run_to_end(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if process.returncode != 0:
                raise RuntimeError(f"floor.py failed with exit code {process.returncode}: {errors.decode(errors='replace')[-3000:]}")
            run.inner = json.loads(output)["seconds"]
            return run

        floor_case = Case(f"floor {count}", "floor", count)
        # The floor reads nothing but the domain's id: none of the reads that plan and check the import.
        floor_calls = {method: count for method, count in initial_calls.items() if method not in IMPORT_READS}
        inventory = self.inventory(f"startup-beside-{count}", emulator, [])
        startup = self.startup_case()
        steps = [
            lambda: self.measure_once(startup, None, lambda: self.playbook(EMPTY_PLAYBOOK, inventory), prepare=lambda _i: emulator.flush()),
            lambda: self.measure_once(initial, emulator, import_run, prepare=fresh, expected=lambda _i: initial_calls),
            lambda: self.measure_once(floor_case, emulator, floor, prepare=fresh, expected=lambda _i: floor_calls),
        ]
        rounds = []
        for number in range(self.floor_rounds_of(initial)):
            runs = {}
            for index in ((number + position) % len(steps) for position in range(len(steps))):
                runs[index] = steps[index]()
            rounds.append(FloorRound(startup=runs[0].wall, module=runs[1].wall, floor=runs[2].wall))
        self.floor_rounds[count] = rounds
        self.cases += [initial, floor_case]

    def naive(self) -> None:
        count = self.args.naive_users
        print(f"Naive loop vs the module, {count} users", flush=True)
        emulator = self.emulator("naive")
        users = generate_users.users_with_changes(count)
        variables = self.work / f"naive-users-{count}.json"
        variables.write_text(json.dumps({"naive_users": [
            {"name": user.login, "password": user.password, "full_name": user.full_name, "description": user.description,
             "addresses": user.addresses[1:]} for user in users
        ]}), encoding="utf-8")
        path = self.csv_file(count, groups=False)
        try:
            inventory = self.inventory("naive", emulator, [{"domain": DOMAIN, "sources": [{"type": "csv", "path": str(path)}]}])
            naive_calls = {"Session.login": 1, "Domains.get": 1, "Users.create": count, "Session.logout": 1}
            self.measure(Case(f"naive loop {count}", "naive", count), emulator,
                         lambda: self.playbook(NAIVE_PLAYBOOK, inventory, "-e", f"@{variables}"),
                         prepare=lambda _i: emulator.reset(), expected=lambda _i: naive_calls)
            declared = {name: user._replace(groups=()) for name, user in declared_users(users).items()}
            self.measure(Case(f"module {count} (naive's users)", "naive", count), emulator, lambda: self.playbook(IMPORT_USERS, inventory),
                         prepare=lambda _i: emulator.reset(),
                         expected=lambda _i: expected_calls(declared, {}, batch_size=BATCH_SIZE))
        finally:
            emulator.stop()

    def directory(self) -> None:
        print("Directory (generic OpenLDAP, 10,000 people)", flush=True)
        sys.path.insert(0, str(DIRECTORY_TESTS))
        import servers  # pylint: disable=import-outside-toplevel,import-error
        hint = servers.install_hint("openldap")
        if hint:
            print(f"  skipped: {hint}", flush=True)
            return
        slapd = servers.OpenLdap(self.work / "openldap")
        server = slapd.start()
        emulator = self.emulator("directory")
        try:
            source = {
                "type": "ldap", "server": ["localhost"], "port": server.ldaps_port, "ca_cert": server.ca_cert,
                "search_base": server.facts.people_base_dn, "bind_user": server.reader_bind, "bind_password": server.reader_password,
                "attribute_map": {"disabled": "employeeType"},
            }
            inventory = self.inventory("directory", emulator, [{"domain": DOMAIN, "sources": [source]}])
            count = server.facts.people_count
            # Only the addresses (looked up before writing) and the groups decide how many calls an initial import
            # makes; the directory tests check the fields.
            declared = {person.login: Declared("", "", person.expected_addresses(), tuple(person.groups)) for person in server.facts.people}
            groups = sorted({group for person in server.facts.people for group in person.groups})
            self.measure(Case(f"directory initial {count}", "directory", count), emulator, lambda: self.playbook(IMPORT_USERS, inventory),
                         prepare=lambda _i: emulator.reset(),
                         expected=lambda _i: expected_calls(declared, {}, batch_size=BATCH_SIZE))
            self.measure(Case(f"directory re-run {count}", "directory", count), emulator, lambda: self.playbook(IMPORT_USERS, inventory),
                         expected=lambda _i: expected_calls(declared, declared, batch_size=BATCH_SIZE,
                                                            existing_groups=groups))
        finally:
            emulator.stop()
            slapd.stop()

    # -- the report ----------------------------------------------------------------------------
    def case(self, name: str) -> Case | None:
        return next((case for case in self.cases if case.name == name), None)

    def comparisons(self) -> dict:
        startup = self.case(STARTUP_CASE)
        result: dict[str, t.Any] = {}
        if startup is None:
            return result
        start = startup.median()
        result["startup_seconds"] = round(start, 3)
        naive = next((case for case in self.cases if case.name.startswith("naive loop")), None)
        module = next((case for case in self.cases if case.name.startswith("module ") and case.group == "naive"), None)
        if naive and module:
            naive_per_user = (naive.median() - start) / naive.users
            module_per_user = (module.median() - start) / module.users
            result["naive"] = {
                "users": naive.users, "naive_per_user_ms": round(naive_per_user * 1000, 2), "module_per_user_ms": round(module_per_user * 1000, 2),
                "ratio_per_user": round(naive_per_user / module_per_user, 1), "ratio_whole_run": round(naive.median() / module.median(), 1),
                "target": NAIVE_TARGET, "met": naive_per_user / module_per_user >= NAIVE_TARGET,
            }
        floors = {}
        for users, rounds in self.floor_rounds.items():
            if users <= 1:
                continue
            floor = self.case(f"floor {users}")
            net = statistics.median(one.module - one.startup for one in rounds)
            ratios = [one.ratio for one in rounds]
            floors[str(users)] = {
                "rounds": len(rounds), "module_minus_startup_s": round(net, 3), "floor_script_s": round(floor.median(), 3),
                "floor_calls_only_s": round(floor.median("inner"), 3), "ratio": round(statistics.median(ratios), 2),
                "ratio_min": round(min(ratios), 2), "ratio_max": round(max(ratios), 2), "ratio_to_calls_only": round(net / floor.median("inner"), 2),
                "target": FLOOR_TARGET, "met": statistics.median(ratios) <= FLOOR_TARGET,
            }
        one_user = self.floor_rounds.get(1)
        if one_user:  # what a run costs whatever the number of users, taken within each round as the ratio is
            result["module_fixed_cost_s"] = round(statistics.median(one.module - one.startup for one in one_user), 3)
            result["floor_fixed_cost_s"] = round(statistics.median(one.floor for one in one_user), 3)
        result["floor"] = floors
        result["phases"] = {case.name: case.phase_medians() for case in self.phase_cases()}
        return result

    def phase_cases(self) -> list[Case]:
        """The empty playbook and the initial imports without latency: where a run's fixed cost goes."""
        return [case for case in self.cases if case.name == STARTUP_CASE or case.group == "csv" and case.name == f"csv initial {case.users}"]

    def targets(self) -> list[dict]:
        checked = []
        for name, figure, limit, unit in TARGETS:
            case = self.case(name)
            if case is None:
                continue
            if figure == "wall":
                value = case.median()
            elif figure == "rss":
                value = case.median("rss_tree_mib") * MIB / 1e6  # the limit is in MB
            else:
                value = max(run.writes for run in case.runs)
            checked.append({"case": name, "figure": figure, "value": round(value, 3), "limit": limit, "unit": unit, "met": value <= limit})
        for case in self.cases:
            checked.append({"case": case.name, "figure": "calls as the formula says", "value": len(case.problems), "limit": 0, "unit": "problems",
                            "met": not case.problems})
        return checked

    def report(self) -> dict:
        lines = ["", "| case | users | runs | wall s: median [min-max] | users/s | peak RSS MiB: median [min-max] | calls | writes |",
                 "| --- | ---: | ---: | --- | ---: | --- | ---: | ---: |"]
        for case in self.cases:
            wall, rss = case.figure("wall"), case.figure("rss_tree_mib")
            rate = f"{case.users / case.median():,.0f}" if case.users else "-"
            calls = case.runs[-1].calls
            lines.append(f"| {case.name} | {case.users:,} | {len(case.runs)} | {statistics.median(wall):.2f} [{min(wall):.2f}-{max(wall):.2f}] | "
                         f"{rate} | {statistics.median(rss):.0f} [{min(rss):.0f}-{max(rss):.0f}] | {sum(calls.values())} | {case.runs[-1].writes} |")
        methods = sorted({method for case in self.cases for method in case.runs[-1].calls})
        lines += ["", "API calls per method (last run of each case; every run is checked against api_calls.py):", "",
                  "| case | " + " | ".join(methods) + " |", "| --- |" + " ---: |" * len(methods)]
        for case in self.cases:
            if case.runs[-1].calls:
                lines.append(f"| {case.name} | " + " | ".join(str(case.runs[-1].calls.get(method, "")) for method in methods) + " |")
        comparisons = self.comparisons()
        medians_by_case = comparisons.get("phases")
        if medians_by_case:
            # Each run lists its phases in the order they happen; the runs with the most phases (the
            # imports, with their tasks) give that order to all.
            phases = list(dict.fromkeys(name for medians in sorted(medians_by_case.values(), key=len, reverse=True) for name in medians))
            lines += ["", "Where the time goes (median s per phase; see phase_times()):", "",
                      "| phase | " + " | ".join(medians_by_case) + " |", "| --- |" + " ---: |" * len(medians_by_case)]
            for phase in phases:
                cells = (f"{medians[phase]:.3f}" if phase in medians else "-" for medians in medians_by_case.values())
                lines.append(f"| {phase} | " + " | ".join(cells) + " |")
        lines += ["", f"Ansible's start-up (empty playbook): {comparisons.get('startup_seconds', '?')} s"]
        naive = comparisons.get("naive")
        if naive:
            lines.append(f"Naive loop, {naive['users']} users: {naive['naive_per_user_ms']} ms per user; the module: {naive['module_per_user_ms']} ms "
                         f"per user (start-up taken out of both): {naive['ratio_per_user']}x faster per user ({naive['ratio_whole_run']}x "
                         f"for the whole run); target >= {NAIVE_TARGET}x: {'met' if naive['met'] else 'MISSED'}")
        if "module_fixed_cost_s" in comparisons:
            lines.append(f"The module's fixed cost (one user, start-up taken out): {comparisons['module_fixed_cost_s']} s; "
                         f"the floor script with one user: {comparisons['floor_fixed_cost_s']} s")
        for users, floor in comparisons.get("floor", {}).items():
            lines.append(f"Floor, {int(users):,} users: module minus start-up {floor['module_minus_startup_s']} s, floor script "
                         f"{floor['floor_script_s']} s (its write calls alone {floor['floor_calls_only_s']} s): {floor['ratio']}x "
                         f"[{floor['ratio_min']}-{floor['ratio_max']}] over {floor['rounds']} rounds ({floor['ratio_to_calls_only']}x the "
                         f"calls alone); target <= {FLOOR_TARGET}x: {'met' if floor['met'] else 'MISSED'}")
        lines += ["", "Targets:"]
        targets = self.targets()
        for target in targets:
            if target["figure"] == "calls as the formula says" and target["met"]:
                continue
            lines.append(f"- {target['case']}, {target['figure']}: {target['value']} {target['unit']} (limit {target['limit']}): "
                         f"{'met' if target['met'] else 'MISSED'}")
        for case in self.cases:
            lines.extend(f"- {case.name}: {problem}" for problem in case.problems)
        if all(not case.problems for case in self.cases):
            lines.append("- API calls of every run: as the formula says")
        print("\n".join(lines), flush=True)
        return {"comparisons": comparisons, "targets": targets}


def machine() -> dict[str, t.Any]:
    def first(path: str, prefix: str) -> str:
        try:
            with open(path, encoding="utf-8") as info:
                return next((line.split(":", 1)[1].strip() for line in info if line.startswith(prefix)), "?")
        except OSError:
            return "?"
    ansible_version = subprocess.run([str(ANSIBLE_PLAYBOOK), "--version"], capture_output=True, text=True, check=False).stdout.split("\n", 1)[0]
    return {
        "cpus": os.cpu_count(), "cpu_model": first("/proc/cpuinfo", "model name"), "memory": first("/proc/meminfo", "MemTotal"),
        "python": platform.python_version(), "ansible": ansible_version, "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0], epilog="BENCH_QUICK=1 in the environment is --quick.")
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK", "") not in ("", "0"),
                        help="one run of each case, 1,000 and 10,000 users only, the naive loop with 50 users, no directory")
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (default: %(default)s)")
    parser.add_argument("--repeat-large", type=int, default=3, help="runs per 100,000-user case (default: %(default)s)")
    parser.add_argument("--repeat-naive", type=int, default=3, help="runs of the naive loop (default: %(default)s)")
    parser.add_argument("--floor-rounds", type=int, default=11,
                        help="rounds of the start-up, the initial import and the floor script below 100,000 users, "
                             "never fewer than --repeat (default: %(default)s)")
    parser.add_argument("--sizes", default="1000,10000,100000", help="CSV sizes (default: %(default)s)")
    parser.add_argument("--naive-users", type=int, default=200, help="users of the naive loop comparison (default: %(default)s)")
    parser.add_argument("--cases", default="startup,csv,latency,floor,directory,naive",
                        help="which groups of cases to run (default: %(default)s; floor runs with csv)")
    parser.add_argument("--collections", default=str(REPO / "build" / "collections"),
                        help="ANSIBLE_COLLECTIONS_PATH of the measured runs, e.g. another checkout to compare with (default: %(default)s)")
    parser.add_argument("--work-dir", default=str(REPO / "build" / "bench"), help="data, logs, emulator files (default: %(default)s)")
    parser.add_argument("--output", default=None, help="JSON results (default: WORK_DIR/results.json)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = args.repeat_large = args.repeat_naive = args.floor_rounds = 1
        args.sizes = ",".join(size for size in args.sizes.split(",") if int(size) <= 10000)
        args.naive_users = min(args.naive_users, 50)
        args.cases = ",".join(case for case in args.cases.split(",") if case != "directory")
    args.output = args.output or str(pathlib.Path(args.work_dir) / "results.json")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    bench = Bench(args)
    groups = bench.groups
    info = machine()
    print(f"Machine: {info['cpus']} CPUs ({info['cpu_model']}), {info['memory']}, Python {info['python']}, {info['ansible']}", flush=True)
    started = time.perf_counter()
    if "startup" in groups:
        bench.startup()
        if "csv" in groups:  # what one run of the module costs, whatever the number of users
            bench.csv_cases(1, initial_only=True)
    for size in (int(size) for size in args.sizes.split(",") if size):
        if "csv" in groups:
            bench.csv_cases(size)
        if "latency" in groups and size == 10000:
            bench.csv_cases(size, latency_ms=LATENCY_MS)
    if "directory" in groups:
        bench.directory()
    if "naive" in groups:
        bench.naive()
    summary = bench.report()
    elapsed = time.perf_counter() - started
    print(f"\nThe benchmark took {elapsed / 60:.1f} min; results in {args.output}", flush=True)
    document = {"machine": info, "settings": dict(vars(args)), "elapsed_seconds": round(elapsed, 1),
                "cases": [case.as_json() for case in bench.cases],
                "floor_rounds": {str(users): [one._asdict() for one in rounds] for users, rounds in bench.floor_rounds.items()}, **summary}
    pathlib.Path(args.output).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if any(case.problems for case in bench.cases) else 0


if __name__ == "__main__":
    sys.exit(main())
