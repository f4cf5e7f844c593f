# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The JSON-RPC envelope (reference §2): HTTP 200 always, id echoed, the -327xx/-326xx codes."""

from __future__ import annotations

import json

import pytest


def test_invalid_json_is_a_parse_error_with_a_null_id(client):
    response = client.post(b'{"jsonrpc": "2.0", "id": 5, "method": ')
    assert response.status_code == 200
    assert response.json() == {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error."}}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_not_json_and_are_a_parse_error(client, constant):
    for body in (f'{{"jsonrpc": "2.0", "id": {constant}, "method": "Version.getApiVersion"}}',
                 f'{{"jsonrpc": "2.0", "id": 1, "method": "Users.get", "params": {{"query": {{"limit": {constant}}}, "domainId": "x"}}}}'):
        response = client.post(body.encode("utf-8"))
        assert response.status_code == 200
        assert response.json() == {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error."}}


@pytest.mark.parametrize("request_body", [
    {"id": 1, "method": "Session.whoAmI"},  # no jsonrpc
    {"jsonrpc": "1.0", "id": 1, "method": "Session.whoAmI"},
    {"jsonrpc": "2.0", "id": 1},  # no method
    {"jsonrpc": "2.0", "id": 1, "method": 7},
    {"jsonrpc": "2.0", "id": 1, "method": "Session.whoAmI", "params": [1, 2]},
    {"jsonrpc": "2.0", "id": 1, "method": "Session.whoAmI", "params": "x"},
    {"jsonrpc": "2.0", "id": 1, "method": "Session.whoAmI", "params": 3},
    {"jsonrpc": "2.0", "id": 1, "method": "Session.whoAmI", "extra": True},
])
def test_a_bad_envelope_is_an_invalid_request(client, request_body):
    reply = client.post(request_body)
    assert reply.status_code == 200
    assert reply.json()["error"]["code"] == -32600
    assert reply.json()["id"] == 1


def test_a_batch_array_is_refused(client):
    reply = client.post([{"jsonrpc": "2.0", "id": 1, "method": "Session.whoAmI"}]).json()
    assert reply["error"]["code"] == -32600
    assert reply["id"] is None


@pytest.mark.parametrize("request_id", [7, "Null", 0.5, None, "abc-1", 10 ** 18])
def test_the_id_is_echoed_unchanged(client, request_id):
    reply = client.post({"jsonrpc": "2.0", "id": request_id, "method": "Version.getApiVersion"}).json()
    assert reply["id"] == request_id
    assert isinstance(reply["result"]["apiVersion"], int)


@pytest.mark.parametrize("path", ["/admin/api/jsonrpc/", "/admin/api/jsonrpc"])
def test_both_endpoint_paths_answer(client, path):
    reply = client.post({"jsonrpc": "2.0", "id": 1, "method": "Session.whoAmI"}, path=path).json()
    assert reply["result"]["userDetails"]["loginName"] == "admin"


@pytest.mark.parametrize("params", ["missing", None, "", {}])
def test_missing_null_empty_string_and_empty_object_params_mean_no_params(client, params):
    request = {"jsonrpc": "2.0", "id": 1, "method": "Session.whoAmI"}
    if params != "missing":
        request["params"] = params
    assert "result" in client.post(request).json()


def test_the_body_token_member_is_tolerated(client):
    reply = client.post({"jsonrpc": "2.0", "id": 1, "method": "Session.whoAmI", "token": client.token}).json()
    assert "result" in reply


def test_an_unknown_method_is_method_not_found(client):
    error = client.error("Users.importFromServer", {})
    assert error["code"] == -32601


def test_the_content_type_of_the_request_is_not_validated(client):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "Session.whoAmI"})
    response = client.post(body, headers={"Content-Type": "ApiApplication/json-rpc"})
    assert "result" in response.json()


@pytest.mark.parametrize("method, params, detail", [
    ("Users.get", {"query": {}}, "domainId"),  # missing required param
    ("Users.get", {"query": {}, "domainId": 5}, "domainId"),  # wrong type
    ("Users.get", {"query": {}, "domainId": "x", "domainid": "x"}, "domainid"),  # unknown param
    ("Users.get", {"query": {"limit": "10"}, "domainId": "x"}, "limit"),
    ("Users.get", {"query": {"conditions": [{"fieldName": "loginName", "comparator": "Eq", "value": 1}]}, "domainId": "x"}, "value"),
    ("Users.get", {"query": {"conditions": [{"fieldName": "loginName", "comparator": 0, "value": "a"}]}, "domainId": "x"}, "comparator"),
    ("Users.create", {"users": [{"loginName": "x"}]}, "domainId"),
    ("Users.create", {"users": [{"domainId": "x", "loginName": "x", "isEnabled": "yes"}]}, "isEnabled"),
    ("Users.create", {"users": [{"domainId": "x", "loginName": "x", "nickName": "y"}]}, "nickName"),
    ("Users.create", {"users": [{"domainId": "x", "loginName": "x", "diskSizeLimit": {"isActive": True}}]}, "limit"),
    ("Users.create", {"users": [{"domainId": "x", "loginName": "x", "diskSizeLimit": {"isActive": True, "limit": {"value": 1}}}]}, "units"),
    ("Users.set", {"userIds": ["x"], "pattern": {"role": {"userRole": "UserRole"}}}, "role lacks"),
    ("Users.set", {"userIds": ["x"], "pattern": {"itemLimit": {"isActive": True, "limit": 1.5}}}, "limit"),
    ("Users.create", {"users": [{"domainId": "x", "loginName": "x", "userGroups": "sales"}]}, "userGroups"),
    ("Users.remove", {"requests": [{"userId": "x"}]}, "method"),
    ("Groups.removeMemberList", {"groupId": "x", "userList": ["y"]}, "userList"),
    ("Groups.addMemberList", {"groupId": "x", "userIds": ["y"]}, "userIds"),
    ("Session.whoAmI", {"verbose": True}, "verbose"),
])
def test_bad_params_are_invalid_params(client, method, params, detail):
    error = client.error(method, params)
    assert error["code"] == -32602
    assert detail in error["data"]["messageParameters"]["positionalParameters"][0]


def test_errors_carry_message_parameters(client):
    error = client.error("Nope.nothing")
    assert error["message"] == "Method %1 not found."
    assert error["data"]["messageParameters"] == {"positionalParameters": ["Nope.nothing"], "plurality": 1}


def test_get_on_the_endpoint_is_not_served(client):
    assert client.get("/admin/api/jsonrpc/").status_code == 405
