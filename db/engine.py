"""Engine and session factory from [database] connection; transactions as context managers."""
import contextlib
import logging

import sqlalchemy as sa
from sqlalchemy import event, orm
import tenacity

from common import exception

LOG = logging.getLogger(__name__)


class Database:
    """One engine and session factory; pass it to the query functions in db/*."""

    def __init__(self, url, pool_size=10, max_overflow=20):
        if not url:
            raise exception.DatabaseNotAllowed(service='no [database] connection set')
        self.url = url
        kwargs = {'future': True, 'pool_pre_ping': True}
        if url.startswith('sqlite'):
            kwargs['connect_args'] = {'check_same_thread': False, 'timeout': 30}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_recycle=3600)
        self.engine = sa.create_engine(url, **kwargs)
        if url.startswith('sqlite'):
            event.listen(self.engine, 'connect', _sqlite_pragmas)
            # pysqlite's own BEGIN handling breaks SERIALIZABLE-style conditional
            # updates under threads; take the write lock at BEGIN instead.
            event.listen(self.engine, 'begin', _sqlite_begin)
        self._sessions = orm.sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_conf(cls, conf):
        return cls(conf.database.connection, conf.database.pool_size,
                   conf.database.max_overflow)

    @contextlib.contextmanager
    def session(self):
        """A session in one transaction: committed on success, rolled back on error."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def dispose(self):
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn, _record):
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute('PRAGMA journal_mode=WAL')
    cur.execute('PRAGMA synchronous=NORMAL')
    cur.execute('PRAGMA foreign_keys=ON')
    cur.execute('PRAGMA busy_timeout=30000')
    cur.close()


def _sqlite_begin(conn):
    conn.exec_driver_sql('BEGIN IMMEDIATE')


def retry_on_deadlock(func):
    """Retry a whole transaction that lost a deadlock or a lock wait (idempotent bodies only)."""
    return tenacity.retry(
        retry=tenacity.retry_if_exception(_is_retryable),
        wait=tenacity.wait_random_exponential(multiplier=0.01, max=0.5),
        stop=tenacity.stop_after_attempt(10), reraise=True)(func)


def _is_retryable(exc):
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    text = str(exc.orig).lower()
    return any(word in text for word in ('deadlock', 'database is locked',
                                          'lock wait timeout', 'could not serialize'))
