"""Alembic environment: runs migrations on the connection or URL handed in by db.migration."""
from alembic import context

from db import models

config = context.config
target_metadata = models.Base.metadata


def run_migrations():
    connection = config.attributes.get('connection')
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    import sqlalchemy as sa
    engine = sa.create_engine(config.get_main_option('sqlalchemy.url'))
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
