# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Session.login / logout / whoAmI and Version.getApiVersion (reference §2.3, §2.4, §12)."""

from __future__ import annotations

import hmac

from _errors import LOGIN_FAILED, LOGIN_FAILED_MESSAGE, RpcError
from _model import ROLE_RANK, password_digest, role_rank
from _rpc import rpc_method
from _schema import STRING, Struct
from _sessions import Sessions

API_VERSION = 18
# Roles that may use the administration API: from the Auditor ("whole server read only") up. A plain
# user's credentials are "not correct" here.
ADMIN_RANK = ROLE_RANK["Auditor"]


def _find_admin(store, user_name: str, password: str):
    """The account ``user_name`` ("jdoe" in the primary domain, or "jdoe@domain") if the password is right."""
    login_name, at, domain_name = user_name.partition("@")
    domain = store.domain_by_name(domain_name) if at else store.primary_domain()
    user = domain.logins.get(login_name.lower()) if domain else None
    if user is None or user.password_sha256 is None or not user.data["isEnabled"]:
        return None
    if not hmac.compare_digest(user.password_sha256, password_digest(password)):
        return None
    return user if role_rank(user) >= ADMIN_RANK else None


# ``userName`` with a capital N; the lower-case ``username`` of a 7.1.3 client is unverified (reference
# §2.3) and refused as an unknown member. ``application`` is an in-param of the IDL signature, so it is
# required; its members may be empty strings (the Ruby integration test logs in that way).
@rpc_method(
    "Session.login",
    {"userName": STRING, "password": STRING, "application": Struct("ApiApplication", {"name": STRING, "vendor": STRING, "version": STRING})},
    public=True,
)
def login(call):
    user = _find_admin(call.store, call.params["userName"], call.params["password"])
    if user is None:
        raise RpcError(LOGIN_FAILED, LOGIN_FAILED_MESSAGE)
    session = call.app.sessions.open(user.id)
    call.response_headers.append(("Set-Cookie", Sessions.set_cookie_header(session)))
    return {"token": session.token}


@rpc_method("Session.logout")
def logout(call):
    call.app.sessions.close(call.session)
    return {"redirectUrl": "/admin/login/"}


@rpc_method("Session.whoAmI")
def who_am_i(call):
    user = call.user.render()
    return {"userDetails": {key: user[key] for key in ("id", "domainId", "loginName", "fullName", "effectiveRole")}}


@rpc_method("Version.getApiVersion")
def get_api_version(call):
    return {"apiVersion": API_VERSION}
