# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Server-side import and export (reference §9): upload, Users.parseFromCsv, Users.exportToCsv, Users.getFromServer."""

from __future__ import annotations

import datetime

import pytest

# The two schemes of the KB article "Importing users in Kerio Connect"; its comma example keeps a ';' header.
SEMICOLON_CSV = """Name;Password;FullName;Description;MailAddress;Groups
abird;VbD66op1;Alexandra Bird;Development;abird;read,all
ewood;Ahdpppu4;Edward Wood;Sales;ewood,wood;sales,all
mtaylor;SpoiuS158;Michael Taylor;Assistant;mtaylor,michael.taylor;all
"""
COMMA_CSV = """Name;Password;FullName;Description;MailAddress;Groups
abird,VbD66op1,Alexandra Bird,Development,abird,"read,all"
ewood,Ahdpppu4,Edward Wood,Sales,"ewood,wood","sales,all"
mtaylor,SpoiuS158,Michael Taylor,Assistant,"mtaylor,michael.taylor",all
"""


def upload(client, content: str | bytes) -> str:
    response = client.upload(content.encode("utf-8") if isinstance(content, str) else content)
    assert response.status_code == 200
    reply = response.json()
    assert reply["id"] is None
    return reply["result"]["fileUpload"]["id"]


def parse(client, content: str, domain: str | None = "example.com") -> list[dict]:
    target = client.domain_id(domain) if domain else "PRESERVE_FROM_CSV"
    return client.result("Users.parseFromCsv", {"fileId": upload(client, content), "domainToImport": target})["users"]


def test_upload_answers_a_file_upload(client):
    reply = client.upload(b"Name\nx\n", "list.csv").json()
    upload_info = reply["result"]["fileUpload"]
    assert (upload_info["name"], upload_info["length"]) == ("list.csv", 7)
    assert upload_info["id"]


def test_upload_needs_a_session(make_client):
    anonymous = make_client(login=False)
    response = anonymous.upload(b"Name\nx\n")
    assert response.status_code == 200
    assert response.json()["error"]["code"] == -32001


@pytest.mark.parametrize("content", [SEMICOLON_CSV, COMMA_CSV])
def test_parse_from_csv_reads_both_schemes(client, content):
    users = parse(client, content)
    sales = client.group_id("sales")
    assert [user["isImportable"] for user in users] == [True, True, True]
    first, second = users[0]["userItem"], users[1]["userItem"]
    assert first["loginName"] == "abird"
    assert first["password"] == "VbD66op1"
    assert (first["fullName"], first["description"]) == ("Alexandra Bird", "Development")
    assert first["emailAddresses"] == ["abird"]
    assert [(group["id"], group["name"]) for group in first["userGroups"]] == [("", "read"), ("", "all")]
    assert second["emailAddresses"] == ["ewood", "wood"]
    assert [(group["id"], group["name"]) for group in second["userGroups"]] == [(sales, "sales"), ("", "all")]
    assert first["domainId"] == client.domain_id()


def test_parse_from_csv_creates_nothing(client, emu):
    parse(client, SEMICOLON_CSV)
    assert "abird" not in emu.users()


def test_columns_may_come_in_any_order_and_only_name_is_required(client):
    users = parse(client, "Groups;Name\nsales;zed\n")
    assert users[0]["userItem"]["loginName"] == "zed"
    assert users[0]["isImportable"]


@pytest.mark.parametrize("content", [
    "FullName;Password\nJohn;x\n",  # no Name column
    "jdoe;Secret;John\n",  # no header at all
    "Name;Shoe size\nx;42\n",  # unknown column
    "Name;Name\nx;y\n",
    "",
])
def test_a_wrong_header_fails_the_whole_parse(client, content):
    error = client.error("Users.parseFromCsv", {"fileId": upload(client, content), "domainToImport": client.domain_id()})
    assert error["code"] == 1000


def test_a_file_that_is_not_utf8_fails_the_parse(client):
    error = client.error("Users.parseFromCsv", {"fileId": upload(client, "Name;FullName\nzoe;Zoë\n".encode("latin-1")), "domainToImport": client.domain_id()})
    assert error["code"] == 1000


def test_rows_a_create_would_refuse_are_not_importable(client):
    users = parse(client, "Name;MailAddress\njdoe;\n;nobody\nbad name;\nfine;full@example.com\nclash;john.doe\nnew;\n")
    assert [user["isImportable"] for user in users] == [False, False, False, False, False, True]
    assert users[0]["message"] == "User jdoe already exists."
    assert all(user["message"] for user in users[:5])


def test_a_password_against_the_domain_policy_is_not_importable(client):
    users = parse(client, "Name;Password\nweak;Short1\nstrong;Long-enough-1\n", "strict.test")
    assert [user["isImportable"] for user in users] == [False, True]


def test_a_row_with_the_wrong_number_of_fields_is_not_importable(client):
    users = parse(client, "Name;FullName\nalpha;Alpha;extra\nbeta;Beta\n")
    assert [user["isImportable"] for user in users] == [False, True]


def test_preserve_from_csv_takes_the_domain_from_the_name(client):
    users = parse(client, "Name\nnew.one@strict.test\nplain\nlost@unknown.test\n", domain=None)
    assert [user["userItem"]["domainId"] for user in users[:2]] == [client.domain_id("strict.test"), client.domain_id()]
    assert [user["userItem"]["loginName"] for user in users[:2]] == ["new.one", "plain"]
    assert [user["isImportable"] for user in users] == [True, True, False]


def test_a_name_of_another_domain_is_not_importable_into_this_one(client):
    users = parse(client, "Name\nnew.one@strict.test\nnew.two@example.com\n")
    assert [user["isImportable"] for user in users] == [False, True]


def test_parse_needs_an_uploaded_file(client):
    assert client.error("Users.parseFromCsv", {"fileId": "nothing", "domainToImport": client.domain_id()})["code"] == 1002


def test_export_to_csv_is_downloaded_with_the_session(client, make_client):
    query = {"conditions": [{"fieldName": "userGroups", "comparator": "Eq", "value": client.group_id("sales")}]}
    download = client.result("Users.exportToCsv", {"filename": "sales", "query": query, "domainId": client.domain_id()})["fileDownload"]
    assert download["name"] == f"user_example.com_sales_{datetime.date.today().isoformat()}.csv"
    response = client.get(download["url"])
    assert response.status_code == 200
    assert response.content.decode("utf-8").splitlines() == [
        "Name;FullName;Description;MailAddress;Groups",
        "jdoe;John Doe;Sales lead;john.doe;sales",
        "bwhite;bob White;Sales;;sales,support",
    ]
    assert len(response.content) == download["length"]
    assert make_client(login=False).get(download["url"]).json()["error"]["code"] == -32001


def test_export_to_csv_refuses_unknown_fields_like_users_get(client):
    query = {"fields": ["nonsense"]}
    assert client.error("Users.exportToCsv", {"filename": "all", "query": query, "domainId": client.domain_id()})["code"] == -32602


def test_export_to_csv_takes_no_quicksearch(client):
    # QUICKSEARCH is "supported only in Users.get" (reference §6.2).
    query = {"conditions": [{"fieldName": "QUICKSEARCH", "comparator": "Eq", "value": "jdoe"}]}
    assert client.error("Users.exportToCsv", {"filename": "all", "query": query, "domainId": client.domain_id()})["code"] == -32602
    assert [user["loginName"] for user in client.users(fields=["loginName"], **query)] == ["jdoe"]


def test_an_export_parses_back(client):
    download = client.result("Users.exportToCsv", {"filename": "all", "query": {}, "domainId": client.domain_id()})["fileDownload"]
    users = parse(client, client.get(download["url"]).content.decode("utf-8"), "strict.test")
    assert [user["userItem"]["loginName"] for user in users] == ["admin", "jdoe", "asmith", "bwhite", "Carl.Young"]


def test_get_from_server_lists_an_nt_domain(client, emu):
    server = {"directoryType": "WinNT", "remoteDomainName": "corp", "address": "", "loginName": "", "password": "", "ldapFilter": "",
              "isSecureConnection": False}
    users = client.result("Users.getFromServer", {"importServer": server, "domainToImport": client.domain_id()})["newUsers"]
    assert [(user["userItem"]["loginName"], user["isImportable"]) for user in users] == [("pnovak", True), ("jdoe", False), ("bad name", False)]
    assert users[1]["message"] == "User jdoe already exists."
    assert users[0]["message"] == ""
    assert users[0]["userItem"]["emailAddresses"] == ["petr.novak"]
    assert [group["name"] for group in users[0]["userItem"]["userGroups"]] == ["accounting"]
    assert "pnovak" not in emu.users()


def test_an_unknown_nt_domain_is_a_directory_service_error(client):
    server = {"directoryType": "WinNT", "remoteDomainName": "ELSEWHERE"}
    error = client.error("Users.getFromServer", {"importServer": server, "domainToImport": client.domain_id()})
    assert (error["code"], error["message"]) == (1000, "Directory service error: %1.")


def test_an_unreachable_directory_is_a_directory_service_error(client):
    server = {"directoryType": "ActiveDirectory", "remoteDomainName": "corp.example.test", "address": "127.0.0.1:9", "loginName": "Administrator",
              "password": "x", "ldapFilter": "", "isSecureConnection": False}
    error = client.error("Users.getFromServer", {"importServer": server, "domainToImport": client.domain_id()})
    assert (error["code"], error["message"]) == (1000, "Directory service error: %1.")


def test_the_directory_type_is_an_enum(client):
    server = {"directoryType": "WindowsNT", "remoteDomainName": "CORP"}
    assert client.error("Users.getFromServer", {"importServer": server, "domainToImport": client.domain_id()})["code"] == -32602
