"""one open match job per store, Amazon's request id of a failed call

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:00:04.267970
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OPEN = "status IN ('queued', 'running', 'paused')"


def upgrade():
    # Racing Match requests could leave several open runs of a store: keep the newest.
    op.execute("UPDATE asc_match_job SET status = 'failed', error_code = 'match_internal_error' "
               "WHERE status IN ('queued', 'running') AND id NOT IN (SELECT MAX(id) FROM "
               "asc_match_job WHERE status IN ('queued', 'running') GROUP BY store_id)")
    with op.batch_alter_table('asc_match_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_request_id', sa.String(length=100), nullable=True))
        batch_op.create_index('uq_asc_match_job_open_store', ['store_id'], unique=True,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade():
    op.execute("UPDATE asc_match_job SET status = 'failed' WHERE status = 'paused'")
    with op.batch_alter_table('asc_match_job', schema=None) as batch_op:
        batch_op.drop_index('uq_asc_match_job_open_store', sqlite_where=sa.text(OPEN),
                            postgresql_where=sa.text(OPEN))
        batch_op.drop_column('error_request_id')
