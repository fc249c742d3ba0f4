"""Listing rules screen: the rule form, one condition row at a time over htmx, the live count.

Every part has a real form behind it, so the page works without JavaScript: *Add condition*,
*Remove* and *Update preview* are submit buttons of the rule form, re-rendering the page
without saving. With htmx the same buttons re-render one row, and the count follows the edits.
"""

from __future__ import annotations

import re

from babel.numbers import format_currency, get_currency_name
from flask import make_response, redirect, render_template, request

from .. import marketplaces
from ..forms import ConditionForm, RuleForm
from ..htmx import reswap, trigger
from ..i18n import _, current_locale
from ..models import Store
from ..params import clean_keys, parse_int
from ..persistence import commit
from ..presenters import present_one
from ..services import rules
from .banners import banner
from .layout import page
from .lookup import store_or_404
from .urls import rule, store_urls

ROW_KEY = re.compile(r"conditions-([0-9]{1,4})-")
#: After a row changes, the live count asks again.
ROWS_CHANGED = "asc:rule-changed"


def _stored_form(store: Store) -> RuleForm:
    stored = rules.rule_of(store)
    data = {"match": stored.match if stored else "all",
            "enabled": stored.enabled if stored else True,
            "conditions": [{"field": c.field, "operator": c.operator, "value": c.value}
                           for c in rules.conditions_of(stored)]}
    form = RuleForm(formdata=None, data=data)
    form.bind_choices()
    return form


def _posted_form() -> RuleForm:
    form = RuleForm()
    form.bind_choices()
    return form


def _count(store: Store, form: RuleForm) -> dict:
    """What the live count shows: products listed, products of the website, and how many
    conditions are not complete yet (left out of the count)."""
    usable = form.usable_conditions if form.enabled.data else []
    listed, total = rules.count(store, usable, form.match_value)
    return {"listed": listed, "total": total,
            "incomplete": len(form.conditions) - len(usable) if form.enabled.data else 0}


def _render(store: Store, form: RuleForm, status: int = 200):
    card = present_one(store)
    return page("asc/rules.html", store=store, card=card, form=form, row_index=row_index,
                count=_count(store, form), urls=store_urls(store.id),
                max_conditions=rules.MAX_CONDITIONS, **_inputs(store)), status


def _inputs(store: Store) -> dict:
    """What the condition rows offer: the host's own values for category and attribute
    conditions, and price hints in the marketplace's currency."""
    market = marketplaces.get(store.marketplace_code)
    currency = market.currency if market else "USD"
    locale = current_locale()
    cache: dict[str, list[str]] = {}

    def suggest(row) -> list[str]:
        key = row.field.data or ""
        if key not in cache:
            cache[key] = rules.suggestions(store, key)
        return cache[key]

    return {"suggest": suggest, "price_hint": _(
        "A price in %(currency)s, like %(example)s.",
        currency=get_currency_name(currency, count=2, locale=locale),
        example=format_currency(19.99, currency, locale=locale))}


def _checked(row: ConditionForm) -> ConditionForm:
    """A row the admin filled in says at once what is wrong with its value (a price that is not
    a number…); an empty value is not an error while it is being edited."""
    if row.takes_value and (row.value.data or "").strip():
        problem = rules.problem(row.condition)
        if problem:
            row.value.errors = [problem]
    return row


def row_index(entry) -> int:
    """A FieldList entry's index, from its name ("conditions-3")."""
    return int(entry.name.rsplit("-", 1)[1])



def rules_page(store_id: int):
    store = store_or_404(store_id)
    if request.method == "GET":
        return _render(store, _stored_form(store))
    form = _posted_form()
    action = request.form.get("action", "save")
    if action == "add" and len(form.conditions) < rules.MAX_CONDITIONS:
        form.conditions.append_entry()
        form.bind_choices()
    elif action.startswith("remove-"):
        _remove(form, action.removeprefix("remove-"))
    elif action == "save":
        if len(_posted_rows(clean_keys(request.form))) > rules.MAX_CONDITIONS:
            form.validate()
            form.rule_errors = [_("A listing rule has at most %(num)d conditions.",
                                  num=rules.MAX_CONDITIONS)]
            return _render(store, form, 422)
        if form.validate():
            changed = rules.save(store, form.usable_conditions, match=form.match_value,
                                 enabled=form.enabled.data)
            commit()
            message = (_("Listing rule of “%(name)s” saved. Run “Match with Amazon catalog” to "
                         "see what it lists.", name=store.name) if changed else
                       _("Nothing changed in the listing rule of “%(name)s”.", name=store.name))
            banner(None, "success", message, about=store)
            return redirect(store_urls(store.id)["rules"], 303)
        return _render(store, form, 422)
    return _render(store, form)


def _remove(form: RuleForm, index: str) -> None:
    kept = [entry for entry in form.conditions if entry.name != f"conditions-{index}"]
    if len(kept) != len(form.conditions):
        form.conditions.entries = kept


def rule_count(store_id: int):
    """The live count for the form as it is now (nothing saved)."""
    store = store_or_404(store_id)
    return render_template("asc/_rule_count.html", store=store, card=present_one(store),
                           count=_count(store, _posted_form()))


def rule_row(store_id: int):
    """One condition row: re-rendered after its field changed, a new one, or none (removed)."""
    store = store_or_404(store_id)
    formdata = clean_keys(request.form)
    action = formdata.get("action", "")
    posted = _posted_rows(formdata)
    if action == "remove":
        response = make_response("")
    elif action == "add":
        if len(posted) >= rules.MAX_CONDITIONS:
            response = reswap(make_response(""), "none")
            return banner(response, "warning", _("A listing rule has at most %(num)d "
                                                 "conditions.", num=rules.MAX_CONDITIONS))
        index = max(posted, default=-1) + 1
        response = make_response(_row(store, ConditionForm(prefix=f"conditions-{index}-"),
                                      index, fresh=True))
    else:
        index = parse_int(formdata.get("row"))
        if index not in posted:
            return make_response("", 400)
        row = ConditionForm(formdata, prefix=f"conditions-{index}-")
        response = make_response(_row(store, row, index, checked=True))
    return trigger(response, ROWS_CHANGED, after="settle")


def _posted_rows(formdata) -> list[int]:
    """The row indexes present in the posted form (FieldList keeps at most MAX_CONDITIONS)."""
    return sorted({int(m.group(1)) for key in formdata if (m := ROW_KEY.match(key))})


def _row(store: Store, row: ConditionForm, index: int, fresh: bool = False,
         checked: bool = False) -> str:
    row.bind_choices(rules.fields())
    if checked:
        _checked(row)
    return render_template("asc/_rule_row.html", row=row, index=index,
                           urls=store_urls(store.id), fresh=fresh, **_inputs(store))


def register(bp):
    bp.add_url_rule(rule("rules"), "rules", rules_page, methods=["GET", "POST"])
    bp.add_url_rule(rule("rule_count"), "rule_count", rule_count, methods=["POST"])
    bp.add_url_rule(rule("rule_row"), "rule_row", rule_row, methods=["POST"])

