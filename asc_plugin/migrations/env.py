"""Alembic environment: runs on the connection handed in by asc_plugin.migrations."""

from alembic import context

from asc_plugin.migrations import VERSION_TABLE
from asc_plugin.models import metadata


def include_name(name, type_, parent_names):
    # Only the plugin's own tables: a host's tables in the same database are not ours.
    if type_ == "table":
        return name is not None and name.startswith("asc_")
    return True


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    include_name=include_name,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
