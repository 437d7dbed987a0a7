"""migrations table (one row per live migration) and compute_nodes.capabilities

(what a host's hypervisor can do, as the host reports it, so the API can refuse a
live migration its source cannot carry out).

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'migrations',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        sa.Column('migration_type', sa.String(length=32), nullable=False),
        sa.Column('source_compute', sa.String(length=255), nullable=True),
        sa.Column('dest_compute', sa.String(length=255), nullable=True),
        sa.Column('source_node', sa.String(length=255), nullable=True),
        sa.Column('dest_node', sa.String(length=255), nullable=True),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=True),
        sa.Column('user_id', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'))
    with op.batch_alter_table('migrations') as batch:
        batch.create_index(batch.f('ix_migrations_instance_uuid'), ['instance_uuid'],
                           unique=False)
    with op.batch_alter_table('compute_nodes') as batch:
        batch.add_column(sa.Column('capabilities', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('compute_nodes') as batch:
        batch.drop_column('capabilities')
    with op.batch_alter_table('migrations') as batch:
        batch.drop_index(batch.f('ix_migrations_instance_uuid'))
    op.drop_table('migrations')
