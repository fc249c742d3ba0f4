"""price and quantity sync

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:16:12.846950
"""

import sqlalchemy as sa
from alembic import op

import asc_plugin.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('asc_sync_state',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_expires_at', asc_plugin.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('feed_id', sa.String(length=100), nullable=True),
    sa.Column('feed_skus', sa.Text(), nullable=True),
    sa.Column('changes_since', asc_plugin.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reconciled_at', asc_plugin.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_run_at', asc_plugin.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', asc_plugin.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error_code', sa.String(length=40), nullable=True),
    sa.Column('sent', sa.Integer(), server_default='0', nullable=False),
    sa.Column('refused', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['asc_store.id'], name=op.f('fk_asc_sync_state_store_id_asc_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', name=op.f('pk_asc_sync_state'))
    )
    with op.batch_alter_table('asc_offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dirty', sa.SmallInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('sent_price', sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column('sent_quantity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sent_at', asc_plugin.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_asc_offer_dirty'), ['dirty'], unique=False)



def downgrade():
    with op.batch_alter_table('asc_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asc_offer_dirty'))
        batch_op.drop_column('sent_at')
        batch_op.drop_column('sent_quantity')
        batch_op.drop_column('sent_price')
        batch_op.drop_column('dirty')

    op.drop_table('asc_sync_state')
