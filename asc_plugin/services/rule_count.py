"""Counting a page of products against a listing rule column by column, for the live count.

The live count runs while an admin types, over every product of a website (100,000 in the
benchmark). Testing product by product calls a Python function per condition per product; here
each field is read once per page into a column, each condition turns a column into a column of
booleans with C-level loops (``map`` over a set's ``__contains__``, ``str.__contains__``…), and
the columns are combined with ``operator.or_`` / ``and_``. Same semantics as
:func:`asc_plugin.services.rules.query_predicate` (a test compares them rule by rule).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import partial
from itertools import repeat

from ..host import Product, RuleCondition, RuleQuery

NUMBER, CATEGORY = "number", "category"


def _column(key: str, page: Sequence[Product]) -> list:
    """One field of every product of the page, as the rules read it. Values repeat (brands,
    colours, category paths), so each distinct one is normalised once."""
    if key in ("price", "quantity"):
        values = [getattr(p, key) for p in page]
        return [v if v is None or type(v) is Decimal else Decimal(v) for v in values]
    if key == "category":
        paths = [c if type(c) is tuple else tuple(c or ()) for c in (p.category for p in page)]
        folded = {path: tuple(map(str.casefold, path)) for path in set(paths)}
        return [folded[path] for path in paths]
    if key in ("sku", "name"):
        raw = [getattr(p, key) for p in page]
        if key == "sku":  # one per product: nothing repeats
            return [(v or "").casefold() for v in raw]
        texts = {v: (v or "").casefold() for v in set(raw)}
    else:
        code = key.removeprefix("attribute:")
        raw = [p.attributes.get(code) for p in page]
        texts = {v: (v or "").strip().casefold() for v in set(raw)}
    return [texts[v] for v in raw]


ColumnTest = Callable[[list], Iterable[bool]]


def _test(condition: RuleCondition, kind: str) -> ColumnTest:
    """The condition as a function from a column to its booleans, built once per count."""
    op, values = condition.operator, condition.values
    if op in ("is_set", "is_empty"):
        if kind == NUMBER:
            def present(column):
                return map(operator.is_not, column, repeat(None))
        else:
            present = partial(map, bool)  # "" and () are empty
        return present if op == "is_set" else lambda column: map(operator.not_, present(column))
    first, wanted = values[0], frozenset(values)
    if kind in (NUMBER, CATEGORY):
        if kind == NUMBER:  # a product without the number matches no comparison
            compare = {"is": operator.eq, "is_not": operator.ne, "gt": operator.gt,
                       "lt": operator.lt}.get(op)
            check = ((lambda v: v is not None and v in wanted) if compare is None else
                     (lambda v: v is not None and compare(v, first)))
        else:  # every level of the category path counts
            check = {"is": lambda v: first in v, "is_not": lambda v: first not in v,
                     "contains": lambda v: any(first in segment for segment in v),
                     "one_of": lambda v: not wanted.isdisjoint(v)}[op]

        def decide(column):  # once per distinct value of the page
            decided = {value: check(value) for value in set(column)}
            return map(decided.__getitem__, column)
        return decide
    if op == "contains":
        return lambda column: map(operator.contains, column, repeat(first))
    if op == "is_not":
        return partial(map, first.__ne__)
    return partial(map, wanted.__contains__)  # is, one_of


def _merged(query: RuleQuery) -> list[RuleCondition]:
    """With *any*, "is" and "is one of" on one field are one set (the union of the values)."""
    if query.match != "any":
        return list(query.conditions)
    merged: dict[str, list] = {}
    others = []
    for c in query.conditions:
        if c.operator in ("is", "one_of"):
            merged.setdefault(c.field, []).extend(c.values)
        else:
            others.append(c)
    return others + [RuleCondition(field, "one_of", tuple(dict.fromkeys(values)))
                     for field, values in merged.items()]


def counter(query: RuleQuery, kinds: dict[str, str]) -> Callable[[Sequence[Product]], int]:
    """A function counting how many products of a page the rule lists."""
    tests = [(c.field, _test(c, kinds[c.field])) for c in _merged(query)]
    combine = operator.or_ if query.match == "any" else operator.and_

    def count_page(page: Sequence[Product]) -> int:
        if not tests:
            return len(page)
        columns: dict[str, list] = {}
        result: list[bool] = []
        for n, (field, test) in enumerate(tests):
            if field not in columns:
                columns[field] = _column(field, page)
            truth = test(columns[field])
            result = list(truth) if n == 0 else list(map(combine, result, truth))
        return sum(result)

    return count_page


def count_page(query: RuleQuery, kinds: dict[str, str], page: Sequence[Product]) -> int:
    """How many products of the page the rule lists (one page; :func:`counter` for many)."""
    return counter(query, kinds)(page)
