# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Deterministic CSV files of many users for the benchmark, in Kerio's ``;`` scheme.

    python tests/benchmarks/generate_users.py 10000 users-10000.csv [--changed-slices K]

Every user has a realistic full name (a third of them non-ASCII), a password, a department as
description, 1 to 3 addresses (the login name is always one of them) and 1 to 3 of 20 groups.
The same count always gives the same file.

``changed_slices=K`` gives the same users with K disjoint 1% slices changed, cumulatively: going
from the file with K-1 slices to the one with K changes exactly 1% of the users, so the "1% changed"
case can be repeated on one server without restoring it. A changed user gets one of: a new
description (another department: users sharing it share one Users.set call), a new full name (one
call each, the API sets one pattern per call), or one more group (one Groups.addMemberList per group).
"""

from __future__ import annotations

import argparse
import dataclasses
import pathlib
import random

from ansible_collections.kerio.connect.tests.directory.seed_data import ascii_fold

HEADER = "Name;Password;FullName;Description;MailAddress;Groups"
GROUPS = tuple(f"grp-{name}" for name in (
    "all-staff", "engineering", "sales", "support", "marketing", "finance", "legal", "hr", "it", "facilities",
    "praha", "brno", "berlin", "wien", "vpn", "remote", "managers", "interns", "project-alpha", "project-beta",
))
DEPARTMENTS = ("Engineering", "Sales", "Support", "Marketing", "Finance", "Legal", "Human Resources", "IT", "Facilities", "Management")
GIVEN_NAMES = (
    "Anna", "Jan", "Petr", "Jiří", "Zoë", "Lukáš", "Tomáš", "Eva", "Lena", "Jürgen", "Björn", "Sören", "Åsa", "Øystein",
    "Chloé", "François", "Noémie", "Łukasz", "Małgorzata", "Paweł", "Ágnes", "Dávid", "Iñigo", "Martin", "Sarah", "Michael",
    "Laura", "David", "Julia", "Thomas", "Maria", "Peter", "Emma", "Oliver", "Sophie", "Daniel", "Hannah", "Felix", "Klára",
    "Ondřej", "Tereza", "Matěj", "Zuzana", "Radek", "Kateřina", "Stefan", "Ursula", "Wolfgang", "Gisela", "Rüdiger", "Ines",
    "Luca", "Giulia", "Marco", "Chiara", "Nils", "Ingrid", "Sven", "Astrid", "Mikael", "James", "Mary", "Robert", "Linda",
    "William", "Elizabeth", "Richard", "Barbara", "Joseph", "Susan", "Charles", "Jessica", "Karen", "Nancy", "Mark", "Lisa",
)
SURNAMES = (
    "Novák", "Svoboda", "Dvořák", "Černý", "Procházka", "Kučera", "Veselý", "Horák", "Němec", "Pokorný", "Müller", "Schmidt",
    "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Ångström", "Øverby", "Lindqvist",
    "Sjöberg", "Dubois", "Lefèvre", "Moreau", "Girard", "Kowalski", "Wiśniewski", "Wójcik", "Żółkiewski", "Nagy", "Tóth",
    "Szabó", "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Rossi",
    "Russo", "Ferrari", "Esposito", "Bianchi", "García", "Martínez", "López", "Núñez", "Hansen", "Johansen", "Olsen",
    "Larsen", "Andersen", "Nováček", "Marek", "Pospíšil", "Hájek", "Jelínek", "Král", "Růžička", "Beneš", "Fiala", "Sedláček",
    "Doležal", "Zeman", "Kolář", "Navrátil", "Čermák", "Vaněk", "Urban", "Blažek", "Kříž", "Kovář", "Bartoš", "Vlček",
)
PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# One slice is this share of the users (1%).
SLICE_DIVISOR = 100


@dataclasses.dataclass
class User:
    login: str
    password: str
    full_name: str
    description: str
    addresses: list[str]
    groups: list[str]

    def row(self) -> str:
        return ";".join((self.login, self.password, self.full_name, self.description, ",".join(self.addresses), ",".join(self.groups)))


def generate(count: int, seed: int = 2026) -> list[User]:
    """``count`` users; the first ``n`` users of a bigger set are not the same as a smaller set (names are numbered per set)."""
    rng = random.Random(f"{seed}:{count}")
    taken: dict[str, int] = {}
    short_taken: dict[str, int] = {}
    users = []
    for _user in range(count):
        given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
        base = f"{ascii_fold(given)}.{ascii_fold(surname)}".lower()
        number = taken.get(base, 0) + 1
        taken[base] = number
        login = base if number == 1 else f"{base}{number}"
        addresses = [login]
        extra = rng.choice((0, 0, 1, 2))  # 1-3 addresses in all, the login name being the first
        if extra >= 1:  # a short alias, numbered when a namesake has it (an address belongs to one user)
            short = f"{ascii_fold(given)[0]}{ascii_fold(surname)}".lower()
            short_taken[short] = short_taken.get(short, 0) + 1
            addresses.append(short if short_taken[short] == 1 else f"{short}{short_taken[short]}")
        if extra >= 2:
            addresses.append(f"{login.replace('.', '_')}.mail")
        groups = rng.sample(GROUPS, rng.randint(1, 3))
        password = "".join(rng.choices(PASSWORD_ALPHABET, k=10)) + "-7a"
        users.append(User(login, password, f"{given} {surname}", rng.choice(DEPARTMENTS), addresses, groups))
    return users


def change_slice(users: list[User], slice_number: int) -> int:
    """Change slice ``slice_number`` (1-based) in place: users i with i % 100 == slice_number - 1. Returns how many changed."""
    changed = 0
    for index in range(slice_number - 1, len(users), SLICE_DIVISOR):
        user = users[index]
        kind = (index // SLICE_DIVISOR) % 4
        if kind in (0, 1):  # moved to another department: few distinct patterns
            user.description = DEPARTMENTS[(DEPARTMENTS.index(user.description) + 1) % len(DEPARTMENTS)] if user.description in DEPARTMENTS \
                else DEPARTMENTS[0]
        elif kind == 2:  # renamed (marriage, typo fixed): one pattern per user
            user.full_name = f"{user.full_name}-{slice_number}"
        else:  # joined a group
            user.groups = [*user.groups, next(group for group in GROUPS if group not in user.groups)]
        changed += 1
    return changed


def write_csv(path: pathlib.Path, users: list[User], *, groups: bool = True) -> None:
    """Kerio's CSV with ';' between fields; without the Groups column when ``groups`` is false."""
    with open(path, "w", encoding="utf-8", newline="") as csv_file:
        csv_file.write((HEADER if groups else HEADER.rsplit(";", 1)[0]) + "\r\n")
        csv_file.writelines((user.row() if groups else user.row().rsplit(";", 1)[0]) + "\r\n" for user in users)


def users_with_changes(count: int, changed_slices: int = 0) -> list[User]:
    users = generate(count)
    for number in range(1, changed_slices + 1):
        change_slice(users, number)
    return users


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("count", type=int)
    parser.add_argument("path", type=pathlib.Path)
    parser.add_argument("--changed-slices", type=int, default=0, help="this many disjoint 1%% slices changed (cumulative)")
    args = parser.parse_args(argv)
    write_csv(args.path, users_with_changes(args.count, args.changed_slices))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
