# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An emulator of the Kerio Connect Administration API (JSON-RPC over HTTPS) for tests.

Run it as a script: ``python tests/emulator/kerio_emulator.py --help``. Python puts this file's
folder first on sys.path, which is how the ``_*.py`` modules beside it are found. Where to start
reading: _app.py (what the emulator holds), _rpc.py (the protocol), _methods_*.py (the methods),
_state.py and _rules.py (what a real server refuses). The contract it keeps is the API reference
(shared/reference/kerio-admin-api.md); tests/unit/emulator holds one test per rule.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from _app import Emulator, Options
from _document import DEFAULT_DOCUMENT
from _http import EmulatorServer
from _persist import StateWriter
from _tls import CA_FILE, server_context

READY_MARKER = "KERIO_EMULATOR_READY"

EPILOG = """\
Kerio endpoints: POST /admin/api/jsonrpc/ (JSON-RPC 2.0), POST /admin/api/jsonrpc/upload/ (multipart),
GET of a Users.exportToCsv url. Test-only endpoints (loopback clients only): GET /emulator/stats,
POST /emulator/stats/reset, POST /emulator/faults, GET /emulator/state, POST /emulator/reset, POST /emulator/flush.
When ready it prints one line: KERIO_EMULATOR_READY https://127.0.0.1:<port>
"""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="kerio_emulator.py", description="Emulates the Kerio Connect Administration API over HTTPS for tests.", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, required=True, help="TCP port to listen on; 0 picks a free port (see the READY line)")
    parser.add_argument(
        "--admin-password", required=True,
        help="password of the administrator 'admin' of the primary domain (created when the seed lacks it; always set to this)",
    )
    parser.add_argument(
        "--state", required=True, metavar="FILE",
        help="state file: loaded when it exists (it wins over --seed), rewritten atomically shortly after every change and on exit",
    )
    parser.add_argument(
        "--cert-dir", required=True, metavar="DIR",
        help=f"where the test CA ({CA_FILE}, what clients verify against) and the server certificate are made, or reused if present",
    )
    parser.add_argument(
        "--seed", metavar="FILE",
        help="JSON seed (domains, users, groups, templates, nt_domains, licence_limit); default: primary domain example.com with admin only",
    )
    parser.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS", help="address to listen on (default: %(default)s, loopback only)")
    parser.add_argument("--latency-ms", type=int, default=0, metavar="N", help="delay added to every JSON-RPC request, in milliseconds (default: 0)")
    parser.add_argument(
        "--licence-limit", type=int, metavar="N",
        help="licensed users: enabled users on the whole server beyond N are refused with 1003 (default: the seed's licence_limit, else none)",
    )
    parser.add_argument(
        "--ldap-ca-file", metavar="FILE",
        help="CA file trusted for LDAPS by Users.getFromServer (ActiveDirectory/NovellEDirectory); default: the system's CAs",
    )
    return parser.parse_args(argv)


def _read_json(path: str) -> dict:
    with open(path, "rb") as document_file:
        return json.load(document_file)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        seed = _read_json(args.seed) if args.seed else DEFAULT_DOCUMENT
        state = _read_json(args.state) if os.path.exists(args.state) else None
        os.makedirs(os.path.dirname(os.path.abspath(args.state)), exist_ok=True)
        options = Options(args.admin_password, seed, args.licence_limit, max(0, args.latency_ms), args.ldap_ca_file)
        app = Emulator(options, state)
        server = EmulatorServer((args.bind, args.port), app, server_context(args.cert_dir))
    except (OSError, ValueError) as error:  # unreadable or invalid seed/state (SeedError is a ValueError), port in use
        sys.stderr.write(f"kerio-emulator: cannot start: {error}\n")
        return 2
    writer = StateWriter(app, args.state)
    app.flush_state = writer.flush
    writer.start()

    def stop(signum, frame) -> None:
        # serve_forever runs in this (the main) thread, so shutdown() must be called from another one.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host = "127.0.0.1" if args.bind in ("", "0.0.0.0", "::") else args.bind
    host = f"[{host}]" if ":" in host else host
    print(f"{READY_MARKER} https://{host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        writer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
