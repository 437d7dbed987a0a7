"""Instance rows: create, read, list with filters, compare-and-swap updates, soft delete.

These run on every boot and every status poll, so they use SQLAlchemy Core
(plain rows, no ORM identity map), which costs a third of the ORM per query.
"""
import re

import sqlalchemy as sa

from common import exception
from common import timeutils
from db import models
from db import rows
from db import tags as tags_db

T = models.Instance.__table__
_UPDATABLE = set(T.c.keys()) - {'id', 'uuid'}
UNSET = object()


def create(db, values):
    with db.write() as conn:
        ident = conn.execute(sa.insert(T).values(**values)).inserted_primary_key[0]
        return rows.mapping(conn.execute(sa.select(T).where(T.c.id == ident)).first())


def get(db, uuid, read_deleted=False, project_id=None):
    """The instance ``uuid`` (of ``project_id`` when given), else InstanceNotFound."""
    q = sa.select(T).where(T.c.uuid == uuid)
    if not read_deleted:
        q = q.where(T.c.deleted == 0)
    if project_id is not None:
        q = q.where(T.c.project_id == project_id)
    with db.read() as conn:
        row = conn.execute(q).first()
    if row is None:
        raise exception.InstanceNotFound(uuid=uuid)
    return rows.mapping(row)


def list_(db, filters=None, limit=None, marker=None, sort_desc=True):
    """Instances matching ``filters`` (exact keys, plus name regex) with marker paging."""
    filters = dict(filters or {})
    q = sa.select(T)
    if not filters.pop('read_deleted', False):
        q = q.where(T.c.deleted == 0)
    name = filters.pop('name', None)
    changed = sa.func.coalesce(T.c.updated_at, T.c.created_at)
    if filters.get('changes_since') is not None:
        q = q.where(changed >= filters.pop('changes_since'))
    if filters.get('changes_before') is not None:
        q = q.where(changed <= filters.pop('changes_before'))
    filters.pop('changes_since', None)
    filters.pop('changes_before', None)
    for clause in tags_db.clauses(T.c.uuid, filters):
        q = q.where(clause)
    for key, value in filters.items():
        column = T.c[key]
        if isinstance(value, (list, tuple, set)):
            q = q.where(column.in_(list(value)))
        else:
            q = q.where(column == value)
    order = (T.c.created_at.desc(), T.c.id.desc()) if sort_desc else (T.c.created_at, T.c.id)
    q = q.order_by(*order)
    with db.read() as conn:
        if marker is not None:
            mrow = conn.execute(sa.select(T.c.created_at, T.c.id).where(
                T.c.uuid == marker)).first()
            if mrow is None:
                raise exception.Invalid(f'marker [{marker}] not found')
            q = q.where(_after(mrow, sort_desc))
        result = [rows.mapping(r) for r in conn.execute(q)]
    if name:
        result = [r for r in result if _name_matches(name, r['display_name'])]
    if limit is not None:
        result = result[:limit]
    return result


def _after(mrow, desc):
    created, ident = T.c.created_at, T.c.id
    if desc:
        return sa.or_(created < mrow.created_at,
                      sa.and_(created == mrow.created_at, ident < mrow.id))
    return sa.or_(created > mrow.created_at,
                  sa.and_(created == mrow.created_at, ident > mrow.id))


def _name_matches(pattern, name):
    try:
        return re.search(pattern, name or '') is not None
    except re.error:
        return pattern == name


def update(db, uuid, values, expected_task_state=UNSET, expected_vm_state=UNSET,
           expected_host=UNSET, fault=None):
    """Compare-and-swap update; raises UnexpectedTaskState when the expectation fails.

    ``expected_task_state`` may be a value or a list of values (None allowed).
    ``fault`` ({'code', 'message', 'details', 'host'}) is recorded in the same
    transaction, so nobody sees an instance in ERROR without its reason.
    Returns the updated instance.
    """
    values = dict(values)
    unknown = set(values) - _UPDATABLE
    if unknown:
        raise exception.Invalid(f'cannot update instance fields {sorted(unknown)}')
    values['updated_at'] = timeutils.utcnow()
    q = sa.update(T).where(T.c.uuid == uuid, T.c.deleted == 0)
    q = _expect(q, T.c.task_state, expected_task_state)
    q = _expect(q, T.c.vm_state, expected_vm_state)
    q = _expect(q, T.c.host, expected_host)
    with db.write() as conn:
        changed = conn.execute(q.values(**values)).rowcount
        if changed and fault:
            conn.execute(sa.insert(models.InstanceFault.__table__).values(
                instance_uuid=uuid, code=fault.get('code', 500),
                message=(fault.get('message') or '')[:255], details=fault.get('details'),
                host=fault.get('host')))
        row = conn.execute(sa.select(T).where(T.c.uuid == uuid)).first()
    if row is None or (row.deleted and changed == 0):
        raise exception.InstanceNotFound(uuid=uuid)
    if changed == 0:
        raise exception.UnexpectedTaskState(
            expected=_describe(expected_task_state, expected_vm_state, expected_host),
            actual=f'task_state={row.task_state} vm_state={row.vm_state} host={row.host}')
    return rows.mapping(row)


def _expect(q, column, expected):
    if expected is UNSET:
        return q
    values = expected if isinstance(expected, (list, tuple, set)) else [expected]
    conds = []
    non_null = [v for v in values if v is not None]
    if non_null:
        conds.append(column.in_(non_null))
    if None in values:
        conds.append(column.is_(None))
    return q.where(sa.or_(*conds))


def _describe(task, vm, host):
    parts = []
    for label, value in (('task_state', task), ('vm_state', vm), ('host', host)):
        if value is not UNSET:
            parts.append(f'{label}={value}')
    return ' '.join(parts)


def soft_delete(db, uuid):
    """Mark the instance deleted (vm_state deleted, deleted=id); idempotent."""
    now = timeutils.utcnow()
    with db.write() as conn:
        conn.execute(sa.update(T).where(T.c.uuid == uuid, T.c.deleted == 0).values(
            deleted=T.c.id, deleted_at=now, terminated_at=now, vm_state='deleted',
            task_state=None, updated_at=now))
        # Every delete ends here: the server leaves its group in the same transaction.
        member = models.ServerGroupMember.__table__
        conn.execute(sa.delete(member).where(member.c.instance_uuid == uuid))
        row = conn.execute(sa.select(T).where(T.c.uuid == uuid)).first()
    if row is None:
        raise exception.InstanceNotFound(uuid=uuid)
    return rows.mapping(row)
