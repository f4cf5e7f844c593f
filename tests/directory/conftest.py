# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Session fixtures for the real directory servers: ``openldap_server``, ``edirectory_server``
and ``samba_ad_server``.

Each starts its server the first time a test asks for it and stops it when the session ends,
whether the tests passed or not. Under pytest-xdist the workers share one server of each kind
(a file lock and a user count in the session's common temporary dir): Samba's ports are fixed,
so only one DC can run, and sharing also saves the seeding time. A server that cannot run here
fails the test with what to install; it is never skipped.
"""

from __future__ import annotations

import os
import pathlib
import sys
import typing as t

import pytest

HERE = pathlib.Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

# pylint: disable-next=wrong-import-position
import servers  # noqa: E402  (tests/directory is not a package)


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The session's temporary dir, the same for every xdist worker of one run."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    root = base / "directory-servers"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _serve(tmp_path_factory: pytest.TempPathFactory, kind: str, make: t.Callable[[pathlib.Path], servers.Server]) -> t.Iterator[servers.DirectoryServer]:
    hint = servers.install_hint(kind)
    if hint:
        pytest.fail(hint, pytrace=False)
    root = _shared_root(tmp_path_factory)
    server = make(root / kind)
    try:
        info = servers.acquire(root, kind, server)
    except servers.ServerError as error:
        pytest.fail(f"the {kind} directory server did not start: {error}", pytrace=False)
    try:
        yield info
    finally:
        servers.release(root, kind, server)


@pytest.fixture(scope="session")
def openldap_server(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[servers.DirectoryServer]:
    """Generic OpenLDAP, dc=example,dc=test, 10,000 people; its limited reader is cut at 1000 entries."""
    yield from _serve(tmp_path_factory, "openldap", servers.OpenLdap)


@pytest.fixture(scope="session")
def edirectory_server(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[servers.DirectoryServer]:
    """OpenLDAP shaped as Novell eDirectory, o=Example, 1,200 people."""
    yield from _serve(tmp_path_factory, "edirectory", lambda path: servers.OpenLdap(path, "edirectory"))


@pytest.fixture(scope="session")
def samba_ad_server(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[servers.DirectoryServer]:
    """Samba AD DC, realm EXAMPLE.TEST, 1,100 people, on 127.0.0.1:389/636 (127.0.0.x when .1 is taken: use ``.host``)."""
    yield from _serve(tmp_path_factory, "ad", servers.SambaAd)
