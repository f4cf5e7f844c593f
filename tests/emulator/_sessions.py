# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Admin sessions: a session cookie plus a token that must come back as the X-Token header (reference §2.3, §2.4)."""

from __future__ import annotations

import dataclasses
import hmac
import secrets

COOKIE_NAME = "SESSION_CONNECT_WEBADMIN"


@dataclasses.dataclass(frozen=True)
class Session:
    cookie: str
    token: str
    user_id: str


class Sessions:
    def __init__(self):
        self._by_cookie: dict[str, Session] = {}

    def open(self, user_id: str) -> Session:
        session = Session(cookie=secrets.token_hex(16), token=secrets.token_hex(32), user_id=user_id)
        self._by_cookie[session.cookie] = session
        return session

    def find(self, cookie: str | None, token: str | None) -> Session | None:
        """The session only when the cookie AND the X-Token header both match it."""
        session = self._by_cookie.get(cookie or "")
        if session is None or token is None or not hmac.compare_digest(session.token, token):
            return None
        return session

    def close(self, session: Session) -> None:
        self._by_cookie.pop(session.cookie, None)

    def close_all(self) -> None:
        self._by_cookie.clear()

    @staticmethod
    def set_cookie_header(session: Session) -> str:
        # Attributes per reference Ex 2-A; the emulator serves HTTPS only, so Secure is honest.
        return f"{COOKIE_NAME}={session.cookie}; path=/admin/; Secure; HttpOnly"
