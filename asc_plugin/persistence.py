"""How the plugin uses the host's database: it shares the host's session, owns no host transaction.

- Services only ``flush()``. The plugin's own views and CLI commands ``commit()`` the work their
  request asked for; nothing the plugin offers to host code commits or rolls back.
- A step that may fail on a constraint (a store name taken by a concurrent request) runs in a
  SAVEPOINT, so its failure undoes that step and nothing the host had pending.
- Work that must not mix with the host's transaction — a token refresh under a row lock, called
  from host code — runs in a session of its own on the same engine and commits only itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import Session

from .state import plugin_state


def commit() -> None:
    """End the plugin's own unit of work (views and CLI commands only)."""
    plugin_state().session.commit()


@contextmanager
def savepoint() -> Iterator[None]:
    """A step that can fail on its own: on an error only this step is undone."""
    session = plugin_state().session
    _open_sqlite_transaction(session)
    with session.begin_nested():
        yield


def _open_sqlite_transaction(session) -> None:
    """pysqlite opens a transaction only before a write, so a SAVEPOINT issued first would open
    it, and the SAVEPOINT's release would commit the whole transaction, the host's pending work
    included. Open it first: the unit of work stays one transaction, committed by its owner."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if getattr(raw, "in_transaction", True) is False:
        raw.execute("BEGIN")


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched. ``Session.execute`` is typed as returning a
    ``Result``; for DML it is a ``CursorResult``, the one that counts."""
    assert isinstance(result, CursorResult)
    return result.rowcount


@contextmanager
def own_session() -> Iterator[Session]:
    """A separate session on the host's engine; committed here when the block succeeds."""
    own = Session(bind=plugin_state().db.engine, expire_on_commit=False)
    try:
        yield own
        own.commit()
    except BaseException:
        own.rollback()
        raise
    finally:
        own.close()
