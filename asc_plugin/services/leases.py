"""Leases: which worker may write a run (a match, an offers run, a store's order import).

A run's progress lives in rows, so any worker can continue it; a lease on the run's row decides
which one does. A worker takes the lease only when nobody holds a live one, renews it with every
step it commits, and a step whose lease was taken over (its worker was presumed dead) is rolled
back: two workers never write one run.

Time here is the real clock, never ``ASC_CLOCK``: leases measure seconds between processes, not
calendar days.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..models import Base
from ..persistence import rowcount, savepoint
from ..state import plugin_state

#: A run record keyed by its store (OrderImport, SyncState).
Record = TypeVar("Record", bound="Base")


def real_now() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime (SQLite hands them back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def duration() -> timedelta:
    return timedelta(seconds=float(current_app.config["ASC_JOB_LEASE_SECONDS"]))


def worker_name() -> str:
    """A lease owner's name: this host and process, and a nonce for each run it takes."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def free(model, now: datetime):
    """SQL condition: no live lease on the row."""
    return sa.or_(model.lease_owner.is_(None), model.lease_expires_at.is_(None),
                  model.lease_expires_at < now)


def held(model, now: datetime):
    """SQL condition: a live lease on the row."""
    return sa.and_(model.lease_owner.is_not(None), model.lease_expires_at >= now)


def take(model, *where, owner: str, now: datetime, **values) -> bool:
    """Take the lease of the row ``where`` selects if it is free, setting ``values`` too;
    committed. True when this worker holds it now."""
    session = plugin_state().session
    taken = rowcount(session.execute(
        sa.update(model).where(*where, free(model, now))
        .values(lease_owner=owner, lease_expires_at=now + duration(), **values)
        .execution_options(synchronize_session=False)))
    session.commit()
    return taken == 1


def commit_step(row, owner: str) -> bool:
    """Commit a step's work with the lease renewed, or roll it back when the lease was taken
    over; True when committed."""
    session = plugin_state().session
    session.flush()
    model = type(row)
    keys = [column == getattr(row, column.key) for column in sa.inspect(model).primary_key]
    kept = rowcount(session.execute(
        sa.update(model).where(*keys, model.lease_owner == owner)
        .values(lease_expires_at=real_now() + duration())
        .execution_options(synchronize_session=False)))
    if kept != 1:
        session.rollback()
        return False
    session.commit()
    return True


def store_record(model: type[Record], store_id: int, **first: Any) -> Record:
    """A store's run record (its order import, its sync), made with ``first`` values and
    committed on first use; a record another worker made meanwhile is the one returned."""
    session = plugin_state().session
    found = session.get(model, store_id, populate_existing=True)
    if found is not None:
        return found
    try:
        with savepoint():
            session.add(model(store_id=store_id, **first))
        session.commit()
    except IntegrityError:  # another worker made it first
        session.rollback()
    return session.get_one(model, store_id, populate_existing=True)


def live(row) -> bool:
    """Whether a worker holds the row's lease now."""
    return bool(row is not None and row.lease_owner and row.lease_expires_at
                and aware(row.lease_expires_at) > real_now())
