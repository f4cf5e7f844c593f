# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The emulator's TLS: a private CA (DIR/ca.pem, what clients verify against) and a server certificate it signs.

Both are reused when DIR already holds them, so tests that share a DIR share one CA. EC P-256 keys
keep generation to a few milliseconds (start-up must stay under a second). A lock file serialises
emulators that start at the same moment with the same DIR.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import ipaddress
import os
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from _persist import write_atomically

CA_FILE, CA_KEY_FILE = "ca.pem", "ca-key.pem"
CERT_FILE, KEY_FILE = "server.pem", "server-key.pem"
CA_LIFETIME = datetime.timedelta(days=3650)
CERT_LIFETIME = datetime.timedelta(days=825)
RENEW_BEFORE = datetime.timedelta(days=1)


@contextlib.contextmanager
def _locked(cert_dir: str):
    with open(os.path.join(cert_dir, ".lock"), "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _certificate(subject: str, public_key, issuer: x509.Name | None, signing_key, *, is_ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + (CA_LIFETIME if is_ca else CERT_LIFETIME))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if is_ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        san = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False).add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


def _load_pair(cert_path: str, key_path: str):
    if not (os.path.exists(cert_path) and os.path.exists(key_path)):
        return None, None
    with open(cert_path, "rb") as cert_file, open(key_path, "rb") as key_file:
        return x509.load_pem_x509_certificate(cert_file.read()), serialization.load_pem_private_key(key_file.read(), None)


def _still_valid(cert: x509.Certificate | None, issuer: x509.Certificate) -> bool:
    if cert is None or cert.issuer != issuer.subject:
        return False
    # not_valid_after_utc is cryptography >= 42; older releases have the naive not_valid_after (in UTC).
    expires = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return expires - RENEW_BEFORE > datetime.datetime.now(datetime.timezone.utc)


def ensure_certificates(cert_dir: str) -> tuple[str, str]:
    """Make (or reuse) the CA and the server certificate in ``cert_dir``; return the server (cert, key) paths."""
    os.makedirs(cert_dir, exist_ok=True)
    paths = {name: os.path.join(cert_dir, name) for name in (CA_FILE, CA_KEY_FILE, CERT_FILE, KEY_FILE)}
    with _locked(cert_dir):
        ca_cert, ca_key = _load_pair(paths[CA_FILE], paths[CA_KEY_FILE])
        if ca_cert is None:
            ca_key = ec.generate_private_key(ec.SECP256R1())
            ca_cert = _certificate("Kerio Connect emulator test CA", ca_key.public_key(), None, ca_key, is_ca=True)
            write_atomically(paths[CA_KEY_FILE], _pem_key(ca_key))
            write_atomically(paths[CA_FILE], ca_cert.public_bytes(serialization.Encoding.PEM))
        cert = _load_pair(paths[CERT_FILE], paths[KEY_FILE])[0]
        if not _still_valid(cert, ca_cert):
            key = ec.generate_private_key(ec.SECP256R1())
            cert = _certificate("localhost", key.public_key(), ca_cert.subject, ca_key, is_ca=False)
            write_atomically(paths[KEY_FILE], _pem_key(key))
            write_atomically(paths[CERT_FILE], cert.public_bytes(serialization.Encoding.PEM))
    return paths[CERT_FILE], paths[KEY_FILE]


def server_context(cert_dir: str) -> ssl.SSLContext:
    cert_path, key_path = ensure_certificates(cert_dir)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context
