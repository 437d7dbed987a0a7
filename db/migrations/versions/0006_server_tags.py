"""server tags (2.26): one row per (server, tag)

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tags',
        sa.Column('resource_id', sa.String(length=36), nullable=False),
        sa.Column('tag', sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint('resource_id', 'tag'))
    with op.batch_alter_table('tags') as batch:
        batch.create_index(batch.f('ix_tags_tag'), ['tag'])


def downgrade():
    op.drop_table('tags')
