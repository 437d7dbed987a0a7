"""Migration rows: one per move of an instance, with a status that only moves forward.

Status changes are compare-and-swap on the status the caller expects, so a
message that arrives twice (or after a repair ended the migration) changes nothing.
"""
import uuid as uuid_mod

import sqlalchemy as sa

from common import exception
from common import timeutils
from db import models
from db import rows

T = models.Migration.__table__
_UPDATABLE = {'status', 'dest_compute', 'dest_node', 'source_compute', 'source_node',
              'new_flavor', 'shared_storage'}
UNSET = object()
# Statuses of a migration still under way (what /servers/{id}/migrations lists).
IN_PROGRESS = ('queued', 'preparing', 'running')
DONE = ('completed', 'failed', 'error', 'cancelled')
# Statuses of a resize or cold migration not ended yet ('finished' waits in VERIFY_RESIZE).
RESIZE_OPEN = ('pre-migrating', 'migrating', 'post-migrating', 'finished', 'confirming',
               'reverting')


def not_found(ident):
    # A plain NotFound: it crosses RPC to compute hosts, which know only common.exception.
    return exception.NotFound(f'Migration {ident} could not be found.')


def create(db, values):
    """Insert a migration (a uuid is made unless given); returns the row."""
    values = dict(values)
    values.setdefault('uuid', str(uuid_mod.uuid4()))
    values.setdefault('migration_type', 'live-migration')
    values.setdefault('created_at', timeutils.utcnow())
    with db.write() as conn:
        ident = conn.execute(sa.insert(T).values(**values)).inserted_primary_key[0]
        return rows.mapping(conn.execute(sa.select(T).where(T.c.id == ident)).first())


def get(db, ident, instance_uuid=None):
    """The migration with uuid (or integer id) ``ident``, of ``instance_uuid`` when given."""
    q = sa.select(T).where(_ident(ident))
    if instance_uuid is not None:
        q = q.where(T.c.instance_uuid == instance_uuid)
    with db.read() as conn:
        row = conn.execute(q).first()
    if row is None:
        raise not_found(ident)
    return rows.mapping(row)


def _ident(ident):
    text = str(ident)
    if text.isdigit() and text.isascii() and int(text) < 2 ** 63:
        return T.c.id == int(text)
    return T.c.uuid == text


def update(db, uuid, values, expected_status=UNSET):
    """Change the migration ``uuid``; with ``expected_status`` (a value or a list) only
    while its status is one of those, else UnexpectedTaskState. Returns the row."""
    unknown = set(values) - _UPDATABLE
    if unknown:
        raise exception.Invalid(f'cannot update migration fields {sorted(unknown)}')
    q = sa.update(T).where(T.c.uuid == uuid)
    if expected_status is not UNSET:
        allowed = (list(expected_status) if isinstance(expected_status, (list, tuple, set))
                   else [expected_status])
        q = q.where(T.c.status.in_(allowed))
    with db.write() as conn:
        changed = conn.execute(q.values(updated_at=timeutils.utcnow(), **values)).rowcount
        row = conn.execute(sa.select(T).where(T.c.uuid == uuid)).first()
    if row is None:
        raise not_found(uuid)
    if not changed:
        raise exception.UnexpectedTaskState(expected=f'migration status {expected_status}',
                                            actual=f'migration status {row.status}')
    return rows.mapping(row)


def list_(db, instance_uuid=None, status=None, host=None, migration_type=None,
          source_compute=None, project_id=None, user_id=None, limit=None, marker=None,
          changes_since=None, changes_before=None):
    """Migrations newest first; ``status`` may be a list; ``host`` matches either end;
    ``changes_since``/``changes_before`` bound the last change (updated, else created).
    ``marker`` (a uuid) starts after that migration; unknown markers are NotFound."""
    q = sa.select(T)
    changed = sa.func.coalesce(T.c.updated_at, T.c.created_at)
    if changes_since is not None:
        q = q.where(changed >= changes_since)
    if changes_before is not None:
        q = q.where(changed <= changes_before)
    for column, value in ((T.c.instance_uuid, instance_uuid), (T.c.status, status),
                          (T.c.migration_type, migration_type),
                          (T.c.source_compute, source_compute),
                          (T.c.project_id, project_id), (T.c.user_id, user_id)):
        if isinstance(value, (list, tuple, set)):
            q = q.where(column.in_(list(value)))
        elif value is not None:
            q = q.where(column == value)
    if host is not None:
        q = q.where(sa.or_(T.c.source_compute == host, T.c.dest_compute == host))
    with db.read() as conn:
        if marker is not None:
            mark = conn.execute(sa.select(T.c.id).where(T.c.uuid == marker)).first()
            if mark is None:
                raise not_found(marker)
            q = q.where(T.c.id < mark.id)
        q = q.order_by(T.c.id.desc())
        if limit is not None:
            q = q.limit(limit)
        return [rows.mapping(r) for r in conn.execute(q)]


def in_progress(db, instance_uuid):
    """The instance's migration still under way, or None."""
    found = list_(db, instance_uuid=instance_uuid, status=list(IN_PROGRESS), limit=1)
    return found[0] if found else None
