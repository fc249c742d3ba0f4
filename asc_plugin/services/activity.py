"""The per-store activity log: an audit trail written for people, never holding a secret."""

from __future__ import annotations

import sqlalchemy as sa

from ..models import ActivityLog, Store
from ..state import state


def record(store: Store, event: str, outcome: str, message: str, *, admin: str | None = None,
           session=None) -> ActivityLog:
    """Add an entry to the store's log, flushed with the caller's session (the host's, or the
    separate session a token refresh works in)."""
    if admin is None:
        admin = state().host.admin_name()
    entry = ActivityLog(
        store_id=store.id, event=event, outcome=outcome, message=message[:2000],
        admin=admin[:200])
    if store.id is None:  # a store added in this same unit of work
        entry.store = store
    (session or state().session).add(entry)
    return entry


def recent(store: Store, limit: int = 20) -> list[ActivityLog]:
    return list(
        state().session.scalars(
            sa.select(ActivityLog).where(ActivityLog.store_id == store.id)
            .order_by(ActivityLog.id.desc()).limit(limit)
        )
    )
