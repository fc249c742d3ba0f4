"""Alembic migrations for the plugin's own tables (asc_*), with their own version table.

The version table is ``asc_alembic_version``, so the plugin never touches a host's Alembic
history; hosts run ``flask asc db upgrade`` (``upgrade()`` from Python).

A host with its own Alembic or Flask-Migrate history must leave the plugin's tables out of its
autogenerate, or its next ``flask db migrate`` sees them as removed and drops them with every
store. :func:`include_name` is that filter::

    Migrate(app, db, include_name=include_name)

    # composed with a filter of the host's own:
    Migrate(app, db, include_name=lambda name, type_, parents:
            include_name(name, type_, parents) and my_filter(name, type_, parents))

or, in a plain Alembic ``env.py``: ``context.configure(..., include_name=include_name)``.
Alembic itself is imported only when a migration command runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..state import plugin_state

if TYPE_CHECKING:
    from alembic.config import Config
    from flask import Flask
    from sqlalchemy import Connection, Engine

__all__ = ["current", "downgrade", "include_name", "upgrade"]

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "asc_alembic_version"
TABLE_PREFIX = "asc_"


def include_name(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic ``include_name`` hook for a host's autogenerate: False for the plugin's tables.

    It matches the ``asc_`` prefix rather than today's table list, so tables of later plugin
    versions (and ones their migrations dropped) stay out of the host's history too.
    """
    if type_ == "table":
        return not (name or "").startswith(TABLE_PREFIX)
    return True


def host_filter_problem(app: Flask) -> str | None:
    """Why the host's Flask-Migrate would drop the plugin's tables, or None if it would not."""
    migrate = app.extensions.get("migrate")
    if migrate is None:
        return None
    hook = getattr(migrate, "configure_args", {}).get("include_name")
    if hook is not None and _leaves_out_plugin_tables(hook):
        return None
    return (
        "Flask-Migrate is configured on this app without leaving the Amazon Sales Channel's "
        "tables out: your next `flask db migrate` would see asc_* as removed and "
        "`flask db upgrade` would drop them, with every store. Pass "
        "include_name=asc_plugin.migrations.include_name to Migrate(app, db, ...).")


def _leaves_out_plugin_tables(hook: Callable[..., object]) -> bool:
    try:
        return not hook("asc_store", "table", {"schema_name": None})
    except Exception:  # noqa: BLE001 - a host filter we cannot call is one we cannot trust
        return False


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # kept off the mount path: Alembic

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def _engine(engine: Engine | None) -> Engine:
    return engine or plugin_state().db.engine


def upgrade(revision: str = "head", engine: Engine | None = None) -> None:
    """Migrate the plugin's tables to ``revision`` (in an app context, on the host's engine
    unless ``engine`` is given); ``flask asc db upgrade`` does the same."""
    from alembic import command  # kept off the mount path: Alembic

    with _engine(engine).begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(revision: str, engine: Engine | None = None) -> None:
    """Migrate the plugin's tables back to ``revision`` (``"base"``: none of them)."""
    from alembic import command  # kept off the mount path: Alembic

    with _engine(engine).begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def current(engine: Engine | None = None) -> str | None:
    """The plugin's migration revision in the database (None before the first upgrade)."""
    from alembic.runtime.migration import MigrationContext  # kept off the mount path: Alembic

    with _engine(engine).connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()
