# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Real directory servers on loopback for the importer's tests: OpenLDAP (generic and
eDirectory-shaped) and a Samba AD DC, each created, seeded, started and stopped in a work dir.

Every server keeps its state in files under its work dir (pid file, ports, markers), so any
process can start or stop it: ``start()`` creates and seeds what is missing and is a no-op on a
running server; ``stop()`` ends the server by the pid it wrote, after checking its command line.
``acquire()``/``release()`` share one server between pytest-xdist workers with a file lock and a
user count. See README.md beside this file.

Run by hand: ``python tests/directory/servers.py up DIR`` and ``... down DIR``.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import pathlib
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import typing as t

import ldap3
from ldap3.core.exceptions import LDAPException

if str(pathlib.Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

# pylint: disable-next=wrong-import-position
from seed_data import (  # noqa: E402  (the directory is not a package)
    AD_BASE_DN, AD_DOMAIN, AD_READER_LOGIN, AD_REALM, ADMIN_PASSWORD, READER_PASSWORD, DirectoryFacts,
    ad_directory, edirectory_directory, generic_directory, generic_limited_reader_dn, generic_reader_dn,
)

HERE = pathlib.Path(__file__).resolve().parent
EDIRECTORY_SCHEMA = HERE / "edirectory-schema.ldif"
INSTALL_SCRIPT = "tests/setup/install-directory-servers.sh"

LOOPBACK = "127.0.0.1"
# The name in every test certificate besides 127.0.0.1: ldap3 2.9.1 on Python >= 3.12 cannot
# match an IP address SAN, so clients verify against this name (``Tls(valid_names=[...])``).
TLS_NAME = "localhost"

DEFAULT_SIZE_LIMIT = "size.soft=500 size.hard=500 size.prtotal=unlimited"
# For the limited reader: paged searches are cut at 1000 entries too. Without an explicit
# size.prtotal slapd would fall back to size.hard for paged searches as well; naming it documents it.
TRUNCATING_SIZE_LIMIT = "size.soft=1000 size.hard=1000 size.prtotal=1000"

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SAMBA = "/usr/sbin/samba"
SAMBA_TOOL = "/usr/bin/samba-tool"
OPENSSL = "/usr/bin/openssl"
LDAP_MODULES = "/usr/lib/ldap"
SAMBA_PROVISION_FILES = "/usr/share/samba/setup/ad-schema"
LDAP_SCHEMAS = "/etc/ldap/schema"

REQUIRED_FILES = {
    "openldap": (SLAPD, SLAPADD, OPENSSL, f"{LDAP_MODULES}/back_mdb.so", f"{LDAP_MODULES}/memberof.so", f"{LDAP_SCHEMAS}/inetorgperson.ldif"),
    "edirectory": (SLAPD, SLAPADD, OPENSSL, f"{LDAP_MODULES}/back_mdb.so", f"{LDAP_MODULES}/memberof.so", f"{LDAP_SCHEMAS}/inetorgperson.ldif"),
    "ad": (SAMBA, SAMBA_TOOL, OPENSSL, SAMBA_PROVISION_FILES),
}


class ServerError(RuntimeError):
    """A directory server could not be created, started or seeded."""


def missing_requirements(kind: str) -> list[str]:
    """Files of the Debian packages that server ``kind`` needs and that are not installed."""
    return [path for path in REQUIRED_FILES[kind] if not os.path.exists(path)]


def install_hint(kind: str) -> str | None:
    """A message telling what to run when server ``kind`` cannot run here, else ``None``."""
    missing = missing_requirements(kind)
    if missing:
        return (f"the {kind} directory server is not installed (missing {', '.join(missing)}): "
                f"run `sudo {INSTALL_SCRIPT}` (Debian 12) and try again")
    if kind == "ad" and os.geteuid() != 0:
        return "the Samba AD DC listens on 389/636 and must run as root; run the directory tests as root"
    return None


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def free_port(host: str = LOOPBACK) -> int:
    """A TCP port free on ``host`` now (the kernel's choice; slapd binds it moments later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    """True when something accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _run(args: t.Sequence[str], log: pathlib.Path | None = None, **kwargs: t.Any) -> subprocess.CompletedProcess:
    result = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False, **kwargs)
    if log is not None:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"$ {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
        raise ServerError(f"{args[0]} exited {result.returncode}: " + "\n".join(tail))
    return result


def process_alive(pid: int) -> bool:
    """True when ``pid`` runs; a zombie (reaped late by init) counts as ended."""
    try:
        status = pathlib.Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    state = next((line.split()[1] for line in status.splitlines() if line.startswith("State:")), "")
    return state not in ("Z", "X")


def _cmdline(pid: int) -> str:
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _read_pid(pid_file: pathlib.Path) -> int | None:
    try:
        return int(pid_file.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _holds_file_under(pid: int, directory: pathlib.Path) -> bool:
    prefix = f"{directory}/"
    try:
        fds = list(pathlib.Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd).startswith(prefix):
                return True
        except OSError:
            continue
    return False


def _our_process(pid_file: pathlib.Path, executable: str, work_dir: pathlib.Path) -> int | None:
    """The pid in ``pid_file`` when that process runs ``executable`` for ``work_dir``.

    slapd keeps its command line (``-F <work_dir>/slapd.d``); samba rewrites its process title,
    so an open file under ``work_dir`` (its log, its databases) identifies it instead.
    """
    pid = _read_pid(pid_file)
    if pid is None or not process_alive(pid):
        return None
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None
    if os.path.basename(exe) != os.path.basename(executable):
        return None
    if f"{work_dir}/" in _cmdline(pid) or _holds_file_under(pid, work_dir):
        return pid
    return None


def stop_process(pid_file: pathlib.Path, executable: str, work_dir: pathlib.Path, timeout: float = 15.0) -> bool:
    """TERM the process of ``pid_file`` (only if it is ``executable`` serving ``work_dir``); KILL after ``timeout``."""
    pid = _our_process(pid_file, executable, work_dir)
    if pid is None:
        return False
    os.kill(pid, 15)
    deadline = time.monotonic() + timeout
    while process_alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            deadline = time.monotonic() + 5
        time.sleep(0.05)
    return True


def ssha(password: str, salt_from: str) -> str:
    """``{SSHA}`` as slapd stores it; the salt is derived from ``salt_from`` so the seed is reproducible."""
    salt = hashlib.sha256(salt_from.encode("utf-8")).digest()[:8]
    return "{SSHA}" + base64.b64encode(hashlib.sha1(password.encode("utf-8") + salt).digest() + salt).decode("ascii")


@dataclasses.dataclass(frozen=True)
class TlsFiles:
    """The PEM files of a test CA and the server certificate it signed."""
    ca_cert: pathlib.Path
    cert: pathlib.Path
    key: pathlib.Path


def _host_names() -> list[str]:
    names = [socket.gethostname(), socket.getfqdn()]
    return [name for name in names if name and all(part.isalnum() or "-" in part for part in name.split("."))]


def make_tls(directory: pathlib.Path, common_name: str, extra_names: t.Sequence[str] = (), ip: str = LOOPBACK) -> TlsFiles:
    """A CA of its own and a server certificate with SAN DNS:localhost, IP:``ip`` (EC P-256: fast)."""
    directory.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(directory / "ca.crt", directory / "server.crt", directory / "server.key")
    if files.cert.exists():
        return files
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _run([OPENSSL, "req", "-x509", *ec, "-keyout", str(directory / "ca.key"), "-out", str(files.ca_cert), "-days", "30",
          "-subj", f"/O=kerio.connect tests/CN={common_name} test CA", "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    _run([OPENSSL, "req", *ec, "-keyout", str(files.key), "-out", str(directory / "server.csr"), "-subj", f"/CN={TLS_NAME}"])
    # libldap (ldapsearch) checks "localhost" against the machine's own name, so that is in too.
    names = dict.fromkeys([TLS_NAME, *extra_names, *_host_names()])
    san = ",".join([f"IP:{ip}", *(f"DNS:{name}" for name in names)])
    ext = directory / "server.ext"
    ext.write_text(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                   "extendedKeyUsage=serverAuth\n", encoding="ascii")
    _run([OPENSSL, "x509", "-req", "-in", str(directory / "server.csr"), "-CA", str(files.ca_cert), "-CAkey", str(directory / "ca.key"),
          "-CAcreateserial", "-days", "30", "-out", str(files.cert), "-extfile", str(ext)])
    files.key.chmod(0o600)
    return files


# ---------------------------------------------------------------------------------------------
# LDIF
# ---------------------------------------------------------------------------------------------

def _safe_ldif_string(value: str) -> bool:
    """RFC 2849 SAFE-STRING, and no trailing space (slapadd would keep it, other tools may not)."""
    if not value:
        return True
    if value[0] in " :<" or value.endswith(" "):
        return False
    return all(" " <= char < "\x7f" for char in value)


def ldif_line(attribute: str, value: t.Any) -> str:
    """One LDIF line; base64 (``::``) for bytes and for text that is not a plain ASCII SAFE-STRING."""
    if isinstance(value, bytes):
        return f"{attribute}:: {base64.b64encode(value).decode('ascii')}"
    value = str(value)
    if _safe_ldif_string(value):
        return f"{attribute}: {value}"
    return f"{attribute}:: {base64.b64encode(value.encode('utf-8')).decode('ascii')}"


def write_ldif(entries: t.Iterable[t.Mapping[str, t.Any]], path: pathlib.Path, password_attribute: str = "userPassword") -> None:
    """Entries as dicts (``dn`` first, lists for several values, grouped: slapadd keeps split runs twice)."""
    lines: list[str] = []
    for entry in entries:
        lines.append(ldif_line("dn", entry["dn"]))
        for attribute, values in entry.items():
            if attribute == "dn":
                continue
            for value in values if isinstance(values, (list, tuple)) else (values,):
                if attribute == password_attribute and isinstance(value, str) and not value.startswith("{"):
                    value = ssha(value, entry["dn"])
                lines.append(ldif_line(attribute, value))
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# What a fixture returns
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class DirectoryServer:  # pylint: disable=too-many-instance-attributes
    """A running directory server: where it listens, how to bind, and what it holds (``facts``)."""

    name: str
    kind: str
    host: str
    ldap_port: int
    ldaps_port: int
    ca_cert: str
    base_dn: str
    admin_dn: str
    admin_password: str
    reader_dn: str
    reader_password: str
    facts: DirectoryFacts
    work_dir: str
    tls_name: str = TLS_NAME
    admin_upn: str | None = None
    reader_upn: str | None = None
    limited_reader_dn: str | None = None

    @property
    def url(self) -> str:
        """``ldap://127.0.0.1:<port>`` (plain LDAP, for StartTLS)."""
        return f"ldap://{self.host}:{self.ldap_port}"

    @property
    def ldaps_url(self) -> str:
        """``ldaps://127.0.0.1:<port>``."""
        return f"ldaps://{self.host}:{self.ldaps_port}"

    @property
    def ldaps_url_by_name(self) -> str:
        """The LDAPS URL by the certificate's DNS name ``localhost`` (valid only while ``host`` is 127.0.0.1)."""
        return f"ldaps://{self.tls_name}:{self.ldaps_port}"

    @property
    def reader_bind(self) -> str:
        """How the reader binds: the UPN on AD, the DN elsewhere."""
        return self.reader_upn or self.reader_dn

    @property
    def admin_bind(self) -> str:
        """How the administrator binds: the UPN on AD, the DN elsewhere."""
        return self.admin_upn or self.admin_dn

    def tls(self, ca_cert: str | None = None, validate: int = ssl.CERT_REQUIRED) -> ldap3.Tls:
        """An ldap3 ``Tls`` that trusts this server's CA (``ca_cert=""``: the system store only)."""
        ca_file = self.ca_cert if ca_cert is None else (ca_cert or None)
        return ldap3.Tls(validate=validate, ca_certs_file=ca_file, valid_names=[self.tls_name])

    def ldap3_server(self, ldaps: bool = True, tls: ldap3.Tls | None = None, timeout: float = 10, get_info: str = ldap3.NONE) -> ldap3.Server:
        """An ldap3 ``Server`` by IP; without schema (``get_info``), ldap3 returns every value as a list of strings."""
        port = self.ldaps_port if ldaps else self.ldap_port
        return ldap3.Server(self.host, port=port, use_ssl=ldaps, tls=tls or self.tls(), get_info=get_info, connect_timeout=timeout)

    # pylint: disable-next=too-many-arguments
    def connect(self, user: str | None = None, password: str | None = None, *, ldaps: bool = True, start_tls: bool = False,
                tls: ldap3.Tls | None = None, get_info: str = ldap3.NONE, **kwargs: t.Any) -> ldap3.Connection:
        """An ldap3 connection, bound as the reader unless ``user`` is given (``user=""``: anonymous).

        ``kwargs`` go to ``ldap3.Connection`` (``auto_bind=ldap3.AUTO_BIND_NONE`` to bind yourself,
        ``raise_exceptions``, ``client_strategy``...); ``start_tls`` runs StartTLS before the bind.
        """
        if user is None:
            user, password = self.reader_bind, self.reader_password
        server = self.ldap3_server(ldaps=ldaps, tls=tls, get_info=get_info)
        kwargs.setdefault("auto_bind", ldap3.AUTO_BIND_TLS_BEFORE_BIND if start_tls else ldap3.AUTO_BIND_NO_TLS)
        kwargs.setdefault("receive_timeout", 60)
        kwargs.setdefault("raise_exceptions", False)
        return ldap3.Connection(server, user=user or None, password=password or None, **kwargs)

    def as_env(self) -> dict[str, str]:
        """Shell variables describing the server (for ``servers.py up``)."""
        prefix = {"openldap": "LDAP", "edirectory": "EDIR", "ad": "AD"}[self.kind]
        env = {"URL": self.url, "LDAPS_URL": self.ldaps_url, "CA_CERT": self.ca_cert, "BASE_DN": self.base_dn,
               "ADMIN_DN": self.admin_dn, "ADMIN_PW": self.admin_password, "READER_DN": self.reader_bind, "READER_PW": self.reader_password}
        if self.limited_reader_dn:
            env["LIMITED_READER_DN"] = self.limited_reader_dn
        return {f"{prefix}_{key}": value for key, value in env.items()}


def _wait_until(predicate: t.Callable[[], bool], timeout: float, what: str, log: pathlib.Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            detail = ""
            if log is not None and log.exists():
                detail = "\n" + "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
            raise ServerError(f"{what} did not come up within {timeout:.0f} s{detail}")
        time.sleep(0.05)


def can_bind(server: DirectoryServer, user: str, password: str) -> bool:
    """True when ``user`` can bind with ``password`` over LDAPS (False also when the server does not answer)."""
    try:
        conn = server.connect(user, password, receive_timeout=5)
    except LDAPException:
        return False
    ok = conn.bound
    conn.unbind()
    return ok


# ---------------------------------------------------------------------------------------------
# OpenLDAP: generic and eDirectory-shaped
# ---------------------------------------------------------------------------------------------

class OpenLdap:  # pylint: disable=too-many-instance-attributes
    """slapd with a cn=config made by slapadd, an mdb database seeded offline by ``slapadd -q``.

    ``flavor`` is ``generic`` (dc=example,dc=test, 10,000 people by default) or ``edirectory``
    (o=<org>, users cn=<login> in ou=Berlin|Praha|Zürich, eDirectory's schema and rootDSE).
    ``size_limit`` is the database's olcSizeLimit; the generic flavour's limited reader gets
    ``truncating_size_limit`` through olcLimits, so its searches stop at 1000, paged or not.
    """

    # pylint: disable-next=too-many-arguments
    def __init__(self, work_dir: str | os.PathLike, flavor: str = "generic", *, people: int | None = None, org: str = "Example",
                 size_limit: str = DEFAULT_SIZE_LIMIT, truncating_size_limit: str = TRUNCATING_SIZE_LIMIT, host: str = LOOPBACK):
        if flavor not in ("generic", "edirectory"):
            raise ValueError(f"unknown OpenLDAP flavor {flavor!r}")
        self.dir = pathlib.Path(work_dir).resolve()
        self.flavor = flavor
        self.people = people
        self.org = org
        self.size_limit = size_limit
        self.truncating_size_limit = truncating_size_limit
        self.host = host
        self.config_dir = self.dir / "slapd.d"
        self.pid_file = self.dir / "slapd.pid"
        self.log = self.dir / "setup.log"

    # -- facts and identities ------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """``openldap`` or ``edirectory``, as in ``DirectoryServer.kind``."""
        return "openldap" if self.flavor == "generic" else "edirectory"

    def _directory(self) -> tuple[DirectoryFacts, tuple[dict, ...]]:
        soft = _limit_value(self.size_limit, "size.soft")
        if self.flavor == "generic":
            return generic_directory(self.people or 10000, soft, _limit_value(self.truncating_size_limit, "size.hard") or 1000)
        return edirectory_directory(self.org, soft)

    @property
    def facts(self) -> DirectoryFacts:
        """What the directory holds (computed from the seed, not read from the server)."""
        return self._directory()[0]

    @property
    def base_dn(self) -> str:
        """The suffix of the database."""
        return self.facts.base_dn

    @property
    def admin_dn(self) -> str:
        """The rootDN (no entry of its own; unlimited searches)."""
        return f"cn=admin,{self.base_dn}"

    @property
    def reader_dn(self) -> str:
        """The read-only service account."""
        return generic_reader_dn(self.base_dn) if self.flavor == "generic" else f"cn=reader,ou=Services,{self.base_dn}"

    # -- lifecycle -----------------------------------------------------------------------------
    def _ports(self) -> tuple[int, int]:
        ports_file = self.dir / "ports.json"
        if ports_file.exists():
            ports = json.loads(ports_file.read_text(encoding="utf-8"))
            return ports["ldap"], ports["ldaps"]
        ldap_port, ldaps_port = free_port(self.host), free_port(self.host)
        while ldaps_port == ldap_port:
            ldaps_port = free_port(self.host)
        ports_file.write_text(json.dumps({"ldap": ldap_port, "ldaps": ldaps_port}), encoding="utf-8")
        return ldap_port, ldaps_port

    def info(self) -> DirectoryServer:
        """Where the server listens and how to bind (the server need not run)."""
        ldap_port, ldaps_port = self._ports()
        return DirectoryServer(
            name=f"openldap-{self.flavor}", kind=self.kind, host=self.host, ldap_port=ldap_port, ldaps_port=ldaps_port,
            ca_cert=str(self.dir / "tls" / "ca.crt"), base_dn=self.base_dn, admin_dn=self.admin_dn, admin_password=ADMIN_PASSWORD,
            reader_dn=self.reader_dn, reader_password=READER_PASSWORD, facts=self.facts, work_dir=str(self.dir),
            limited_reader_dn=generic_limited_reader_dn(self.base_dn) if self.flavor == "generic" else None,
        )

    def running(self) -> bool:
        """True when this work dir's server process runs."""
        return _our_process(self.pid_file, SLAPD, self.dir) is not None

    def start(self) -> DirectoryServer:
        """Create and seed on first use, then start slapd (no-op when it runs); returns the server."""
        if self.running():
            return self.info()
        if not (self.dir / "created").exists():
            self.create()
        for attempt in range(3):
            ldap_port, ldaps_port = self._ports()
            urls = f"ldap://{self.host}:{ldap_port}/ ldaps://{self.host}:{ldaps_port}/"
            try:
                _run([SLAPD, "-F", str(self.config_dir), "-h", urls, "-n", f"slapd-{self.flavor}"], log=self.log)
                break
            except ServerError:
                if attempt == 2:
                    raise
                # Someone took a port between free_port() and slapd's bind: draw new ones.
                (self.dir / "ports.json").unlink()
        info = self.info()
        try:
            _wait_until(lambda: can_bind(info, self.admin_dn, ADMIN_PASSWORD), 20, f"slapd ({self.flavor}) at {info.ldaps_url}", self.log)
        except ServerError:
            self.stop()
            raise
        return info

    def stop(self) -> bool:
        """Stop the server by its pid (checked to be ours); False when it was not running."""
        return stop_process(self.pid_file, SLAPD, self.dir)

    def create(self) -> None:
        """cn=config, TLS and the seed, all offline (slapd not running)."""
        if self.running():
            raise ServerError(f"slapd in {self.dir} runs; stop it before creating it anew")
        for stale in (self.config_dir, self.dir / "data"):
            shutil.rmtree(stale, ignore_errors=True)
        (self.dir / "data").mkdir(parents=True)
        self.config_dir.mkdir()
        tls = make_tls(self.dir / "tls", f"OpenLDAP {self.flavor}", ip=self.host)
        config = self.dir / "config.ldif"
        config.write_text(self._config_ldif(tls), encoding="utf-8")
        _run([SLAPADD, "-n0", "-F", str(self.config_dir), "-l", str(config)], log=self.log)
        seed = self.dir / "seed.ldif"
        write_ldif(self._directory()[1], seed)
        _run([SLAPADD, "-q", "-F", str(self.config_dir), "-b", self.base_dn, "-l", str(seed)], log=self.log)
        (self.dir / "created").write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"), encoding="ascii")

    def _config_ldif(self, tls: TlsFiles) -> str:
        edir = self.flavor == "edirectory"
        member_of = "groupMembership" if edir else "memberOf"
        schemas = ["core", "cosine", "inetorgperson"]
        includes = "".join(f"include: file://{LDAP_SCHEMAS}/{name}.ldif\n\n" for name in schemas)
        if edir:
            includes += f"include: file://{EDIRECTORY_SCHEMA}\n\n"
        root_dse = ""
        if edir:
            root_dse_file = self.dir / "rootdse.ldif"
            root_dse_file.write_text("dn:\nvendorName: Novell, Inc.\n"
                                     "vendorVersion: LDAP Agent for NetIQ eDirectory 9.2.8 (40208.03) [emulated by OpenLDAP]\n",
                                     encoding="ascii")
            root_dse = f"olcRootDSE: {root_dse_file}\n"
        limits = ""
        if not edir:
            limits = f'olcLimits: {{0}}dn.exact="{generic_limited_reader_dn(self.base_dn)}" {self.truncating_size_limit}\n'
        indexes = ["objectClass eq", "uid eq", "cn eq,sub", "mail eq,sub", "member eq", f"{member_of} eq"]
        indexes.append("loginDisabled eq" if edir else "employeeType eq")
        root_pw = ssha(ADMIN_PASSWORD, self.admin_dn)
        return f"""\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {self.pid_file}
olcArgsFile: {self.dir}/slapd.args
olcLogLevel: none
olcTLSCACertificateFile: {tls.ca_cert}
olcTLSCertificateFile: {tls.cert}
olcTLSCertificateKeyFile: {tls.key}
{root_dse}
dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: {LDAP_MODULES}
olcModuleLoad: {{0}}back_mdb
olcModuleLoad: {{1}}memberof
olcModuleLoad: {{2}}refint

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

{includes}\
dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend
olcAccess: {{0}}to dn.base="" by * read
olcAccess: {{1}}to dn.base="cn=Subschema" by * read

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcRootDN: cn=admin,cn=config
olcRootPW: {root_pw}
olcAccess: {{0}}to * by * none

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {self.base_dn}
olcRootDN: {self.admin_dn}
olcRootPW: {root_pw}
olcDbDirectory: {self.dir}/data
olcDbMaxSize: 4294967296
olcDbNoSync: TRUE
{"".join(f"olcDbIndex: {index}{chr(10)}" for index in indexes)}\
olcSizeLimit: {self.size_limit}
{limits}\
olcAccess: {{0}}to attrs=userPassword by self write by anonymous auth by * none
olcAccess: {{1}}to * by users read by * none

dn: olcOverlay={{0}}memberof,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {{0}}memberof
olcMemberOfDangling: ignore
olcMemberOfRefInt: TRUE
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: {member_of}

dn: olcOverlay={{1}}refint,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcRefintConfig
olcOverlay: {{1}}refint
olcRefintAttribute: member
olcRefintAttribute: {member_of}
"""


def _limit_value(limits: str, key: str) -> int | None:
    """``size.soft`` of ``size.soft=500 size.hard=...`` -> 500 (``None`` when unlimited or absent)."""
    for part in limits.split():
        name, _sep, value = part.partition("=")
        if name == key:
            return int(value) if value.isdigit() else None
    return None


# ---------------------------------------------------------------------------------------------
# Samba AD DC
# ---------------------------------------------------------------------------------------------

class SambaAd:  # pylint: disable=too-many-instance-attributes
    """A Samba AD DC (realm EXAMPLE.TEST, domain EXAMPLE) with only its LDAP service, on 127.0.0.1
    (or, when another DC holds the ports there, the next free 127.0.0.x: see ``HOSTS``).

    Provisioned with an empty ``-s`` config (so nothing of /etc/samba or the host's resolver leaks
    in), then run with our own smb.conf: ``server services = ldap``, loopback only, every path
    under the work dir, our own certificate, ``ldb:nosync`` (halves the cost of every add).
    Samba's ports are fixed: LDAP 389, LDAPS 636 (and the global catalog 3268/3269).
    """

    LDAP_PORT = 389
    LDAPS_PORT = 636
    ADMIN_UPN = f"Administrator@{AD_REALM}"
    # Where the DC may listen: 127.0.0.1 first; when another DC (another test session on this
    # machine) holds its ports there, the next free address. Linux routes all of 127/8 to lo,
    # and Samba binds such an address without `ip addr add`.
    HOSTS = tuple(f"127.0.0.{last}" for last in range(1, 11))

    def __init__(self, work_dir: str | os.PathLike, *, people: int = 1100, host: str | None = None, max_runtime: int = 3 * 3600):
        self.dir = pathlib.Path(work_dir).resolve()
        self.people = people
        self.wanted_host = host
        self.max_runtime = max_runtime
        self.host_file = self.dir / "host"
        self.conf = self.dir / "etc" / "smb.conf"
        self.pid_file = self.dir / "run" / "samba.pid"
        self.log = self.dir / "setup.log"

    @property
    def facts(self) -> DirectoryFacts:
        """What the directory holds (computed from the seed, not read from the server)."""
        return ad_directory(self.people)[0]

    @property
    def host(self) -> str:
        """The address of the last start (``wanted_host`` or 127.0.0.1 before the first)."""
        try:
            return self.host_file.read_text(encoding="ascii").strip()
        except OSError:
            return self.wanted_host or LOOPBACK

    def _tls_dir(self, host: str) -> pathlib.Path:
        return self.dir / f"tls-{host}"

    def info(self) -> DirectoryServer:
        """Where the DC listens and how to bind (the DC need not run)."""
        return DirectoryServer(
            name="samba-ad", kind="ad", host=self.host, ldap_port=self.LDAP_PORT, ldaps_port=self.LDAPS_PORT,
            ca_cert=str(self._tls_dir(self.host) / "ca.crt"), base_dn=AD_BASE_DN, admin_dn=f"CN=Administrator,CN=Users,{AD_BASE_DN}",
            admin_password=ADMIN_PASSWORD, admin_upn=self.ADMIN_UPN, reader_dn=ad_directory(self.people)[1].others[0][0],
            reader_upn=f"{AD_READER_LOGIN}@{AD_REALM.lower()}", reader_password=READER_PASSWORD, facts=self.facts,
            work_dir=str(self.dir),
        )

    def running(self) -> bool:
        """True when this work dir's samba runs."""
        return _our_process(self.pid_file, SAMBA, self.dir) is not None

    def start(self) -> DirectoryServer:
        """Provision on first use, start samba (no-op when it runs), seed on first start."""
        if self.running():
            return self.info()
        if not (self.dir / "provisioned").exists():
            self.provision()
        # Choosing the address and binding its ports is one step for every session on this machine.
        with _locked(pathlib.Path(tempfile.gettempdir()) / "kerio-connect-samba-ad.lock"):
            host = self._free_host()
            self._write_conf(host)
            self.host_file.write_text(host + "\n", encoding="ascii")
            _run([SAMBA, "-D", "-s", str(self.conf), f"--maximum-runtime={self.max_runtime}"], log=self.log)
            info = self.info()
            try:
                _wait_until(lambda: can_bind(info, self.ADMIN_UPN, ADMIN_PASSWORD), 60, f"samba at {info.ldaps_url}", self.dir / "log" / "samba.log")
            except ServerError:
                self.stop()
                raise
        if not (self.dir / "seeded").exists():
            try:
                seed_ad(info, self.people, self.log)
            except (LDAPException, ServerError):
                self.stop()
                raise
            (self.dir / "seeded").write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"), encoding="ascii")
        return info

    def stop(self) -> bool:
        """Stop samba by its pid (checked to be ours); its prefork children exit with it."""
        return stop_process(self.pid_file, SAMBA, self.dir)

    def _free_host(self) -> str:
        candidates = (self.wanted_host,) if self.wanted_host else self.HOSTS
        for host in candidates:
            if not any(port_open(host, port) for port in (self.LDAP_PORT, self.LDAPS_PORT)):
                return host
        raise ServerError(f"ports {self.LDAP_PORT}/{self.LDAPS_PORT} are in use on {', '.join(candidates)}: other LDAP servers or "
                          "leftover test DCs run (find them with `ss -ltnp`); Samba's ports cannot be moved")

    def provision(self) -> None:
        """``samba-tool domain provision`` into ``<dir>/dc`` (about 4 s); the DC has no users of ours yet."""
        if self.running():
            raise ServerError(f"samba in {self.dir} runs; stop it before provisioning anew")
        shutil.rmtree(self.dir / "dc", ignore_errors=True)
        (self.dir / "etc").mkdir(parents=True, exist_ok=True)
        empty = self.dir / "etc" / "empty.conf"
        empty.write_text("", encoding="ascii")
        _run([SAMBA_TOOL, "domain", "provision", "-s", str(empty), f"--targetdir={self.dir / 'dc'}", f"--realm={AD_REALM}",
              f"--domain={AD_DOMAIN}", "--server-role=dc", "--dns-backend=NONE", f"--adminpass={ADMIN_PASSWORD}",
              "--host-name=dc1", f"--host-ip={LOOPBACK}"], log=self.log)
        (self.dir / "provisioned").write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"), encoding="ascii")

    def _write_conf(self, host: str) -> None:
        tls = make_tls(self._tls_dir(host), "Samba AD", extra_names=("dc1.example.test",), ip=host)
        for sub in ("run", "log", "dc/cache"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        dc = self.dir / "dc"
        self.conf.write_text(f"""\
# Written by tests/directory/servers.py: the LDAP service only, on loopback, everything under {self.dir}.
[global]
\tnetbios name = DC1
\trealm = {AD_REALM}
\tworkgroup = {AD_DOMAIN}
\tserver role = active directory domain controller
\tserver services = ldap
\tinterfaces = {host}/8
\tbind interfaces only = yes
\tprivate dir = {dc}/private
\tbinddns dir = {dc}/bind-dns
\tstate directory = {dc}/state
\tcache directory = {dc}/cache
\tlock directory = {dc}
\tpid directory = {self.dir}/run
\tncalrpc dir = {self.dir}/run/ncalrpc
\tlog file = {self.dir}/log/samba.log
\tlog level = 1
\tmax log size = 10000
\ttls enabled = yes
\ttls keyfile = {tls.key}
\ttls certfile = {tls.cert}
\ttls cafile = {tls.ca_cert}
\tprefork children = 2
\tldb:nosync = true
""", encoding="utf-8")


def _add_all(conn: ldap3.Connection, adds: t.Iterable[tuple[str, dict]]) -> int:
    """Adds entries one by one; an entry that exists already (an earlier, interrupted seed) is fine.

    Synchronously: ldap3's ASYNC strategy pipelines (3.2 s instead of 5 s for 1,100 users) but its
    receiver thread reads the TLS socket while the caller writes, and on Python 3.12 that closed
    the socket mid-seed ("socket is not open"). Two or three connections in threads gained nothing
    measurable: Samba serialises the writes.
    """
    added = 0
    for dn, attributes in adds:
        attrs = dict(attributes)
        if conn.add(dn, attrs.pop("objectClass"), attrs):
            added += 1
        elif conn.result["result"] != 68:  # entryAlreadyExists
            raise ServerError(f"adding {dn} failed: {conn.result['description']} {conn.result['message']}")
    return added


def seed_ad(server: DirectoryServer, people: int = 1100, log: pathlib.Path | None = None) -> dict[str, float]:
    """Adds the AD seed over LDAPS: containers, service account, contact, computer, people, groups.

    Entries that exist are listed first and skipped, because Samba hashes a password before it
    notices that the entry exists. Returns the seconds each part took.
    """
    seed = ad_directory(people)[1]
    timings: dict[str, float] = {}
    started = time.monotonic()
    sync = server.connect(server.admin_upn, server.admin_password)
    existing: set[str] = set()
    for entry in sync.extend.standard.paged_search(AD_BASE_DN, "(|(objectClass=user)(objectClass=group)(objectClass=contact)(objectClass=organizationalUnit))",
                                                   attributes=["distinguishedName"], paged_size=1000, generator=True):
        if entry.get("type") == "searchResEntry":
            existing.add(entry["dn"].casefold())
    _add_all(sync, ((dn, {"objectClass": ["top", "organizationalUnit"]}) for dn in seed.containers if dn.casefold() not in existing))
    timings["containers"] = time.monotonic() - started
    step = time.monotonic()
    _add_all(sync, ((dn, attrs) for dn, attrs in (*seed.others, *seed.users) if dn.casefold() not in existing))
    timings["users"] = time.monotonic() - step
    step = time.monotonic()
    # Each group arrives whole, its member list included (one add, not one modify per member).
    _add_all(sync, ((dn, attrs) for dn, attrs in seed.groups if dn.casefold() not in existing))
    timings["groups"] = time.monotonic() - step
    sync.unbind()
    timings["total"] = time.monotonic() - started
    if log is not None:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"seed_ad: {json.dumps({key: round(value, 2) for key, value in timings.items()})}\n")
    return timings


# ---------------------------------------------------------------------------------------------
# Sharing a server between processes (pytest-xdist workers)
# ---------------------------------------------------------------------------------------------

Server = t.Union[OpenLdap, SambaAd]


@contextlib.contextmanager
def _locked(path: pathlib.Path) -> t.Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="ascii") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _users_file(root: pathlib.Path, name: str) -> pathlib.Path:
    return root / f"{name}.users"


def _read_users(path: pathlib.Path) -> int:
    try:
        return int(path.read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return 0


def acquire(root: pathlib.Path, name: str, server: Server) -> DirectoryServer:
    """Start ``server`` unless another process sharing ``root`` has; count this process as a user."""
    with _locked(root / f"{name}.lock"):
        users_file = _users_file(root, name)
        users = _read_users(users_file) if server.running() else 0
        try:
            info = server.start()
        except BaseException:
            if users == 0:
                server.stop()
            raise
        users_file.write_text(f"{users + 1}\n", encoding="ascii")
        return info


def release(root: pathlib.Path, name: str, server: Server) -> None:
    """Stop ``server`` when the last process that acquired it lets go."""
    with _locked(root / f"{name}.lock"):
        users_file = _users_file(root, name)
        users = max(_read_users(users_file) - 1, 0)
        users_file.write_text(f"{users}\n", encoding="ascii")
        if users == 0:
            server.stop()


# ---------------------------------------------------------------------------------------------
# By hand
# ---------------------------------------------------------------------------------------------

def all_servers(root: str | os.PathLike) -> dict[str, Server]:
    """The three servers, each in its own dir under ``root`` (as ``servers.py up`` makes them)."""
    base = pathlib.Path(root)
    return {"openldap": OpenLdap(base / "openldap"), "edirectory": OpenLdap(base / "edirectory", "edirectory"), "ad": SambaAd(base / "samba-ad")}


def main(argv: t.Sequence[str]) -> int:
    """``up|down DIR [kinds]``: start (printing shell variables) or stop the servers in DIR."""
    if len(argv) < 2 or argv[0] not in ("up", "down"):
        print("usage: servers.py up|down DIR [openldap|edirectory|ad ...]", file=sys.stderr)
        return 2
    servers = all_servers(argv[1])
    chosen = argv[2:] or list(servers)
    for name in chosen:
        if argv[0] == "up":
            hint = install_hint(name)
            if hint:
                print(hint, file=sys.stderr)
                return 1
            started = time.monotonic()
            info = servers[name].start()
            print(f"# {name}: up in {time.monotonic() - started:.1f} s")
            for key, value in info.as_env().items():
                print(f"export {key}='{value}'")
        else:
            print(f"# {name}: {'stopped' if servers[name].stop() else 'was not running'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
