"""Listing rules (the seed's 清單規則): which products of a store's website go to Amazon.

A rule is a list of conditions on a product's fields — its attributes, price, quantity,
category, SKU and name — combined with *all* or *any*. Which operators a field offers depends on
its kind (text, number, category). A store without a rule, or with its rule disabled, lists every
product of its website, as Adobe's channel does.

Rules are compiled once into a predicate, so counting matches over a large catalog (the live
count while an admin edits) evaluates plain Python per product.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from ..host import Product, RuleCondition, RuleQuery
from ..i18n import N_, _
from ..models import ActivityEvent, ActivityOutcome, ListingCondition, ListingRule, Store
from ..state import plugin_state
from . import activity, rule_count

TEXT, NUMBER, CATEGORY = "text", "number", "category"
#: operator -> (label, the kinds it applies to, whether it takes a value)
OPERATORS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "is": (N_("is"), (TEXT, NUMBER, CATEGORY), True),
    "is_not": (N_("is not"), (TEXT, NUMBER, CATEGORY), True),
    "contains": (N_("contains"), (TEXT, CATEGORY), True),
    "one_of": (N_("is one of"), (TEXT, NUMBER, CATEGORY), True),
    "gt": (N_("is greater than"), (NUMBER,), True),
    "lt": (N_("is less than"), (NUMBER,), True),
    "is_set": (N_("is set"), (TEXT, NUMBER, CATEGORY), False),
    "is_empty": (N_("is empty"), (TEXT, NUMBER, CATEGORY), False),
}
MATCHES = ("all", "any")
#: Conditions a listing rule can have, and values an "is one of" list can have: what one live
#: count (a request while the admin types) may be asked to test per product.
MAX_CONDITIONS = 20
MAX_VALUES = 100
#: Numbers in conditions stay below this (a price or a quantity; SQL compares them exactly).
NUMBER_LIMIT = Decimal(10) ** 12
#: Products read from the host per page while counting or evaluating.
PAGE = 1000


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str


def fields() -> list[Field]:
    """The fields a condition can test: the product's own, then the host's attributes."""
    own = [Field("sku", _("SKU"), TEXT), Field("name", _("Product name"), TEXT),
           Field("price", _("Price"), NUMBER), Field("quantity", _("Quantity in stock"), NUMBER),
           Field("category", _("Category"), CATEGORY)]
    attributes = [Field(f"attribute:{a.code}", _("Attribute: %(label)s", label=a.label), TEXT)
                  for a in plugin_state().host.product_attributes()
                  if a.code not in ("sku", "name")]
    return own + attributes


def field_by_key(key: str) -> Field | None:
    return next((f for f in fields() if f.key == key), None)


def operators_for(kind: str) -> list[str]:
    return [op for op, (_label, kinds, _takes) in OPERATORS.items() if kind in kinds]


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: str = ""


def problem(condition: Condition, *, limits: bool = True) -> str | None:
    """Why a condition cannot be used, for the merchant; None when it can. ``limits``: also
    what an edited rule may not exceed (a rule stored before a limit existed keeps working)."""
    found = field_by_key(condition.field)
    if found is None:
        return _("Choose a field.")
    if condition.operator not in operators_for(found.kind):
        return _("Choose how to compare.")
    if OPERATORS[condition.operator][2]:
        values = _values(condition.value) if condition.operator == "one_of" else [
            condition.value.strip()]
        if not any(values):
            return _("Enter a value.")
        if limits and len(values) > MAX_VALUES:
            return _("An “is one of” list takes at most %(num)d values; this one has "
                     "%(count)d.", num=MAX_VALUES, count=len(values))
        if found.kind == NUMBER and any(
                (n := _number(v)) is None or (limits and abs(n) >= NUMBER_LIMIT) for v in values):
            return _("Enter a number, like 19.99.")
    return None


def _values(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(" ", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _reader(key: str) -> Callable[[Product], object]:
    """How to read a field from a product: text (casefolded), a number, or category names."""
    if key == "sku":
        return lambda p: (p.sku or "").casefold()
    if key == "name":
        return lambda p: (p.name or "").casefold()
    if key in ("price", "quantity"):
        return lambda p: None if (value := getattr(p, key)) is None else Decimal(value)
    if key == "category":
        return lambda p: tuple(segment.casefold() for segment in (p.category or ()))
    code = key.removeprefix("attribute:")
    return lambda p: (p.attributes.get(code) or "").strip().casefold()


def rule_query(conditions: Sequence[Condition], match: str, *, limits: bool = True
               ) -> RuleQuery:
    """The usable conditions, parsed once: what the predicate and a host's SQL work from."""
    kinds = {f.key: f.kind for f in fields()}
    parsed = []
    for c in conditions:
        if problem(c, limits=limits) is not None:
            continue
        raw = (_values(c.value) if c.operator == "one_of" else [c.value]) if OPERATORS[
            c.operator][2] else []
        values: list[str | Decimal] = (
            [n for v in raw if (n := _number(v)) is not None]  # problem() let numbers only
            if kinds[c.field] == NUMBER else [v.strip().casefold() for v in raw])
        parsed.append(RuleCondition(c.field, c.operator, tuple(dict.fromkeys(values))))
    return RuleQuery("any" if match == "any" else "all", tuple(parsed))


def _check(condition: RuleCondition, kind: str) -> Callable[[object], bool]:
    """The condition as a test of the field's value (read by :func:`_reader`)."""
    op, values = condition.operator, condition.values
    if op == "is_set":
        return lambda v: v is not None and v != "" and v != ()
    if op == "is_empty":
        return lambda v: v is None or v == "" or v == ()
    first, wanted = values[0], frozenset(values)  # "is one of": a set lookup per product
    if kind == NUMBER:  # a product without the number matches no comparison
        return {"is": lambda v: v is not None and v == first,
                "is_not": lambda v: v is not None and v != first,
                "gt": lambda v: v is not None and v > first,
                "lt": lambda v: v is not None and v < first,
                "one_of": lambda v: v is not None and v in wanted}[op]
    if kind == CATEGORY:  # a product is "in" every level of its category path
        return {"is": lambda v: first in v, "is_not": lambda v: first not in v,
                "contains": lambda v: any(first in segment for segment in v),
                "one_of": lambda v: not wanted.isdisjoint(v)}[op]
    return {"is": lambda v: v == first, "is_not": lambda v: v != first,
            "contains": lambda v: first in v, "one_of": lambda v: v in wanted}[op]


def predicate(conditions: Sequence[Condition], match: str) -> Callable[[Product], bool]:
    """One function deciding whether a product is listed (usable conditions only; a stored
    rule is used as it was saved, whatever limits came later)."""
    return query_predicate(rule_query(conditions, match, limits=False))


def query_predicate(query: RuleQuery) -> Callable[[Product], bool]:
    if not query.conditions:
        return lambda _product: True
    kinds = {f.key: f.kind for f in fields()}
    keys = list(dict.fromkeys(c.field for c in query.conditions))
    readers = [_reader(key) for key in keys]
    checks = [(keys.index(c.field), _check(c, kinds[c.field])) for c in query.conditions]
    if query.match == "all":  # stops at the first failing condition, reading only its field
        tests = [(readers[n], check) for n, check in checks]
        return lambda product: all(check(read(product)) for read, check in tests)

    def any_holds(product: Product) -> bool:  # each field read (and casefolded) once
        values = [read(product) for read in readers]
        return any(check(values[n]) for n, check in checks)

    return any_holds


def products(store: Store) -> Iterator[Product]:
    """Every product of the store's website, page by page from the host."""
    for page in _pages(store):
        yield from page


def _pages(store: Store) -> Iterator[list[Product]]:
    host, after = plugin_state().host, None
    while True:
        page = list(host.products(store.website_id, after=after, limit=PAGE))
        yield page
        if len(page) < PAGE:
            return
        after = page[-1].id


#: Suggestions offered per rule input, and how many products the fallback reads for them.
SUGGESTIONS = 200
SUGGESTION_SCAN = 5000


def suggestions(store: Store, field_key: str) -> list[str]:
    """The host's own values for a category or attribute condition (typo-proof inputs): the
    host's optional ``field_values``, else the distinct values of the website's first products."""
    found = field_by_key(field_key)
    if found is None or found.kind not in (TEXT, CATEGORY) or field_key in ("sku", "name"):
        return []
    name = "category" if found.kind == CATEGORY else field_key.removeprefix("attribute:")
    answer = None
    ask = getattr(plugin_state().host, "field_values", None)
    if callable(ask):
        answer = ask(store.website_id, name, SUGGESTIONS)
    if answer is None:
        seen: set[str] = set()
        for n, product in enumerate(products(store)):
            if n >= SUGGESTION_SCAN or len(seen) >= SUGGESTIONS:
                break
            values = product.category if name == "category" else [
                product.attributes.get(name) or ""]
            seen.update(str(v).strip() for v in values if v and str(v).strip())
        answer = seen
    return sorted({str(v)[:VALUE_SUGGESTION_MAX] for v in answer if v}, key=str.casefold)[
        :SUGGESTIONS]


VALUE_SUGGESTION_MAX = 200


def count(store: Store, conditions: Sequence[Condition], match: str) -> tuple[int, int]:
    """(products the rule lists, products of the website) — the live count while editing.

    A host with its products in a database counts in its own query (``count_matching``);
    otherwise every product is read and tested here."""
    query = rule_query(conditions, match)
    host = plugin_state().host
    counter = getattr(host, "count_matching", None)
    if counter is not None:
        listed = counter(store.website_id, query)
        if listed is not None:
            return int(listed), int(host.product_count(store.website_id))
    count_page = rule_count.counter(query, {f.key: f.kind for f in fields()})
    total = matching = 0
    for page in _pages(store):
        total += len(page)
        matching += count_page(page)
    return matching, total


# --- Stored rules ------------------------------------------------------------------------------

def rule_of(store: Store) -> ListingRule | None:
    return plugin_state().session.scalar(
        sa.select(ListingRule).where(ListingRule.store_id == store.id))


def conditions_of(rule: ListingRule | None) -> list[Condition]:
    if rule is None:
        return []
    return [Condition(c.field, c.operator, c.value) for c in rule.conditions]


def active_predicate(store: Store) -> tuple[Callable[[Product], bool], int]:
    """The store's rule as a predicate (everything when there is none or it is disabled), and
    its version."""
    rule = rule_of(store)
    if rule is None or not rule.enabled:
        return (lambda _product: True), (rule.version if rule else 0)
    return predicate(conditions_of(rule), rule.match), rule.version


def save(store: Store, conditions: Iterable[Condition], *, match: str, enabled: bool) -> bool:
    """Store the store's rule (flushed; the view commits); True when anything changed."""
    conditions = [c for c in conditions if problem(c) is None][:MAX_CONDITIONS]
    match = match if match in MATCHES else "all"
    session = plugin_state().session
    rule = rule_of(store)
    if rule is None:
        rule = ListingRule(store_id=store.id, match=match, enabled=enabled, version=0)
        session.add(rule)
    elif (conditions_of(rule), rule.match, rule.enabled) == (conditions, match, enabled):
        return False
    rule.match, rule.enabled = match, enabled
    rule.version += 1
    rule.conditions = [ListingCondition(position=n, field=c.field, operator=c.operator,
                                        value=c.value.strip())
                       for n, c in enumerate(conditions)]
    activity.record(store, ActivityEvent.RULE_CHANGED, ActivityOutcome.SUCCESS, params={
        "conditions": [[c.field, c.operator, c.value.strip()] for c in conditions],
        "match": match, "enabled": enabled})
    session.flush()
    return True


def describe(conditions: Sequence[Condition], match: str, enabled: bool) -> str:
    """What the rule lists, in one sentence (the dashboard, the activity log)."""
    if not enabled:
        return _("The listing rule is off: every product of the website is listed.")
    if not conditions:
        return _("The listing rule has no conditions: every product of the website is listed.")
    labels = {f.key: f.label for f in fields()}
    parts = []
    for c in conditions:
        field, operator = labels.get(c.field, c.field), _(OPERATORS[c.operator][0])
        parts.append(_("%(field)s %(operator)s “%(value)s”", field=field, operator=operator,
                       value=c.value) if OPERATORS[c.operator][2] else
                     _("%(field)s %(operator)s", field=field, operator=operator))
    joined = _("; ").join(parts)  # a full-width ； in Chinese
    return (_("Products where all of these hold are listed: %(conditions)s.",
              conditions=joined) if match == "all" else
            _("Products where any of these holds are listed: %(conditions)s.",
              conditions=joined))
