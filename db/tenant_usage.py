"""Instances that ran during a time window (deleted ones too), for usage reports."""
import sqlalchemy as sa

from common import exception
from db import models
from db import rows

T = models.Instance.__table__


def active_in_window(db, start, stop, project_id=None, limit=None, marker=None):
    """Instances launched before ``stop`` and not terminated before ``start``, oldest first.

    ``marker`` is the uuid of the last instance of the previous page (400 if unknown).
    """
    q = sa.select(T).where(sa.or_(T.c.terminated_at.is_(None), T.c.terminated_at > start),
                           T.c.launched_at < stop).order_by(T.c.id)
    if project_id:
        q = q.where(T.c.project_id == project_id)
    with db.read() as conn:
        if marker:
            after = conn.execute(sa.select(T.c.id).where(T.c.uuid == marker)).scalar()
            if after is None:
                raise exception.Invalid(f'Marker {marker} could not be found.')
            q = q.where(T.c.id > after)
        if limit is not None:
            q = q.limit(limit)
        return [rows.mapping(r) for r in conn.execute(q)]
