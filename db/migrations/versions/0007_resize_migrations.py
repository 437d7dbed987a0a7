"""resize, cold migration and evacuate: a migration keeps the flavors it moves between,
and whether an evacuation found the disk on shared storage

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Expand only: old services never read these columns.
    with op.batch_alter_table('migrations') as batch:
        batch.add_column(sa.Column('old_flavor', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('new_flavor', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('shared_storage', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('migrations') as batch:
        batch.drop_column('shared_storage')
        batch.drop_column('new_flavor')
        batch.drop_column('old_flavor')
