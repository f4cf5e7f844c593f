# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The floor of an initial import: exactly the write calls it needs, pre-built, nothing else.

    python tests/benchmarks/floor.py --url https://127.0.0.1:PORT --ca-path ca.pem --password PW --csv users.csv

No Ansible, no reconcile, no validation: the CSV (as generate_users.py writes it) is split into
users before the clock starts, the request bodies of Groups.create and Users.create are encoded
before it starts too, and a session is open with a warm connection. Timed: Groups.create, the
Users.create batches and the Groups.addMemberList batches (whose user ids only the creates give),
each answer decoded and checked. The same HTTP library as the collection (requests), the same
emulator and its same checks. Prints one JSON object: seconds, calls per method.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import requests

APPLICATION = {"name": "kerio.connect benchmark floor", "vendor": "kerio.connect", "version": "1"}


class Rpc:
    def __init__(self, url: str, ca_path: str):
        self.url = url.rstrip("/") + "/admin/api/jsonrpc/"
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = ca_path
        self.http.headers["Content-Type"] = "application/json-rpc; charset=UTF-8"
        self.calls: dict[str, int] = {}
        self.next_id = 1

    def body(self, method: str, params: dict | None) -> bytes:
        request = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        self.next_id += 1
        if params is not None:
            request["params"] = params
        return json.dumps(request).encode("utf-8")

    def send(self, method: str, body: bytes) -> dict:
        self.calls[method] = self.calls.get(method, 0) + 1
        response = self.http.post(self.url, data=body)
        response.raise_for_status()
        answer = json.loads(response.content)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def call(self, method: str, params: dict | None = None) -> dict:
        return self.send(method, self.body(method, params))


def read_users(path: str) -> list[list[str]]:
    """Name;Password;FullName;Description;MailAddress;Groups rows, header skipped (the generator's files only)."""
    with open(path, encoding="utf-8") as csv_file:
        return [line.rstrip("\r\n").split(";") for line in csv_file][1:]


def batches(items: list, size: int) -> list[list]:
    return [items[offset:offset + size] for offset in range(0, len(items), size)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--ca-path", required=True)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--domain", default="example.com")
    parser.add_argument("--csv", required=True)
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args(argv)

    rows = read_users(args.csv)
    rpc = Rpc(args.url, args.ca_path)
    token = rpc.call("Session.login", {"userName": args.user, "password": args.password, "application": APPLICATION})["token"]
    rpc.http.headers["X-Token"] = token
    query = {"fields": ["id", "name"], "conditions": [{"fieldName": "name", "comparator": "Eq", "value": args.domain}], "combining": "And"}
    domain_id = rpc.call("Domains.get", {"query": query})["list"][0]["id"]

    group_names = sorted({group for row in rows for group in row[5].split(",")})
    groups_body = rpc.body("Groups.create", {"groups": [
        {"domainId": domain_id, "name": name, "description": "", "emailAddresses": []} for name in group_names
    ]})
    users = [{
        "loginName": name, "fullName": full_name, "description": description, "emailAddresses": addresses.split(",")[1:],
        "isEnabled": True, "domainId": domain_id, "password": password,
    } for name, password, full_name, description, addresses, _groups in rows]
    user_groups = [row[5].split(",") for row in rows]
    user_bodies = [rpc.body("Users.create", {"users": batch}) for batch in batches(users, args.batch_size)]
    calls_before = dict(rpc.calls)

    started = time.perf_counter()
    group_ids = {}
    for created in rpc.send("Groups.create", groups_body)["result"]:
        group_ids[group_names[created["inputIndex"]]] = created["id"]
    members: dict[str, list[str]] = {name: [] for name in group_names}
    for offset, body in zip(range(0, len(users), args.batch_size), user_bodies):
        result = rpc.send("Users.create", body)
        if result["errors"] or len(result["result"]) != len(users[offset:offset + args.batch_size]):
            raise RuntimeError(f"Users.create: {result['errors'][:3]}")
        for created in result["result"]:
            for group in user_groups[offset + created["inputIndex"]]:
                members[group].append(created["id"])
    for name, user_ids in members.items():
        for batch in batches(user_ids, args.batch_size):
            result = rpc.call("Groups.addMemberList", {"groupId": group_ids[name], "userList": batch})
            if result.get("errors"):
                raise RuntimeError(f"Groups.addMemberList: {result['errors'][:3]}")
    seconds = time.perf_counter() - started
    rpc.call("Session.logout")
    calls = {method: count - calls_before.get(method, 0) for method, count in rpc.calls.items()}
    print(json.dumps({"seconds": seconds, "calls": {method: count for method, count in calls.items() if count and method != "Session.logout"}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
