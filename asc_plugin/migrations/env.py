"""Alembic environment: runs on the connection handed in by asc_plugin.migrations."""

from alembic import context

from asc_plugin.migrations import VERSION_TABLE, include_name
from asc_plugin.models import metadata


def only_plugin_tables(name, type_, parent_names):
    """The mirror image of the hosts' filter: a host's tables in the same database are not ours."""
    if type_ == "table":
        return not include_name(name, type_, parent_names)
    return True


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    include_name=only_plugin_tables,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
