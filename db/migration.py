"""Schema migrations through alembic: `stratus-manage db sync` and test set-up."""
import os

from alembic import command
from alembic.config import Config

_HERE = os.path.dirname(os.path.abspath(__file__))


def _config(url):
    cfg = Config()
    cfg.set_main_option('script_location', os.path.join(_HERE, 'migrations'))
    cfg.set_main_option('sqlalchemy.url', url.replace('%', '%%'))
    return cfg


def sync(database, revision='head'):
    """Upgrade the schema of ``database`` (a db.engine.Database) to ``revision``."""
    cfg = _config(database.url)
    with database.engine.begin() as conn:
        cfg.attributes['connection'] = conn
        command.upgrade(cfg, revision)


def current(database):
    """The schema revision the database is at, or None."""
    from alembic.runtime import migration
    with database.engine.connect() as conn:
        return migration.MigrationContext.configure(conn).get_current_revision()


def autogenerate(url, message):
    """Write a new revision from the models (developers only)."""
    command.revision(_config(url), message=message, autogenerate=True)
