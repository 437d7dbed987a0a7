"""Engine and session factory from [database] connection; transactions as context managers."""
import contextlib
import logging
import threading

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
        # A ping per checkout only helps against servers that drop idle connections.
        kwargs = {'future': True, 'pool_pre_ping': not url.startswith('sqlite')}
        if url.startswith('sqlite'):
            kwargs['connect_args'] = {'check_same_thread': False, 'timeout': 30}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_recycle=3600)
        self.engine = sa.create_engine(url, **kwargs)
        self.read_engine = self.engine
        if url.startswith('sqlite'):
            event.listen(self.engine, 'connect', _sqlite_pragmas)
            # A writer takes SQLite's write lock at BEGIN, so its reads and its
            # conditional updates see one state; readers (WAL) never wait for it.
            event.listen(self.engine, 'begin', _sqlite_begin_immediate)
            self.read_engine = sa.create_engine(url, **kwargs)
            event.listen(self.read_engine, 'connect', _sqlite_pragmas)
            event.listen(self.read_engine, 'begin', _sqlite_begin_deferred)
        self._sessions = orm.sessionmaker(self.engine, expire_on_commit=False)
        self._readers = orm.sessionmaker(self.read_engine, expire_on_commit=False)
        # SQLite has one writer at a time, and its busy handler sleeps in steps of
        # up to 100 ms while it waits: threads of one process queue here instead,
        # and are woken the moment the writer before them commits.
        self._write_lock = threading.RLock() if url.startswith('sqlite') else None

    @classmethod
    def from_conf(cls, conf):
        return cls(conf.database.connection, conf.database.pool_size,
                   conf.database.max_overflow)

    @contextlib.contextmanager
    def session(self):
        """A session in one transaction: committed on success, rolled back on error."""
        with self._write_lock or contextlib.nullcontext():
            with _transaction(self._sessions) as session:
                yield session

    @contextlib.contextmanager
    def reader(self):
        """A session for reads only: on SQLite it never waits for the write lock."""
        with _transaction(self._readers) as session:
            yield session

    @contextlib.contextmanager
    def write(self):
        """A Core connection in one write transaction (cheaper than a session for hot paths)."""
        with self._write_lock or contextlib.nullcontext():
            with self.engine.begin() as conn:
                yield conn

    @contextlib.contextmanager
    def read(self):
        """A Core connection for reads only; on SQLite it never waits for the write lock."""
        with self.read_engine.begin() as conn:
            yield conn

    def dispose(self):
        self.engine.dispose()
        self.read_engine.dispose()


@contextlib.contextmanager
def _transaction(maker):
    session = maker()
    try:
        with session.begin():
            yield session
    finally:
        session.close()


def _sqlite_pragmas(dbapi_conn, _record):
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute('PRAGMA journal_mode=WAL')
    cur.execute('PRAGMA synchronous=NORMAL')
    cur.execute('PRAGMA foreign_keys=ON')
    cur.execute('PRAGMA busy_timeout=30000')
    cur.close()


def _sqlite_begin_immediate(conn):
    conn.exec_driver_sql('BEGIN IMMEDIATE')


def _sqlite_begin_deferred(conn):
    conn.exec_driver_sql('BEGIN')


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
