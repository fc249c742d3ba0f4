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
from collections.abc import Sequence
from decimal import Decimal
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
        folded = {v: (v or "").casefold() for v in set(raw)}
    else:
        code = key.removeprefix("attribute:")
        raw = [p.attributes.get(code) for p in page]
        folded = {v: (v or "").strip().casefold() for v in set(raw)}
    return [folded[v] for v in raw]


def _truth(condition: RuleCondition, kind: str, column: list):
    """An iterable of booleans: the condition on each value of the column."""
    op, values = condition.operator, condition.values
    if op in ("is_set", "is_empty"):
        if kind == NUMBER:
            truth = [v is not None for v in column]
        else:
            truth = map(bool, column)  # "" and () are empty
        return truth if op == "is_set" else map(operator.not_, truth)
    first, wanted = values[0], frozenset(values)
    if kind == NUMBER:  # a product without the number matches no comparison
        if op == "one_of":
            return [v is not None and v in wanted for v in column]
        compare = {"is": operator.eq, "is_not": operator.ne, "gt": operator.gt,
                   "lt": operator.lt}[op]
        return [v is not None and compare(v, first) for v in column]
    if kind == CATEGORY:  # every level of the path counts; decided once per distinct path
        test = {"is": lambda v: first in v, "is_not": lambda v: first not in v,
                "contains": lambda v: any(first in segment for segment in v),
                "one_of": lambda v: not wanted.isdisjoint(v)}[op]
        decided = {path: test(path) for path in set(column)}
        return map(decided.__getitem__, column)
    if op == "contains":
        return map(operator.contains, column, repeat(first))
    if op == "is_not":
        return map(first.__ne__, column)
    return map(wanted.__contains__, column)  # is, one_of


def count_page(query: RuleQuery, kinds: dict[str, str], page: Sequence[Product]) -> int:
    """How many products of the page the rule lists."""
    if not query.conditions:
        return len(page)
    columns = {key: _column(key, page) for key in dict.fromkeys(c.field for c in query.conditions)}
    combine = operator.or_ if query.match == "any" else operator.and_
    result = None
    for condition in query.conditions:
        truth = _truth(condition, kinds[condition.field], columns[condition.field])
        result = list(truth) if result is None else list(map(combine, result, truth))
    return sum(result)
