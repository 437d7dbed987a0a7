"""host aggregates and their hosts

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'aggregates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('availability_zone', sa.String(length=255), nullable=True),
        sa.Column('metadata', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
        sa.UniqueConstraint('name'))
    op.create_table(
        'aggregate_hosts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('aggregate_id', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(['aggregate_id'], ['aggregates.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('aggregate_id', 'host'))
    with op.batch_alter_table('aggregate_hosts') as batch:
        batch.create_index(batch.f('ix_aggregate_hosts_aggregate_id'), ['aggregate_id'])
        batch.create_index(batch.f('ix_aggregate_hosts_host'), ['host'])


def downgrade():
    with op.batch_alter_table('aggregate_hosts') as batch:
        batch.drop_index(batch.f('ix_aggregate_hosts_host'))
        batch.drop_index(batch.f('ix_aggregate_hosts_aggregate_id'))
    op.drop_table('aggregate_hosts')
    op.drop_table('aggregates')
