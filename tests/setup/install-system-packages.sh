#!/usr/bin/env bash
# Installs, as root on a fresh Debian machine, the system packages the tests need:
# the shell linter that ansible-test sanity runs, and the directory servers (slapd, Samba AD).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v shellcheck >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
fi
bash "$here/install-directory-servers.sh"
