"""Amazon Sales Channel home (store cards or table), Learning and Preparation, Attributes,
and the plugin-wide activity log."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from ..forms import TaskForm
from ..htmx import is_htmx, query_int, wants_fragment
from ..i18n import _, ngettext
from ..persistence import commit
from ..presenters import StorePresenter, present
from ..safe_redirect import safe_next
from ..services import activity, authorizations, setup_tasks, stores
from ..state import plugin_state
from .layout import page, page_or_fragment

VIEWS = ("cards", "table")
ACTIVITY_PER_PAGE = 10
#: The activity log's element on its own page, and on a store's dashboard.
LOG, STORE_LOG = "asc-activity", "asc-store-activity"


def home():
    """The stores, as cards or a compact table, filtered and sorted by query-string values (the
    filter form works as a plain GET, and htmx swaps just the list)."""
    filters = stores.Filters.parse(request.args)
    view = request.args.get("view") if request.args.get("view") in VIEWS else "cards"
    listing = stores.page(query_int("page", 1), current_app.config["ASC_STORES_PER_PAGE"], filters)
    summary = stores.summary()
    # The summary counts the stores due for renewal: with none, there is no notice to look up.
    renewals = renewal_notices() if summary.renewal_due else []
    return page("asc/home.html", page=listing, cards=present(listing.stores, listing.counts),
                view=view, filters=filters, summary=summary, renewals=renewals,
                list_query={**filters.as_query(), **({"view": view} if view != "cards" else {})})


def renewal_notices() -> list[tuple[str, str]]:
    """(level, message) for each connected store whose yearly authorization ends soon."""
    notices = []
    for store in authorizations.stores_due_for_renewal():
        if not stores.may_manage(store):
            continue
        days = authorizations.days_left(store)
        level = authorizations.warning_level(days)
        if days is None or level is None:
            continue
        if days == 0:
            message = _("The Amazon authorization of “%(name)s” expires today. Renew it from "
                        "the store card, or syncing stops.", name=store.name)
        else:
            message = ngettext(
                "The Amazon authorization of “%(name)s” expires in %(num)d day. Renew it from "
                "the store card, or syncing stops.",
                "The Amazon authorization of “%(name)s” expires in %(num)d days. Renew it from "
                "the store card, or syncing stops.", days, name=store.name)
        notices.append((level, message))
    return notices


def _tasks_context():
    admin = plugin_state().host.admin_id()
    return {"tasks": setup_tasks.TASKS, "done": setup_tasks.done_keys(admin)}


def learning():
    return page("asc/learning.html", **_tasks_context())


def toggle_task(key: str):
    if key not in {t.key for t in setup_tasks.TASKS}:
        abort(404)
    form = TaskForm()
    back = safe_next(request.form.get("next"), url_for("asc.learning"))  # before writing
    setup_tasks.set_done(plugin_state().host.admin_id(), key, form.done.data == "1")
    commit()
    if is_htmx():
        context = _tasks_context()
        task = next(t for t in setup_tasks.TASKS if t.key == key)
        return render_template("asc/_setup_task_toggled.html", task=task, **context)
    return redirect(back, 303)


def attributes():
    cards = present(stores.all_stores())
    used_by: dict[str, list[StorePresenter]] = {}
    for card in cards:
        if card.store.mapping is not None:
            used_by.setdefault(card.store.mapping.host_attribute_code, []).append(card)
    return page("asc/attributes.html", attributes=plugin_state().host.product_attributes(),
                used_by=used_by)


def activity_log():
    """Every store's activity this admin may see, newest first, by store and outcome. The same
    URL serves the page, and (to htmx) just the log: the page's, or the one a store's dashboard
    embeds (with a link to the whole log), told apart by the id htmx swaps it into."""
    mine = {s.id: s for s in stores.all_stores()}
    store_id = query_int("store", 0)
    store_ids = [store_id] if store_id in mine else list(mine)
    outcome = request.args.get("outcome")
    outcome = outcome if outcome in activity.OUTCOMES else None
    log = activity.page(store_ids, outcome=outcome, number=query_int("page", 1),
                        per_page=ACTIVITY_PER_PAGE)
    embedded = wants_fragment(STORE_LOG)
    return page_or_fragment(
        "asc/activity.html", "asc/_activity.html", STORE_LOG if embedded else LOG, log=log,
        outcome=outcome, store=mine.get(store_id), stores=list(mine.values()), embedded=embedded)


def register(bp):
    bp.add_url_rule("/", "home", home)
    bp.add_url_rule("/learning", "learning", learning)
    bp.add_url_rule("/learning/tasks/<key>", "toggle_task", toggle_task, methods=["POST"])
    bp.add_url_rule("/attributes", "attributes", attributes)
    bp.add_url_rule("/activity", "activity", activity_log)
