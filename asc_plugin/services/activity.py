"""The per-store activity log. Messages are written for people and must never hold a secret."""

from __future__ import annotations

from ..extension import state
from ..models import ActivityLog, Store


def record(store: Store, event: str, outcome: str, message: str, *, admin: str | None = None):
    """Add an entry to the store's log (flushed with the caller's transaction)."""
    if admin is None:
        admin = state().host.admin_name()
    entry = ActivityLog(
        store=store, event=event, outcome=outcome, message=message[:2000], admin=admin[:200]
    )
    state().session.add(entry)
    return entry


def recent(store: Store, limit: int = 20) -> list[ActivityLog]:
    from sqlalchemy import select

    return list(
        state().session.scalars(
            select(ActivityLog).where(ActivityLog.store_id == store.id)
            .order_by(ActivityLog.id.desc()).limit(limit)
        )
    )
