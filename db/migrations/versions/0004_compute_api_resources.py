"""keypairs, server groups, quotas in the database, and the server fields PUT sets

(description, access IPs) plus the key a server was booted with.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True)]


def upgrade():
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('key_data', sa.Text(), nullable=True))
        batch.add_column(sa.Column('display_description', sa.Text(), nullable=True))
        batch.add_column(sa.Column('access_ip_v4', sa.String(length=39), nullable=True))
        batch.add_column(sa.Column('access_ip_v6', sa.String(length=39), nullable=True))
    op.create_table(
        'key_pairs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=255), nullable=False),
        sa.Column('public_key', sa.Text(), nullable=False),
        sa.Column('type', sa.String(length=16), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'name'))
    op.create_table(
        'server_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=False),
        sa.Column('policy', sa.String(length=255), nullable=False),
        sa.Column('rules', sa.JSON(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'))
    with op.batch_alter_table('server_groups') as batch:
        batch.create_index(batch.f('ix_server_groups_project_id'), ['project_id'])
    op.create_table(
        'server_group_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['server_groups.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('instance_uuid'))
    with op.batch_alter_table('server_group_members') as batch:
        batch.create_index(batch.f('ix_server_group_members_group_id'), ['group_id'])
    op.create_table(
        'quotas',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=False),
        sa.Column('resource', sa.String(length=255), nullable=False),
        sa.Column('hard_limit', sa.Integer(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'user_id', 'resource'))
    op.create_table(
        'quota_classes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('class_name', sa.String(length=255), nullable=False),
        sa.Column('resource', sa.String(length=255), nullable=False),
        sa.Column('hard_limit', sa.Integer(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('class_name', 'resource'))


def downgrade():
    op.drop_table('quota_classes')
    op.drop_table('quotas')
    with op.batch_alter_table('server_group_members') as batch:
        batch.drop_index(batch.f('ix_server_group_members_group_id'))
    op.drop_table('server_group_members')
    with op.batch_alter_table('server_groups') as batch:
        batch.drop_index(batch.f('ix_server_groups_project_id'))
    op.drop_table('server_groups')
    op.drop_table('key_pairs')
    with op.batch_alter_table('instances') as batch:
        for column in ('access_ip_v6', 'access_ip_v4', 'display_description', 'key_data'):
            batch.drop_column(column)
