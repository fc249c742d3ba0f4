"""Amazon Sales Channel home (store cards), Learning and Preparation, Attributes."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from ..forms import TaskForm
from ..htmx import is_htmx
from ..i18n import _, ngettext
from ..persistence import commit
from ..safe_redirect import safe_next
from ..services import authorizations, setup_tasks, stores
from ..state import state
from .layout import page
from .presenters import present


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and len(value) <= 9 else 1


def home():
    listing = stores.page(_page_number(), current_app.config["ASC_STORES_PER_PAGE"])
    return page("asc/home.html", page=listing, cards=present(listing.stores),
                renewals=renewal_notices())


def renewal_notices() -> list[tuple[str, str]]:
    """(level, message) for each connected store whose yearly authorization ends soon."""
    notices = []
    for store in authorizations.stores_due_for_renewal():
        if not stores.may_manage(store):
            continue
        days = authorizations.days_left(store)
        level = authorizations.warning_level(days)
        if level is None:
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
    admin = state().host.admin_id()
    return {"tasks": setup_tasks.TASKS, "done": setup_tasks.done_keys(admin)}


def learning():
    return page("asc/learning.html", **_tasks_context())


def toggle_task(key: str):
    if key not in {t.key for t in setup_tasks.TASKS}:
        abort(404)
    form = TaskForm()
    setup_tasks.set_done(state().host.admin_id(), key, form.done.data == "1")
    commit()
    if is_htmx():
        context = _tasks_context()
        task = next(t for t in setup_tasks.TASKS if t.key == key)
        return render_template("asc/_setup_task_toggled.html", task=task, **context)
    return redirect(safe_next(request.form.get("next"), url_for("asc.learning")), 303)


def attributes():
    return page("asc/attributes.html", attributes=state().host.product_attributes(),
                cards=present(stores.all_stores()))


def register(bp):
    bp.add_url_rule("/", "home", home)
    bp.add_url_rule("/learning", "learning", learning)
    bp.add_url_rule("/learning/tasks/<key>", "toggle_task", toggle_task, methods=["POST"])
    bp.add_url_rule("/attributes", "attributes", attributes)
