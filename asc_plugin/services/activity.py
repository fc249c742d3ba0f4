"""The per-store activity log: an audit trail for people, never holding a secret.

An entry is an event with parameters; ``activity_messages`` renders it in the reader's language
when it is shown (a worker's ``LANG`` never decides what an admin reads).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from ..models import ActivityLog, Store
from ..state import plugin_state
from .paging import Paged

OUTCOMES = ("success", "failure", "info")


def record(store: Store, event: str, outcome: str, message: str | None = None, *,
           params: dict | None = None, admin: str | None = None, session=None) -> ActivityLog:
    """Add an entry to the store's log, flushed with the caller's session (the host's, or the
    separate session a token refresh works in).

    ``params`` are what the event's message needs (see activity_messages), plus details for
    support such as Amazon's ``request_id``; never a secret. ``message`` is only for an event
    activity_messages does not know yet: it is shown as it is, untranslated.
    """
    if admin is None:
        admin = plugin_state().host.admin_name()
    entry = ActivityLog(
        store_id=store.id, event=event, outcome=outcome, message=(message or "")[:2000],
        params=json.dumps(params, ensure_ascii=False, default=str)if params else None,
        admin=admin[:200])
    if store.id is None:  # a store added in this same unit of work
        entry.store = store
    (session or plugin_state().session).add(entry)
    return entry


def failure_params(failure) -> dict:
    """The parameters that render a Failure again later (its code and details, no text)."""
    params = {"failure": failure.code,
              "details": {k: v for k, v in failure.details.items() if isinstance(v, str)}}
    request_id = getattr(failure, "request_id", None)
    if request_id:
        params["request_id"] = request_id
    return params


class Page(Paged[tuple[ActivityLog, str]]):
    @property
    def entries(self) -> list[tuple[ActivityLog, str]]:  # (entry, store name)
        return self.items


def page(store_ids: list[int], *, outcome: str | None = None, number: int = 1,
         per_page: int = 10) -> Page:
    """Newest first, for the given stores (the ones this admin manages), one outcome or all."""
    query = (sa.select(ActivityLog, Store.name, sa.func.count().over().label("total"))
             .join(Store, Store.id == ActivityLog.store_id)
             .where(ActivityLog.store_id.in_(store_ids)))
    if outcome in OUTCOMES:
        query = query.where(ActivityLog.outcome == outcome)
    number = max(1, number)
    rows = list(plugin_state().session.execute(
        query.order_by(ActivityLog.id.desc()).limit(per_page).offset((number - 1) * per_page)))
    if not rows and number > 1:  # past the end: the last page instead
        total = plugin_state().session.scalars(sa.select(sa.func.count()).select_from(
            query.with_only_columns(ActivityLog.id).subquery())).one()
        last = max(1, -(-total // per_page))
        return page(store_ids, outcome=outcome, number=last, per_page=per_page) if last < number \
            else Page([], number, per_page, total)
    total = rows[0][2] if rows else 0
    return Page([(entry, name) for entry, name, _total in rows], number, per_page, total)
