#!/usr/bin/env bash
# make demo: start the Kerio emulator, import the demo users, import again to show nothing changes.
set -euo pipefail
cd "$(dirname "$0")/../.."
demo=build/demo
mkdir -p "$demo"
# Each demo starts from the seed; the state it leaves behind is there to look at afterwards.
rm -f "$demo/state.json" "$demo/generated-passwords.txt"
export ANSIBLE_NOCOLOR="${ANSIBLE_NOCOLOR:-}"

if [[ -f $demo/emulator.pid ]] && kill -0 "$(cat "$demo/emulator.pid")" 2>/dev/null; then
    kill "$(cat "$demo/emulator.pid")"; sleep 0.5
fi
.venv/bin/python tests/emulator/kerio_emulator.py --port 4040 --admin-password Demo-Admin-Pa55 \
    --seed tests/emulator/seed-demo.json --state "$demo/state.json" --cert-dir "$demo/tls" >"$demo/emulator.log" 2>&1 &
echo $! >"$demo/emulator.pid"
trap 'kill "$(cat "$demo/emulator.pid")" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q KERIO_EMULATOR_READY "$demo/emulator.log" && break; sleep 0.1; done
grep KERIO_EMULATOR_READY "$demo/emulator.log" || { cat "$demo/emulator.log"; exit 1; }

echo; echo "== First run: the users are imported (diff shows each one) =="
.venv/bin/ansible-playbook -i playbooks/inventory/demo playbooks/import_users.yml --diff
echo; echo "== Second run: nothing to change, changed=0 =="
.venv/bin/ansible-playbook -i playbooks/inventory/demo playbooks/import_users.yml

cat <<MSG

The emulator's state is in $demo/state.json (passwords are stored only as hashes);
passwords Kerio generated for new users without one are in $demo/generated-passwords.txt.

To import into a real Kerio Connect server, copy playbooks/inventory/example, set kerio_url
(https://your-server:4040), kerio_user and kerio_password (vaulted), list your domains in
user_import_domains, then run:
  .venv/bin/ansible-playbook -i <your inventory> playbooks/import_users.yml --check --diff
  .venv/bin/ansible-playbook -i <your inventory> playbooks/import_users.yml
MSG
