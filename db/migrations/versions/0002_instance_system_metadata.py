"""instances.system_metadata: what an action must remember between steps

(the shelved image, the vm_state before a rescue).

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('system_metadata', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('instances') as batch:
        batch.drop_column('system_metadata')
