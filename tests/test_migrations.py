"""The shipped Alembic migrations produce exactly the models' schema, and go back down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from asc_plugin.extension import state
from asc_plugin.migrations import VERSION_TABLE, current, downgrade, upgrade
from asc_plugin.models import metadata


def test_migrated_schema_equals_models(app):
    with app.app_context():
        engine = state().db.engine
        assert current() is not None
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "version_table": VERSION_TABLE,
                "include_name": lambda name, type_, parent: type_ != "table"
                or name.startswith("asc_") and name != VERSION_TABLE})
            assert compare_metadata(context, metadata) == []


def test_downgrade_to_base_and_back(app):
    with app.app_context():
        engine = state().db.engine
        downgrade("base")
        assert [t for t in inspect(engine).get_table_names() if t != VERSION_TABLE] == []
        upgrade()
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def test_cli_upgrade(app):
    result = app.test_cli_runner().invoke(args=["asc", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "head" in result.output
    assert app.test_cli_runner().invoke(args=["asc", "db", "current"]).output.strip() == "0001"
