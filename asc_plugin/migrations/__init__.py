"""Alembic migrations for the plugin's own tables (asc_*), with their own version table.

The version table is ``asc_alembic_version`` so the plugin never touches a host's Alembic
history. Hosts run ``flask asc db upgrade``; ``upgrade()`` is the same from Python.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from ..extension import state

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "asc_alembic_version"


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def upgrade(revision: str = "head", engine=None) -> None:
    engine = engine or state().db.engine
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(revision: str, engine=None) -> None:
    engine = engine or state().db.engine
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def current(engine=None) -> str | None:
    engine = engine or state().db.engine
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE}
        )
        return context.get_current_revision()
