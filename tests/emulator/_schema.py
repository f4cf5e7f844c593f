# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Type specs for params and structs, and the check that turns a mismatch into -32602.

The emulator is stricter than a client needs: a wrong type, an unknown struct member or an
incomplete "value struct" (reference §3: "all fields must be assigned if used in set methods")
fails the whole call, so a client that sends such a thing finds out in its tests.

A mismatch is raised as ``Mismatch`` and each enclosing struct or list adds its part of the path on
the way out, so a valid value (the common case, 100,000 times in a bulk import) costs no strings.
"""

from __future__ import annotations

from _errors import invalid_params


class Mismatch(Exception):
    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem
        self.path: list[str] = []


class Spec:
    """One expected JSON type."""

    name = "value"

    def check(self, value) -> None:
        """Raise Mismatch if ``value`` does not fit."""
        raise NotImplementedError

    def validate(self, value, root: str) -> None:
        """Check a whole document; a mismatch becomes -32602 naming where it is, e.g. params.users[3].loginName."""
        try:
            self.check(value)
        except Mismatch as mismatch:
            raise invalid_params(f"{root}{''.join(reversed(mismatch.path))} {mismatch.problem}") from None


class Scalar(Spec):
    def __init__(self, name: str, python_type: type):
        self.name = name
        self.python_type = python_type

    def check(self, value) -> None:
        # bool is a subclass of int in Python, but not an int in JSON.
        if not isinstance(value, self.python_type) or (self.python_type is int and isinstance(value, bool)):
            raise Mismatch(f"must be {self.name}")


class AnyValue(Spec):
    """A member whose content the emulator keeps but does not model (opaque domain settings)."""

    def check(self, value) -> None:
        return None


class Enum(Spec):
    """Enums travel as their name strings (reference §3); ordinals are refused."""

    def __init__(self, name: str, *values: str):
        self.name = name
        self.values = frozenset(values)

    def check(self, value) -> None:
        if not isinstance(value, str) or value not in self.values:
            raise Mismatch(f"must be one of {', '.join(sorted(self.values))}")


class ListOf(Spec):
    def __init__(self, item: Spec):
        self.item = item
        self.name = f"list of {item.name}"

    def check(self, value) -> None:
        if not isinstance(value, list):
            raise Mismatch("must be a list")
        for index, item in enumerate(value):
            try:
                self.item.check(item)
            except Mismatch as mismatch:
                mismatch.path.append(f"[{index}]")
                raise


class Struct(Spec):
    """A JSON object with known members. ``complete`` marks a value struct: every member is required."""

    def __init__(self, name: str, members: dict, *, required=(), complete: bool = False):
        self.name = name
        self.members = members
        self.required = frozenset(members) if complete else frozenset(required)

    def check(self, value) -> None:
        if not isinstance(value, dict):
            raise Mismatch(f"must be a {self.name} object")
        for key, item in value.items():
            member = self.members.get(key)
            if member is None:
                raise Mismatch(f"has an unknown member '{key}'")
            try:
                member.check(item)
            except Mismatch as mismatch:
                mismatch.path.append(f".{key}")
                raise
        if not self.required.issubset(value.keys()):
            raise Mismatch(f"lacks the member '{sorted(self.required - value.keys())[0]}'")


class OneOf(Spec):
    """Either of two shapes; used where the reference cannot tell which one the server uses."""

    def __init__(self, *options: Spec):
        self.options = options
        self.name = " or ".join(option.name for option in options)

    def check(self, value) -> None:
        for option in self.options:
            try:
                option.check(value)
                return
            except Mismatch:
                continue
        raise Mismatch(f"must be {self.name}")


STRING = Scalar("a string", str)
INT = Scalar("an integer", int)
BOOL = Scalar("a boolean", bool)
NULL = Scalar("null", type(None))
ANY = AnyValue()


def check_params(spec: Struct, params) -> dict:
    """Validate a method's named params; missing, null, "" and {} all mean "no params" (reference §2.2)."""
    if params in (None, ""):
        params = {}
    spec.validate(params, "params")
    return params
