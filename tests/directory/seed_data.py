# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Deterministic test data for the three directory servers, and the facts tests assert against.

Every directory is generated from a seeded ``random.Random``, so the same code always yields the
same people, groups and addresses: tests read the expected numbers from the ``DirectoryFacts``
returned here instead of hard-coding them.

The target Kerio domain is ``example.com`` with the alias ``example.org``; ``other.test`` stands
for addresses outside both. The same six named sample people exist in every directory
(``SAMPLE_LOGINS``), with a password so they can bind.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import random
import typing as t
import unicodedata

TARGET_DOMAIN = "example.com"
ALIAS_DOMAIN = "example.org"
FOREIGN_DOMAIN = "other.test"

# Passwords of the test directories. They guard nothing: the servers listen on loopback only.
ADMIN_PASSWORD = "Admin-Pass-2026!"
READER_PASSWORD = "Reader-Pass-2026!"
SAMPLE_PASSWORD = "Sample-Pass-2026!"

# How the generic OpenLDAP directory marks a disabled person (it has no account-status attribute
# of its own without the ppolicy overlay): inetOrgPerson's ``employeeType`` holds ``disabled``.
GENERIC_DISABLED_ATTRIBUTE = "employeeType"
GENERIC_DISABLED_VALUE = "disabled"

# Active Directory userAccountControl values used by the seed.
UAC_ACCOUNTDISABLE = 0x0002
UAC_PASSWD_NOTREQD = 0x0020
UAC_NORMAL_ACCOUNT = 0x0200
UAC_WORKSTATION_TRUST_ACCOUNT = 0x1000
UAC_DONT_EXPIRE_PASSWORD = 0x10000

GIVEN_NAMES = (
    "Anna", "Jan", "Petr", "Jiří", "Zoë", "Lukáš", "Tomáš", "Eva", "Lena", "Jürgen", "Björn", "Sören",
    "Åsa", "Øystein", "Chloé", "François", "Noémie", "Łukasz", "Małgorzata", "Paweł", "Ágnes", "Dávid",
    "Iñigo", "Martin", "Sarah", "Michael", "Laura", "David", "Julia", "Thomas", "Maria", "Peter", "Emma",
    "Oliver", "Sophie", "Daniel", "Hannah", "Felix", "Klára", "Ondřej", "Tereza", "Matěj", "Zuzana",
    "Radek", "Kateřina", "Stefan", "Ursula", "Wolfgang", "Gisela", "Rüdiger", "Ines", "Luca", "Giulia",
    "Marco", "Chiara", "Nils", "Ingrid", "Sven", "Astrid", "Mikael",
)
SURNAMES = (
    "Novák", "Svoboda", "Dvořák", "Černý", "Procházka", "Kučera", "Veselý", "Horák", "Němec", "Pokorný",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Ångström", "Øverby", "Lindqvist", "Sjöberg", "Dubois", "Lefèvre", "Moreau", "Girard", "Kowalski",
    "Wiśniewski", "Wójcik", "Żółkiewski", "Nagy", "Tóth", "Szabó", "Smith", "Johnson", "Brown", "Taylor",
    "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Rossi", "Russo", "Ferrari", "Esposito",
    "Bianchi", "García", "Martínez", "López", "Núñez", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen",
    "Nováček",
)
TITLES = ("Engineer", "Senior Engineer", "Analyst", "Consultant", "Specialist", "Team Lead", "Coordinator", "Účetní", "Entwicklerin")

# Letters that NFKD does not decompose into an ASCII base letter.
_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE", "đ": "d", "Đ": "D", "œ": "oe"})


def ascii_fold(text: str) -> str:
    """``Jiří Nováček`` -> ``Jiri Novacek``: what a login or an address is built from."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).encode("ascii", "ignore").decode("ascii")


def login_for(given: str, surname: str, max_length: int = 20) -> str:
    """A Kerio-valid login (ASCII letters, digits, dots) of at most ``max_length`` characters."""
    base = f"{ascii_fold(given)}.{ascii_fold(surname)}".lower().replace(" ", "").replace("'", "")
    return base[:max_length].rstrip(".")


@dataclasses.dataclass(frozen=True)
class Person:  # pylint: disable=too-many-instance-attributes
    """One person as the directory holds it (the values a source should read)."""

    login: str
    dn: str
    given_name: str
    surname: str
    full_name: str
    container: str
    description: str | None = None
    mail: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    disabled: bool = False
    password: str | None = dataclasses.field(default=None, repr=False)
    title: str | None = None
    employee_number: str | None = None
    proxy_addresses: tuple[str, ...] = ()
    guid: bytes | None = None

    @property
    def enabled(self) -> bool:
        """Not disabled."""
        return not self.disabled

    @property
    def primary_mail(self) -> str | None:
        """The primary address (the first), or ``None`` for a person without mail."""
        return self.mail[0] if self.mail else None

    def expected_addresses(self, domains: t.Iterable[str] = (TARGET_DOMAIN, ALIAS_DOMAIN)) -> tuple[str, ...]:
        """The addresses an import gives the person, in the directory's order.

        Local parts of the addresses in ``domains`` (the Kerio domain and its alias), the login left
        out, the first spelling kept when two differ only in case.
        """
        wanted = {domain.casefold() for domain in domains}
        found: dict[str, str] = {}
        for address in self.mail:
            local, _at, domain = address.rpartition("@")
            if domain.casefold() in wanted and local.casefold() != self.login.casefold():
                found.setdefault(local.casefold(), local)
        return tuple(found.values())


@dataclasses.dataclass(frozen=True)
class Group:  # pylint: disable=too-many-instance-attributes
    """One group: ``members`` are the logins of its people, ``member_dns`` every direct member."""

    name: str
    dn: str
    members: tuple[str, ...]
    member_dns: tuple[str, ...]
    description: str | None = None
    mail: str | None = None
    nested_groups: tuple[str, ...] = ()
    other_members: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        """How many people are direct members."""
        return len(self.members)


@dataclasses.dataclass(frozen=True)
class NonPerson:
    """An entry under the people base that a person filter must leave out (role, device, contact...)."""

    dn: str
    kind: str
    object_classes: tuple[str, ...]
    attributes: t.Mapping[str, t.Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class DirectoryFacts:  # pylint: disable=too-many-instance-attributes
    """What a directory holds, for tests to assert against.

    ``people`` are the entries below ``people_base_dn`` that ``person_filter`` selects, no more and
    no fewer; ``other_accounts`` are person entries elsewhere under ``base_dn`` (Samba's built-in
    accounts, service accounts) that a search from ``base_dn`` finds as well.
    """

    kind: str
    base_dn: str
    people_base_dn: str
    groups_base_dn: str
    login_attribute: str
    person_filter: str
    group_filter: str
    disabled_filter: str
    people: tuple[Person, ...]
    groups: tuple[Group, ...]
    non_people: tuple[NonPerson, ...]
    containers: tuple[str, ...]
    other_accounts: tuple[str, ...] = ()
    size_limit: int | None = None
    truncation_limit: int | None = None
    target_domain: str = TARGET_DOMAIN
    alias_domain: str = ALIAS_DOMAIN
    foreign_domain: str = FOREIGN_DOMAIN

    @functools.cached_property
    def _by_login(self) -> dict[str, Person]:
        return {person.login.casefold(): person for person in self.people}

    @functools.cached_property
    def _by_group(self) -> dict[str, Group]:
        return {group.name.casefold(): group for group in self.groups}

    def person(self, login: str) -> Person:
        """The person with this login (case-insensitive); KeyError if none."""
        return self._by_login[login.casefold()]

    def group(self, name: str) -> Group:
        """The group with this name (case-insensitive); KeyError if none."""
        return self._by_group[name.casefold()]

    @property
    def logins(self) -> frozenset[str]:
        """Every person's login."""
        return frozenset(person.login for person in self.people)

    @property
    def people_count(self) -> int:
        """How many people ``person_filter`` finds under ``people_base_dn``."""
        return len(self.people)

    @property
    def disabled_count(self) -> int:
        """How many of them are disabled (``disabled_filter``)."""
        return sum(1 for person in self.people if person.disabled)

    @property
    def enabled_count(self) -> int:
        """How many of them are enabled."""
        return self.people_count - self.disabled_count

    @property
    def people_without_mail(self) -> tuple[Person, ...]:
        """People with no address at all."""
        return tuple(person for person in self.people if not person.mail)

    def people_in(self, container: str) -> tuple[Person, ...]:
        """People whose container (``Engineering``, ``Zürich``...) is ``container``."""
        return tuple(person for person in self.people if person.container == container)

    def primary_domain_counts(self) -> dict[str, int]:
        """How many people have their primary address in each domain."""
        return dict(collections.Counter(person.primary_mail.rsplit("@", 1)[1] for person in self.people if person.primary_mail))

    def people_with_address_in(self, domain: str) -> tuple[Person, ...]:
        """People with at least one address (primary or alias) in ``domain``."""
        return tuple(person for person in self.people if any(address.endswith("@" + domain) for address in person.mail))


SAMPLE_LOGINS = ("zoe.angstrom", "jiri.novacek", "hans.mueller", "chloe.dubois", "bjorn.overby", "lukasz.zolkiewski")


@dataclasses.dataclass(frozen=True)
class _SampleSpec:  # pylint: disable=too-many-instance-attributes
    login: str
    given: str
    surname: str
    full_name: str
    description: str | None
    mail: tuple[str, ...]
    disabled: bool
    title: str
    all_groups: bool = False


SAMPLES = (
    _SampleSpec("zoe.angstrom", "Zoë", "Ångström", "Zoë Ångström", "Chief Financial Officer",
                ("zoe.angstrom@example.com", "zoe@example.com", "zoe.angstrom@example.org"), False, "CFO"),
    _SampleSpec("jiri.novacek", "Jiří", "Nováček", "Jiří Nováček", "Vývoj a testování",
                ("jiri.novacek@example.com", "jiri.novacek@other.test"), False, "Vývojář"),
    # The comma in the full name makes an escaped RDN where the full name is the RDN (AD).
    _SampleSpec("hans.mueller", "Hans", "Müller", "Hans Müller, Jr.", "Left the company",
                ("hans.mueller@example.org",), True, "Berater"),
    _SampleSpec("chloe.dubois", "Chloé", "Dubois", "Chloé Dubois", None,
                ("chloe.dubois@other.test", "chloe.dubois@example.com"), False, "Consultante"),
    _SampleSpec("bjorn.overby", "Bjørn", "Øverby", "Bjørn Øverby", "No mailbox", (), False, "Technician"),
    _SampleSpec("lukasz.zolkiewski", "Łukasz", "Żółkiewski", "Łukasz Żółkiewski", "In many groups",
                ("lukasz.zolkiewski@example.com", "lz@example.com", "lukasz@example.org"), False, "Koordynator", all_groups=True),
)


@dataclasses.dataclass
class _Draft:  # pylint: disable=too-many-instance-attributes
    """A person while the generator assigns groups."""

    login: str
    given: str
    surname: str
    full_name: str
    container: str
    description: str | None
    mail: tuple[str, ...]
    disabled: bool
    title: str | None
    employee_number: str
    password: str | None = None
    groups: list[str] = dataclasses.field(default_factory=list)
    proxy_extra: tuple[str, ...] = ()
    guid: bytes | None = None
    sample: bool = False


class _Generator:
    """Draws people from a seeded random generator; logins and addresses are unique."""

    def __init__(self, seed: str, max_login: int = 20):
        self.rng = random.Random(seed)
        self.max_login = max_login
        self.logins: set[str] = set(SAMPLE_LOGINS)
        self.addresses: set[str] = {address for spec in SAMPLES for address in spec.mail}
        self.serial = 100000

    def unique_login(self, given: str, surname: str) -> str:
        """``given.surname``, numbered from 2 when taken."""
        base = login_for(given, surname, self.max_login)
        login, number = base, 1
        while login in self.logins:
            number += 1
            suffix = str(number)
            login = base[: self.max_login - len(suffix)].rstrip(".") + suffix
        self.logins.add(login)
        return login

    def unique_address(self, local: str, domain: str) -> str | None:
        """The address if nobody has it yet (and reserve it), else ``None``."""
        address = f"{local}@{domain}"
        if address in self.addresses:
            return None
        self.addresses.add(address)
        return address

    def mail_for(self, login: str, given: str, surname: str) -> tuple[str, ...]:
        """About 1% without mail; primary mostly @example.com, some @example.org or @other.test; some aliases."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.01:
            return ()
        domain = TARGET_DOMAIN if roll < 0.91 else ALIAS_DOMAIN if roll < 0.96 else FOREIGN_DOMAIN
        addresses = [self.unique_address(login, domain) or f"{login}@{domain}"]
        if rng.random() < 0.25:
            short = f"{ascii_fold(given)[:1]}{ascii_fold(surname)}".lower().replace(" ", "")
            alias = self.unique_address(short, TARGET_DOMAIN)
            if alias:
                addresses.append(alias)
        if domain != ALIAS_DOMAIN and rng.random() < 0.10:
            addresses.append(f"{login}@{ALIAS_DOMAIN}")
        if domain != FOREIGN_DOMAIN and rng.random() < 0.03:
            addresses.append(f"{login}@{FOREIGN_DOMAIN}")
        return tuple(addresses)

    def person(self, container: str) -> _Draft:
        """One random person in ``container`` (4% of them disabled)."""
        rng = self.rng
        given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
        login = self.unique_login(given, surname)
        title = rng.choice(TITLES)
        self.serial += 1
        return _Draft(
            login=login,
            given=given,
            surname=surname,
            full_name=f"{given} {surname}",
            container=container,
            description=f"{title}, {container}" if rng.random() < 0.6 else None,
            mail=self.mail_for(login, given, surname),
            disabled=rng.random() < 0.04,
            title=title,
            employee_number=str(self.serial),
        )

    def samples(self, containers: t.Sequence[str]) -> list[_Draft]:
        """The named samples, spread over ``containers`` in turn."""
        drafts = []
        for index, spec in enumerate(SAMPLES):
            self.serial += 1
            drafts.append(_Draft(
                login=spec.login, given=spec.given, surname=spec.surname, full_name=spec.full_name,
                container=containers[index % len(containers)], description=spec.description, mail=spec.mail,
                disabled=spec.disabled, title=spec.title, employee_number=str(self.serial),
                password=SAMPLE_PASSWORD, sample=True,
            ))
        return drafts

    def people(self, sizes: t.Mapping[str, int], sample_containers: t.Sequence[str]) -> list[_Draft]:
        """``sizes`` people per container, the samples included (they go to ``sample_containers``)."""
        samples = self.samples(sample_containers)
        drafts = list(samples)
        for container, size in sizes.items():
            already = sum(1 for draft in samples if draft.container == container)
            drafts.extend(self.person(container) for _index in range(size - already))
        return drafts


@dataclasses.dataclass(frozen=True)
class _GroupSpec:
    name: str
    description: str | None
    mail: str | None = None


def _assign_groups(rng: random.Random, drafts: list[_Draft], everyone: str, by_container: t.Mapping[str, str],
                   random_groups: t.Mapping[str, tuple[int, int]]) -> None:
    """Everyone in ``everyone`` and their container's group, plus randomly sized random groups."""
    for draft in drafts:
        draft.groups.append(everyone)
        if draft.container in by_container:
            draft.groups.append(by_container[draft.container])
    ordinary = [draft for draft in drafts if not draft.sample]
    for name, (low, high) in random_groups.items():
        for draft in rng.sample(ordinary, rng.randint(low, high)):
            draft.groups.append(name)
    every_group = [everyone, *by_container.values(), *random_groups]
    for draft in drafts:
        if draft.sample:
            spec = next(spec for spec in SAMPLES if spec.login == draft.login)
            wanted = every_group if spec.all_groups else [*random_groups][: 1 + SAMPLE_LOGINS.index(draft.login) % 3]
            draft.groups.extend(name for name in wanted if name not in draft.groups)


# pylint: disable-next=too-many-arguments,too-many-positional-arguments
def _build_groups(specs: t.Sequence[_GroupSpec], drafts: list[_Draft], dn_of_person: t.Callable[[_Draft], str],
                  dn_of_group: t.Callable[[str], str], nested: t.Mapping[str, tuple[str, ...]] | None = None,
                  other_members: t.Mapping[str, tuple[str, ...]] | None = None) -> tuple[Group, ...]:
    nested = nested or {}
    other_members = other_members or {}
    members: dict[str, list[_Draft]] = {spec.name: [] for spec in specs}
    for draft in drafts:
        for name in draft.groups:
            members[name].append(draft)
    groups = []
    for spec in specs:
        people = members[spec.name]
        member_dns = [dn_of_person(draft) for draft in people]
        member_dns.extend(dn_of_group(name) for name in nested.get(spec.name, ()))
        member_dns.extend(other_members.get(spec.name, ()))
        groups.append(Group(
            name=spec.name,
            dn=dn_of_group(spec.name),
            members=tuple(sorted(draft.login for draft in people)),
            member_dns=tuple(member_dns),
            description=spec.description,
            mail=spec.mail,
            nested_groups=tuple(nested.get(spec.name, ())),
            other_members=tuple(other_members.get(spec.name, ())),
        ))
    return tuple(groups)


def _person(draft: _Draft, dn: str, proxy: tuple[str, ...] = ()) -> Person:
    return Person(
        login=draft.login, dn=dn, given_name=draft.given, surname=draft.surname, full_name=draft.full_name,
        container=draft.container, description=draft.description, mail=draft.mail,
        groups=tuple(sorted(draft.groups)), disabled=draft.disabled, password=draft.password, title=draft.title,
        employee_number=draft.employee_number, proxy_addresses=proxy, guid=draft.guid,
    )


# ---------------------------------------------------------------------------------------------
# Generic OpenLDAP: dc=example,dc=test
# ---------------------------------------------------------------------------------------------

GENERIC_BASE_DN = "dc=example,dc=test"
GENERIC_CONTAINERS = {"Engineering": 6000, "Sales": 2500, "Support": 1476, "Management": 24}
GENERIC_SMALL_CONTAINER = "Management"


def generic_reader_dn(base_dn: str = GENERIC_BASE_DN) -> str:
    """The read-only bind DN of the generic directory."""
    return f"cn=reader,ou=Services,{base_dn}"


def generic_limited_reader_dn(base_dn: str = GENERIC_BASE_DN) -> str:
    """The bind DN whose searches slapd cuts at ``truncation_limit`` entries, paged or not."""
    return f"cn=limited-reader,ou=Services,{base_dn}"


@functools.lru_cache(maxsize=None)
# pylint: disable-next=too-many-locals
def generic_directory(people: int = 10000, size_limit: int = 500, truncation_limit: int = 1000) -> tuple[DirectoryFacts, tuple[dict, ...]]:
    """The generic directory: facts and the LDIF entries (dicts, ``dn`` first) that slapadd loads."""
    base = GENERIC_BASE_DN
    sizes = dict(GENERIC_CONTAINERS)
    sizes["Engineering"] += people - sum(sizes.values())
    gen = _Generator("kerio.connect generic directory v1")
    drafts = gen.people(sizes, [GENERIC_SMALL_CONTAINER])
    people_base = f"ou=People,{base}"
    groups_base = f"ou=Groups,{base}"

    by_container = {name: name.lower() for name in GENERIC_CONTAINERS}
    random_groups = {"vpn-users": (2500, 3500)}
    random_groups.update({f"project-{name}": (3, 400) for name in (
        "apollo", "borealis", "cassini", "dione", "europa", "fornax", "gemini", "helios", "ixion", "juno", "kepler", "lyra")})
    _assign_groups(gen.rng, drafts, "all-staff", by_container, random_groups)
    leads = gen.rng.sample([draft for draft in drafts if not draft.sample], 5)
    for draft in leads:
        draft.groups.append("managers")
    specs = [_GroupSpec("all-staff", "Everybody"), *(_GroupSpec(g, f"Department {c}") for c, g in by_container.items()),
             _GroupSpec("vpn-users", "Remote access"), *(_GroupSpec(name, "Projekt – Entwicklung") for name in random_groups if name != "vpn-users"),
             _GroupSpec("managers", "Team leads and the management group")]

    def dn_of_person(draft: _Draft) -> str:
        return f"uid={draft.login},ou={draft.container},{people_base}"

    def dn_of_group(name: str) -> str:
        return f"cn={name},{groups_base}"

    groups = _build_groups(specs, drafts, dn_of_person, dn_of_group, nested={"managers": ("management",)})
    persons = tuple(_person(draft, dn_of_person(draft)) for draft in drafts)

    non_people = (
        NonPerson(f"cn=Reception,ou=Management,{people_base}", "role", ("organizationalRole",),
                  {"cn": "Reception", "roleOccupant": dn_of_person(drafts[0]), "description": "Empfang / recepce"}),
        NonPerson(f"cn=printer-eng-01,ou=Engineering,{people_base}", "device", ("device",),
                  {"cn": "printer-eng-01", "serialNumber": "PRN-0001", "description": "Printer, 2nd floor"}),
        NonPerson(f"uid=svc-backup,ou=Engineering,{people_base}", "service account", ("account", "simpleSecurityObject"),
                  {"uid": "svc-backup", "userPassword": "Backup-Pass-2026!", "description": "Backup service"}),
    )
    facts = DirectoryFacts(
        kind="openldap", base_dn=base, people_base_dn=people_base, groups_base_dn=groups_base, login_attribute="uid",
        person_filter="(objectClass=inetOrgPerson)", group_filter="(objectClass=groupOfNames)",
        disabled_filter=f"({GENERIC_DISABLED_ATTRIBUTE}={GENERIC_DISABLED_VALUE})",
        people=persons, groups=groups, non_people=non_people, containers=tuple(GENERIC_CONTAINERS),
        size_limit=size_limit, truncation_limit=truncation_limit,
    )
    entries: list[dict] = [
        {"dn": base, "objectClass": ["dcObject", "organization"], "dc": "example", "o": "Example Test"},
        {"dn": people_base, "objectClass": ["organizationalUnit"], "ou": "People"},
        {"dn": groups_base, "objectClass": ["organizationalUnit"], "ou": "Groups"},
        {"dn": f"ou=Services,{base}", "objectClass": ["organizationalUnit"], "ou": "Services"},
        {"dn": generic_reader_dn(base), "objectClass": ["applicationProcess", "simpleSecurityObject"], "cn": "reader",
         "userPassword": READER_PASSWORD, "description": "Read-only bind account"},
        {"dn": generic_limited_reader_dn(base), "objectClass": ["applicationProcess", "simpleSecurityObject"], "cn": "limited-reader",
         "userPassword": READER_PASSWORD, "description": f"Read-only bind account whose searches stop at {truncation_limit} entries"},
    ]
    entries.extend({"dn": f"ou={name},{people_base}", "objectClass": ["organizationalUnit"], "ou": name} for name in GENERIC_CONTAINERS)
    group_dns = {group.name: group.dn for group in groups}
    for person, draft in zip(persons, drafts):
        entry: dict[str, t.Any] = {
            "dn": person.dn, "objectClass": ["inetOrgPerson", "organizationalPerson", "person", "top"],
            "uid": person.login, "cn": person.full_name, "givenName": person.given_name, "sn": person.surname,
            "displayName": person.full_name, "employeeNumber": person.employee_number, "title": person.title,
            "ou": person.container,
        }
        if person.mail:
            entry["mail"] = list(person.mail)
        if person.description:
            entry["description"] = person.description
        if person.disabled:
            entry[GENERIC_DISABLED_ATTRIBUTE] = GENERIC_DISABLED_VALUE
        if draft.password:
            entry["userPassword"] = draft.password
        entry["memberOf"] = [group_dns[name] for name in person.groups]
        entries.append(entry)
    for group in groups:
        entry = {"dn": group.dn, "objectClass": ["groupOfNames", "top"], "cn": group.name, "member": list(group.member_dns)}
        if group.description:
            entry["description"] = group.description
        parents = [other.dn for other in groups if group.name in other.nested_groups]
        if parents:
            entry["memberOf"] = parents
        entries.append(entry)
    for item in non_people:
        entries.append({"dn": item.dn, "objectClass": list(item.object_classes), **item.attributes})
    return facts, tuple(entries)


# ---------------------------------------------------------------------------------------------
# eDirectory-shaped OpenLDAP: o=<Org>
# ---------------------------------------------------------------------------------------------

EDIRECTORY_CONTAINERS = {"Berlin": 500, "Praha": 400, "Zürich": 300}
EDIRECTORY_USER_CLASSES = ("inetOrgPerson", "organizationalPerson", "Person", "ndsLoginProperties", "Top")
EDIRECTORY_GROUP_CLASSES = ("groupOfNames", "ndsGroupProperties", "Top")


def edirectory_base_dn(org: str = "Example") -> str:
    """``o=<org>``."""
    return f"o={org}"


@functools.lru_cache(maxsize=None)
def edirectory_directory(org: str = "Example", size_limit: int = 500) -> tuple[DirectoryFacts, tuple[dict, ...]]:  # pylint: disable=too-many-locals
    """The eDirectory-shaped directory: users ``cn=<login>`` in ``ou=Berlin|Praha|Zürich,o=<org>``."""
    base = edirectory_base_dn(org)
    gen = _Generator(f"kerio.connect edirectory v1 {org}")
    drafts = gen.people(EDIRECTORY_CONTAINERS, list(EDIRECTORY_CONTAINERS))
    for draft in drafts:
        draft.guid = gen.rng.randbytes(16)
    groups_base = f"ou=Groups,{base}"
    by_container = {name: f"staff-{ascii_fold(name).lower()}" for name in EDIRECTORY_CONTAINERS}
    random_groups = {name: (20, 300) for name in ("wlan", "printing", "intranet-editors", "crm-users", "betriebsrat")}
    _assign_groups(gen.rng, drafts, "everyone", by_container, random_groups)
    specs = [_GroupSpec("everyone", "Alle Mitarbeiter / všichni zaměstnanci", f"everyone@{TARGET_DOMAIN}"),
             *(_GroupSpec(g, f"Standort {c}", f"{g}@{TARGET_DOMAIN}") for c, g in by_container.items()),
             *(_GroupSpec(name, f"Group {name}", f"{name}@{ALIAS_DOMAIN}" if name == "crm-users" else None) for name in random_groups)]

    def dn_of_person(draft: _Draft) -> str:
        return f"cn={draft.login},ou={draft.container},{base}"

    def dn_of_group(name: str) -> str:
        return f"cn={name},{groups_base}"

    groups = _build_groups(specs, drafts, dn_of_person, dn_of_group)
    persons = tuple(_person(draft, dn_of_person(draft)) for draft in drafts)
    non_people = (
        NonPerson(f"cn=Helpdesk,{base}", "role", ("organizationalRole", "Top"), {"cn": "Helpdesk", "description": "IT Helpdesk"}),
        *(NonPerson(f"cn=Printer-{ascii_fold(name)},ou={name},{base}", "device", ("device", "Top"),
                    {"cn": f"Printer-{ascii_fold(name)}", "description": f"Drucker {name}"}) for name in EDIRECTORY_CONTAINERS),
    )
    facts = DirectoryFacts(
        kind="edirectory", base_dn=base, people_base_dn=base, groups_base_dn=groups_base, login_attribute="cn",
        person_filter="(objectClass=inetOrgPerson)", group_filter="(objectClass=groupOfNames)",
        disabled_filter="(loginDisabled=TRUE)", people=persons, groups=groups, non_people=non_people,
        containers=tuple(EDIRECTORY_CONTAINERS), size_limit=size_limit,
    )
    entries: list[dict] = [
        {"dn": base, "objectClass": ["organization", "Top"], "o": org},
        {"dn": groups_base, "objectClass": ["organizationalUnit", "Top"], "ou": "Groups"},
        {"dn": f"ou=Services,{base}", "objectClass": ["organizationalUnit", "Top"], "ou": "Services"},
        {"dn": f"cn=reader,ou=Services,{base}", "objectClass": ["applicationProcess", "simpleSecurityObject", "Top"], "cn": "reader",
         "userPassword": READER_PASSWORD, "description": "Read-only bind account"},
    ]
    entries.extend({"dn": f"ou={name},{base}", "objectClass": ["organizationalUnit", "Top"], "ou": name} for name in EDIRECTORY_CONTAINERS)
    group_dns = {group.name: group.dn for group in groups}
    for person, draft in zip(persons, drafts):
        entry: dict[str, t.Any] = {
            "dn": person.dn, "objectClass": list(EDIRECTORY_USER_CLASSES), "cn": person.login, "uid": person.login,
            "fullName": person.full_name, "givenName": person.given_name, "sn": person.surname, "title": person.title,
            "loginDisabled": "TRUE" if person.disabled else "FALSE", "GUID": draft.guid,
        }
        if person.mail:
            entry["mail"] = list(person.mail)
        if person.description:
            entry["description"] = person.description
        if draft.password:
            entry["userPassword"] = draft.password
        memberships = [group_dns[name] for name in person.groups]
        entry["groupMembership"] = memberships
        entry["securityEquals"] = memberships
        entries.append(entry)
    for group in groups:
        entry = {"dn": group.dn, "objectClass": list(EDIRECTORY_GROUP_CLASSES), "cn": group.name, "member": list(group.member_dns),
                 "equivalentToMe": list(group.member_dns), "GUID": gen.rng.randbytes(16)}
        if group.mail:
            entry["mail"] = group.mail
        if group.description:
            entry["description"] = group.description
        entries.append(entry)
    for item in non_people:
        entries.append({"dn": item.dn, "objectClass": list(item.object_classes), **item.attributes})
    return facts, tuple(entries)


# ---------------------------------------------------------------------------------------------
# Active Directory (Samba): DC=example,DC=test
# ---------------------------------------------------------------------------------------------

AD_REALM = "EXAMPLE.TEST"
AD_DOMAIN = "EXAMPLE"
AD_BASE_DN = "DC=example,DC=test"
AD_CONTAINERS = {"Berlin": 450, "Praha": 400, "Zürich": 250}
AD_READER_LOGIN = "svc-ldap-reader"
# Made by the provision (dns-<host> even with --dns-backend=NONE); person entries under CN=Users.
AD_BUILTIN_ACCOUNTS = ("Administrator", "Guest", "krbtgt", "dns-dc1")


def escape_rdn_value(value: str) -> str:
    """RFC 4514 escaping of an RDN value (the characters that occur in our names)."""
    escaped = "".join("\\" + char if char in ',+"\\<>;=' else char for char in value)
    if escaped.startswith((" ", "#")):
        escaped = "\\" + escaped
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return escaped


@dataclasses.dataclass(frozen=True)
class AdSeed:
    """What the Samba seed adds, in order; ``users`` and ``groups`` are (dn, attributes) pairs."""

    containers: tuple[str, ...]
    users: tuple[tuple[str, dict], ...]
    groups: tuple[tuple[str, dict], ...]
    others: tuple[tuple[str, dict], ...]


def _ad_proxy_addresses(rng: random.Random, draft: _Draft) -> tuple[str, ...]:
    if not draft.mail:
        return ()
    proxy = [f"SMTP:{draft.mail[0]}", *(f"smtp:{alias}" for alias in draft.mail[1:])]
    if rng.random() < 0.05 or draft.login == "zoe.angstrom":
        proxy.append(f"X500:/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn={draft.login}")
    if rng.random() < 0.03 or draft.login == "jiri.novacek":
        proxy.append(f"SIP:{draft.mail[0]}")
    return tuple(proxy)


@functools.lru_cache(maxsize=None)
def ad_directory(people: int = 1100) -> tuple[DirectoryFacts, AdSeed]:  # pylint: disable=too-many-locals,too-many-statements
    """The Samba AD directory: people in ``OU=<city>,OU=Staff``, a contact and a computer among them."""
    base = AD_BASE_DN
    staff = f"OU=Staff,{base}"
    groups_base = f"OU=Groups,{base}"
    sizes = dict(AD_CONTAINERS)
    sizes["Berlin"] += people - sum(sizes.values())
    gen = _Generator("kerio.connect active directory v1")
    drafts = gen.people(sizes, list(AD_CONTAINERS))
    by_container = {name: f"Staff {ascii_fold(name)}" for name in AD_CONTAINERS}
    random_groups = {name: (10, 600) for name in ("VPN Users", "Project Apollo", "Project Borealis", "Finance", "Helpdesk")}
    _assign_groups(gen.rng, drafts, "All Staff", by_container, random_groups)
    for draft in gen.rng.sample([draft for draft in drafts if not draft.sample], 30):
        draft.groups.append("Newsletter")
    specs = [_GroupSpec("All Staff", "Všichni zaměstnanci", f"all-staff@{TARGET_DOMAIN}"),
             *(_GroupSpec(g, f"Standort {c}") for c, g in by_container.items()),
             *(_GroupSpec(name, f"Group {name}", f"{ascii_fold(name).lower().replace(' ', '-')}@{TARGET_DOMAIN}" if name == "Finance" else None)
               for name in random_groups),
             _GroupSpec("Newsletter", "Distribution list, with an external contact", f"newsletter@{ALIAS_DOMAIN}"),
             _GroupSpec("Managers", "Nested: contains the Finance group")]
    # Full names repeat, so the RDN carries the login when needed to stay unique.
    seen_cn: set[str] = set()
    cn_of: dict[str, str] = {}
    for draft in drafts:
        cn = draft.full_name if draft.full_name.casefold() not in seen_cn else f"{draft.full_name} ({draft.login})"
        seen_cn.add(cn.casefold())
        cn_of[draft.login] = cn

    def dn_of_person(draft: _Draft) -> str:
        return f"CN={escape_rdn_value(cn_of[draft.login])},OU={draft.container},{staff}"

    def dn_of_group(name: str) -> str:
        return f"CN={name},{groups_base}"

    contact_dn = f"CN=External Consultant,{staff}"
    computer_dn = f"CN=WS-0001,{staff}"
    for draft in gen.rng.sample([draft for draft in drafts if not draft.sample], 4):
        draft.groups.append("Managers")
    groups = _build_groups(specs, drafts, dn_of_person, dn_of_group, nested={"Managers": ("Finance",)},
                           other_members={"Newsletter": (contact_dn,)})
    persons = []
    users = []
    for draft in drafts:
        proxy = _ad_proxy_addresses(gen.rng, draft)
        person = _person(draft, dn_of_person(draft), proxy=proxy)
        persons.append(person)
        uac = UAC_NORMAL_ACCOUNT | (UAC_DONT_EXPIRE_PASSWORD if draft.password else UAC_PASSWD_NOTREQD)
        if draft.disabled:
            uac |= UAC_ACCOUNTDISABLE
        attrs: dict[str, t.Any] = {
            "objectClass": ["top", "person", "organizationalPerson", "user"],
            "sAMAccountName": draft.login, "userPrincipalName": f"{draft.login}@{AD_REALM.lower()}",
            "givenName": draft.given, "sn": draft.surname, "displayName": draft.full_name, "title": draft.title,
            "employeeID": draft.employee_number, "userAccountControl": str(uac),
        }
        if draft.mail:
            attrs["mail"] = draft.mail[0]
            attrs["proxyAddresses"] = list(proxy)
        if draft.description:
            attrs["description"] = draft.description
        if draft.password:
            attrs["unicodePwd"] = f'"{draft.password}"'.encode("utf-16-le")
        users.append((person.dn, attrs))
    group_entries = []
    for group in groups:
        attrs = {"objectClass": ["top", "group"], "sAMAccountName": group.name, "member": list(group.member_dns),
                 # Newsletter is a distribution group (2), the others global security groups.
                 "groupType": str(2 if group.name == "Newsletter" else -2147483646)}
        if group.description:
            attrs["description"] = group.description
        if group.mail:
            attrs["mail"] = group.mail
        group_entries.append((group.dn, attrs))
    # Nested groups must exist before a group names them as members.
    group_entries.sort(key=lambda pair: any(g.dn == pair[0] and g.nested_groups for g in groups))
    reader_dn = f"CN=LDAP Reader,OU=Service Accounts,{base}"
    non_people = (
        NonPerson(contact_dn, "contact", ("top", "person", "organizationalPerson", "contact"),
                  {"displayName": "External Consultant", "givenName": "Extern", "sn": "Consultant",
                   "mail": f"consultant@{FOREIGN_DOMAIN}", "proxyAddresses": [f"SMTP:consultant@{FOREIGN_DOMAIN}"],
                   "description": "A contact: never imported"}),
        NonPerson(computer_dn, "computer", ("top", "person", "organizationalPerson", "user", "computer"),
                  {"sAMAccountName": "WS-0001$", "userAccountControl": str(UAC_WORKSTATION_TRUST_ACCOUNT),
                   "dNSHostName": "ws-0001.example.test", "description": "A workstation: never imported"}),
    )
    others = (
        (reader_dn, {"objectClass": ["top", "person", "organizationalPerson", "user"], "sAMAccountName": AD_READER_LOGIN,
                     "userPrincipalName": f"{AD_READER_LOGIN}@{AD_REALM.lower()}", "displayName": "LDAP Reader",
                     "description": "Read-only bind account", "userAccountControl": str(UAC_NORMAL_ACCOUNT | UAC_DONT_EXPIRE_PASSWORD),
                     "unicodePwd": f'"{READER_PASSWORD}"'.encode("utf-16-le")}),
        *((item.dn, {"objectClass": list(item.object_classes), **item.attributes}) for item in non_people),
    )
    containers = (staff, *(f"OU={name},{staff}" for name in AD_CONTAINERS), groups_base, f"OU=Service Accounts,{base}")
    facts = DirectoryFacts(
        kind="ad", base_dn=base, people_base_dn=staff, groups_base_dn=groups_base, login_attribute="sAMAccountName",
        person_filter="(&(objectCategory=person)(objectClass=user))", group_filter="(objectClass=group)",
        disabled_filter="(userAccountControl:1.2.840.113556.1.4.803:=2)", people=tuple(persons), groups=groups,
        non_people=non_people, containers=tuple(AD_CONTAINERS), other_accounts=(*AD_BUILTIN_ACCOUNTS, AD_READER_LOGIN),
    )
    return facts, AdSeed(containers=containers, users=tuple(users), groups=tuple(group_entries), others=others)
