#!/usr/bin/env bash
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Installs the directory servers the tests in tests/directory/ run against (OpenLDAP and a
# Samba AD DC) from Debian's packages. Idempotent, non-interactive, needs root.
# No daemon is started: the tests start their own servers, on loopback, in a temporary dir.
# Other packages named as arguments are installed in the same apt-get run.
set -euo pipefail

PACKAGES=(slapd ldap-utils samba samba-ad-dc winbind samba-ad-provision ldb-tools openssl "$@")

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "installed" ]]; then
        missing+=("$pkg")
    fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-directory-servers: all packages present"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-directory-servers: missing ${missing[*]}; run this script as root" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# Package scripts must not start slapd or samba: a policy-rc.d that denies everything,
# removed afterwards only if we created it.
POLICY=/usr/sbin/policy-rc.d
created_policy=no
if [[ ! -e "$POLICY" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    created_policy=yes
fi
cleanup() {
    if [[ "$created_policy" == yes ]]; then
        rm -f "$POLICY"
    fi
}
trap cleanup EXIT

# slapd asks for a domain and an admin password; the system instance is never used.
debconf-set-selections <<'EOF'
slapd slapd/no_configuration boolean true
slapd shared/organization string example.test
slapd slapd/domain string example.test
slapd slapd/password1 password unused-system-slapd
slapd slapd/password2 password unused-system-slapd
EOF

apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${PACKAGES[@]}"
echo "install-directory-servers: installed ${missing[*]}"
