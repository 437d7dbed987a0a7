"""Instance rows: create, read, list with filters, compare-and-swap updates, soft delete."""
import sqlalchemy as sa

from common import exception
from common import timeutils
from db import models
from db import rows

_RENAME = {'instance_metadata': 'metadata'}
_UPDATABLE = {c.key for c in models.Instance.__mapper__.column_attrs} - {'id', 'uuid'}
UNSET = object()


def _dict(row):
    return rows.to_dict(row, _RENAME)


def create(db, values):
    values = dict(values)
    if 'metadata' in values:
        values['instance_metadata'] = values.pop('metadata')
    with db.session() as s:
        row = models.Instance(**values)
        s.add(row)
        s.flush()
        return _dict(row)


def get(db, uuid, read_deleted=False, project_id=None):
    """The instance ``uuid`` (of ``project_id`` when given), else InstanceNotFound."""
    with db.reader() as s:
        q = sa.select(models.Instance).where(models.Instance.uuid == uuid)
        if not read_deleted:
            q = q.where(models.Instance.deleted == 0)
        if project_id is not None:
            q = q.where(models.Instance.project_id == project_id)
        row = s.scalars(q).first()
        if row is None:
            raise exception.InstanceNotFound(uuid=uuid)
        return _dict(row)


def list_(db, filters=None, limit=None, marker=None, sort_desc=True):
    """Instances matching ``filters`` (exact keys, plus name regex) with marker paging."""
    filters = dict(filters or {})
    with db.reader() as s:
        q = sa.select(models.Instance)
        if not filters.pop('read_deleted', False):
            q = q.where(models.Instance.deleted == 0)
        name = filters.pop('name', None)
        for key, value in filters.items():
            column = getattr(models.Instance, key)
            if isinstance(value, (list, tuple, set)):
                q = q.where(column.in_(list(value)))
            else:
                q = q.where(column == value)
        order = (models.Instance.created_at.desc(), models.Instance.id.desc()) if sort_desc \
            else (models.Instance.created_at, models.Instance.id)
        q = q.order_by(*order)
        if marker is not None:
            mrow = s.scalars(sa.select(models.Instance).where(
                models.Instance.uuid == marker)).first()
            if mrow is None:
                raise exception.Invalid(f'marker [{marker}] not found')
            q = q.where(_after(mrow, sort_desc))
        result = [_dict(r) for r in s.scalars(q)]
    if name:
        result = [r for r in result if _name_matches(name, r['display_name'])]
    if limit is not None:
        result = result[:limit]
    return result


def _after(mrow, desc):
    created, ident = models.Instance.created_at, models.Instance.id
    if desc:
        return sa.or_(created < mrow.created_at,
                      sa.and_(created == mrow.created_at, ident < mrow.id))
    return sa.or_(created > mrow.created_at,
                  sa.and_(created == mrow.created_at, ident > mrow.id))


def _name_matches(pattern, name):
    import re
    try:
        return re.search(pattern, name or '') is not None
    except re.error:
        return pattern == name


def update(db, uuid, values, expected_task_state=UNSET, expected_vm_state=UNSET,
           expected_host=UNSET):
    """Compare-and-swap update; raises UnexpectedTaskState when the expectation fails.

    ``expected_task_state`` may be a value or a list of values (None allowed).
    Returns the updated instance.
    """
    values = dict(values)
    if 'metadata' in values:
        values['instance_metadata'] = values.pop('metadata')
    unknown = set(values) - _UPDATABLE
    if unknown:
        raise exception.Invalid(f'cannot update instance fields {sorted(unknown)}')
    values['updated_at'] = timeutils.utcnow()
    with db.session() as s:
        q = sa.update(models.Instance).where(models.Instance.uuid == uuid,
                                             models.Instance.deleted == 0)
        q = _expect(q, models.Instance.task_state, expected_task_state)
        q = _expect(q, models.Instance.vm_state, expected_vm_state)
        q = _expect(q, models.Instance.host, expected_host)
        result = s.execute(q.values(**values))
        row = s.scalars(sa.select(models.Instance).where(
            models.Instance.uuid == uuid)).first()
        if row is None or (row.deleted and result.rowcount == 0):
            raise exception.InstanceNotFound(uuid=uuid)
        if result.rowcount == 0:
            raise exception.UnexpectedTaskState(
                expected=_describe(expected_task_state, expected_vm_state, expected_host),
                actual=f'task_state={row.task_state} vm_state={row.vm_state} host={row.host}')
        return _dict(row)


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
    with db.session() as s:
        row = s.scalars(sa.select(models.Instance).where(
            models.Instance.uuid == uuid)).first()
        if row is None:
            raise exception.InstanceNotFound(uuid=uuid)
        if not row.deleted:
            row.deleted = row.id
            row.deleted_at = now
            row.terminated_at = now
            row.vm_state = 'deleted'
            row.task_state = None
        return _dict(row)


def count_by_state(db, **filters):
    with db.reader() as s:
        q = sa.select(models.Instance.vm_state, sa.func.count()).where(
            models.Instance.deleted == 0)
        for key, value in filters.items():
            q = q.where(getattr(models.Instance, key) == value)
        return dict(s.execute(q.group_by(models.Instance.vm_state)).all())
