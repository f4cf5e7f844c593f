# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The query engine behind every ``*.get``: conditions, combining, ordering, paging and projection.

SearchQuery semantics (reference §3, §6.2, §10): conditions all-And or all-Or; ``Like`` is "contains
substring, % is wild character"; ``totalItems`` counts before paging; ``limit`` -1 or missing = all.
String comparisons ignore case (Kerio's are documented nowhere; ignoring case matches how login names
and addresses behave). Filtering and sorting are done once per query shape and cached until the next
change, so paging through 100,000 users costs one sort, not one per page.
"""

from __future__ import annotations

import collections
import operator
import re

from _errors import invalid_params
from _jsontext import JsonArray
from _schema import BOOL, INT, STRING, Enum, ListOf, Struct

COMPARATORS = ("Eq", "NotEq", "LessThan", "GreaterThan", "LessEq", "GreaterEq", "Like")
SUB_CONDITION = Struct(
    "SubCondition", {"fieldName": STRING, "comparator": Enum("CompareOperator", *COMPARATORS), "value": STRING}, complete=True
)
SORT_ORDER = Struct(
    "SortOrder",
    {"columnName": STRING, "direction": Enum("SortDirection", "Asc", "Desc"), "caseSensitive": BOOL},
    required=("columnName", "direction"),
)
SEARCH_QUERY = Struct("SearchQuery", {
    "fields": ListOf(STRING),
    "conditions": ListOf(SUB_CONDITION),
    "combining": Enum("LogicalOperator", "And", "Or"),
    "start": INT,
    "limit": INT,
    "orderBy": ListOf(SORT_ORDER),
})

_ORDERING = {
    "Eq": operator.eq, "NotEq": operator.ne, "LessThan": operator.lt,
    "GreaterThan": operator.gt, "LessEq": operator.le, "GreaterEq": operator.ge,
}
_BOOL_VALUES = {"true": True, "1": True, "false": False, "0": False}
_SORTABLE_KINDS = ("str", "int", "bool")
_CACHE_SIZE = 8


def _kind(spec) -> str:
    """How a member compares: as text, number, boolean, list of texts, or not at all (a struct)."""
    if spec is STRING or isinstance(spec, Enum):
        return "str"
    if spec is INT:
        return "int"
    if spec is BOOL:
        return "bool"
    if isinstance(spec, ListOf) and spec.item is STRING:
        return "list"
    return "struct"


def string_test(comparator: str, value: str):
    """A case-insensitive test of one string against a condition's value."""
    if comparator == "Like":
        pattern = re.compile(".*".join(re.escape(part) for part in value.split("%")), re.IGNORECASE | re.DOTALL)
        return lambda text: pattern.search(text) is not None
    compare, wanted = _ORDERING[comparator], value.lower()
    return lambda text: compare(text.lower(), wanted)


def _value_test(kind: str, comparator: str, value: str, field: str):
    if kind == "str":
        return string_test(comparator, value)
    if kind == "list" and comparator in ("Eq", "Like"):
        item_test = string_test(comparator, value)
        return lambda items: any(item_test(item) for item in items)
    if kind == "list" and comparator == "NotEq":
        item_test = string_test("Eq", value)
        return lambda items: not any(item_test(item) for item in items)
    if kind == "int" and comparator in _ORDERING:
        try:
            number = int(value)
        except ValueError:
            raise invalid_params(f"condition on {field} needs a number, not '{value}'") from None
        compare = _ORDERING[comparator]
        return lambda item: compare(item, number)
    if kind == "bool" and comparator in ("Eq", "NotEq") and value.lower() in _BOOL_VALUES:
        compare, wanted = _ORDERING[comparator], _BOOL_VALUES[value.lower()]
        return lambda item: compare(item, wanted)
    raise invalid_params(f"field {field} cannot be compared with {comparator} '{value}'")


class Collection:
    """What the engine knows about one kind of entity.

    ``special`` maps pseudo-fields (QUICKSEARCH, userGroups) to a function (comparator, value) ->
    predicate on an entity. ``hidden`` members may be asked for but are never returned (password).
    """

    def __init__(self, name: str, spec: Struct, *, hidden=(), special=None, not_in_conditions=(), not_in_or=()):
        self.name = name
        self.kinds = {member: _kind(member_spec) for member, member_spec in spec.members.items()}
        self.hidden = frozenset(hidden)
        self.special = special or {}
        self.not_in_conditions = frozenset(not_in_conditions) | self.hidden
        self.not_in_or = frozenset(not_in_or)

    def predicate(self, condition: dict, combining: str):
        field, comparator, value = condition["fieldName"], condition["comparator"], condition["value"]
        if field in self.special:
            return self.special[field](comparator, value)
        if field not in self.kinds or field in self.not_in_conditions:
            raise invalid_params(f"field {field} cannot be used in conditions of {self.name}")
        if combining == "Or" and field in self.not_in_or:
            raise invalid_params(f"field {field} cannot be used with Or queries")
        test = _value_test(self.kinds[field], comparator, value, field)
        return lambda entity: test(entity.value(field))

    def sort_key(self, order: dict):
        field = order["columnName"]
        if self.kinds.get(field) not in _SORTABLE_KINDS or field in self.hidden:
            raise invalid_params(f"{self.name} cannot be sorted by {field}")
        if self.kinds[field] == "str" and not order.get("caseSensitive", False):
            return lambda entity: entity.value(field).lower()
        return lambda entity: entity.value(field)

    def check_fields(self, fields: list) -> None:
        for field in fields:
            if field not in self.kinds:
                raise invalid_params(f"{self.name} has no field {field}")

    def projection(self, fields: list) -> list | None:
        """The members to return; None means all of them."""
        visible = [field for field in fields if field not in self.hidden]
        return visible if fields else None


class QueryEngine:
    """Runs queries; remembers the filtered, sorted result of the last few query shapes."""

    def __init__(self):
        self._cache: collections.OrderedDict = collections.OrderedDict()

    def run(self, collection: Collection, query: dict, scope: str, entities, generation: int) -> tuple[JsonArray, int]:
        """Return (the page as JSON texts, totalItems). ``entities`` is called only on a cache miss."""
        page, total = self.page(collection, query, scope, entities, generation)
        fields = collection.projection(query.get("fields", []))
        return JsonArray(entity.to_json(fields) for entity in page), total

    def page(self, collection: Collection, query: dict, scope: str, entities, generation: int) -> tuple[list, int]:
        """Return (the entities of the page, totalItems).

        The whole query is checked here, ``fields`` too, so a caller that renders the entities its own
        way (Users.exportToCsv) refuses the same queries as a ``*.get``."""
        collection.check_fields(query.get("fields", []))
        start, limit = query.get("start", 0), query.get("limit", -1)
        if start < 0 or limit < -1:
            raise invalid_params("start must be >= 0 and limit >= -1")
        rows = self._matching(collection, query, scope, entities, generation)
        return (rows[start:] if limit == -1 else rows[start:start + limit]), len(rows)

    def _matching(self, collection: Collection, query: dict, scope: str, entities, generation: int) -> list:
        conditions = query.get("conditions", [])
        # The default for a missing combining is undocumented (GO sends "Or"); "And" is the stricter one.
        combining = query.get("combining", "And")
        orders = query.get("orderBy", [])
        predicates = [collection.predicate(condition, combining) for condition in conditions]
        sort_keys = [(collection.sort_key(order), order["direction"] == "Desc") for order in orders]
        key = (
            collection.name, scope, combining,
            tuple((c["fieldName"], c["comparator"], c["value"]) for c in conditions),
            tuple((o["columnName"], o["direction"], o.get("caseSensitive", False)) for o in orders),
        )
        cached = self._cache.get(key)
        if cached is not None and cached[0] == generation:
            self._cache.move_to_end(key)
            return cached[1]
        rows = list(entities())
        if predicates:
            join = all if combining == "And" else any
            rows = [entity for entity in rows if join(test(entity) for test in predicates)]
        for sort_key, descending in reversed(sort_keys):  # stable sorts, last key first
            rows.sort(key=sort_key, reverse=descending)
        self._cache[key] = (generation, rows)
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return rows
