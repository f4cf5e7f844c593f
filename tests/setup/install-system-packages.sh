#!/usr/bin/env bash
# Installs, as root on a fresh Debian machine, the system packages the tests need:
# the shell linter that ansible-test sanity runs, and the directory servers (slapd, Samba AD).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/install-directory-servers.sh" shellcheck
