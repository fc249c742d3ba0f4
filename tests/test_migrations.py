"""The shipped migrations produce exactly the models' schema and go back down; and a host's own
Flask-Migrate history leaves the plugin's tables alone."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from helpers import base_config, dispose, empty_schema
from sqlalchemy import inspect

from asc_plugin.migrations import VERSION_TABLE, current, downgrade, include_name, upgrade
from asc_plugin.models import metadata
from asc_plugin.state import plugin_state


@pytest.fixture()
def empty_app(tmp_path):
    from hosts import shop

    app = empty_schema(shop.create_app(base_config(tmp_path)))
    yield app
    dispose(app)


@pytest.fixture()
def migrate_host(tmp_path, monkeypatch):
    """The docs' Flask-Migrate host, in a directory of its own (its migrations/ go there)."""
    from hosts import shop_migrate

    monkeypatch.chdir(tmp_path)
    made = []

    def factory(**config):
        app = empty_schema(shop_migrate.create_app({**base_config(tmp_path), **config}))
        made.append(app)
        return app

    yield factory
    for app in made:
        empty_schema(app)
        dispose(app)


def test_migrated_schema_equals_models(empty_app):
    with empty_app.app_context():
        upgrade()
        assert current() is not None
        with plugin_state().db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "version_table": VERSION_TABLE,
                "include_name": lambda name, type_, parent: type_ != "table"
                or name.startswith("asc_") and name != VERSION_TABLE})
            assert compare_metadata(context, metadata) == []


def test_downgrade_to_base_and_back(empty_app):
    with empty_app.app_context():
        engine = plugin_state().db.engine
        upgrade()
        downgrade("base")
        assert [t for t in inspect(engine).get_table_names()
                if t.startswith("asc_") and t != VERSION_TABLE] == []
        upgrade()
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def test_cli_upgrade(empty_app):
    result = empty_app.test_cli_runner().invoke(args=["asc", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "head" in result.output
    assert "Warning" not in result.output  # a host without Flask-Migrate needs no filter
    current_revision = empty_app.test_cli_runner().invoke(args=["asc", "db", "current"])
    assert current_revision.output.strip() == _only_head()


def _only_head() -> str:
    """The one head of the plugin's history (two heads would mean a forgotten down_revision)."""
    from alembic.script import ScriptDirectory

    from asc_plugin.migrations import alembic_config

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, heads
    return heads[0]


def _flask_db(app, *args):
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_flask_migrate_host_keeps_the_plugins_tables(migrate_host):
    """The trap: after `flask asc db upgrade`, the host's autogenerate saw asc_* as removed and
    its next upgrade dropped them. With include_name it finds no change and drops nothing."""
    app = migrate_host()
    _flask_db(app, "init")
    _flask_db(app, "migrate", "-m", "products")
    _flask_db(app, "upgrade")
    asc = app.test_cli_runner().invoke(args=["asc", "db", "upgrade"])
    assert asc.exit_code == 0 and "Warning" not in asc.output, asc.output
    assert "No changes in schema detected." in _flask_db(app, "migrate", "-m", "again")
    _flask_db(app, "upgrade")
    with app.app_context():
        tables = set(inspect(plugin_state().db.engine).get_table_names())
    assert set(metadata.tables) | {VERSION_TABLE, "product"} <= tables


def test_without_the_filter_the_host_would_drop_them_and_upgrade_warns(migrate_host):
    from hosts import shop_migrate

    app = migrate_host()
    app.extensions["migrate"].configure_args.pop("include_name")  # a host that forgot it
    _flask_db(app, "init")
    _flask_db(app, "migrate", "-m", "products")
    _flask_db(app, "upgrade")
    asc = app.test_cli_runner().invoke(args=["asc", "db", "upgrade"])
    assert asc.exit_code == 0
    assert "include_name=asc_plugin.migrations.include_name" in asc.output
    detected = _flask_db(app, "migrate", "-m", "again")
    assert "Detected removed table 'asc_store'" in detected
    assert shop_migrate.include_name is include_name


def test_the_filter_composes_with_a_hosts_own():
    def hosts_filter(name, type_, parents):
        return not (type_ == "table" and name == "legacy_import")

    def both(name, type_, parents):
        return include_name(name, type_, parents) and hosts_filter(name, type_, parents)

    assert not both("asc_store", "table", {})
    assert not both(VERSION_TABLE, "table", {})
    assert not both("legacy_import", "table", {})
    assert both("product", "table", {})
    assert both("sku", "column", {"table_name": "product"})
