"""Quota rows: per-project and per-user limits, and the limits of quota classes."""
import sqlalchemy as sa

from db import models


def project_limits(db, project_id, user_id=None):
    """{resource: hard_limit} set for the project (user_id None) or for one of its users."""
    t = models.Quota.__table__
    with db.read() as conn:
        found = conn.execute(sa.select(t.c.resource, t.c.hard_limit).where(
            t.c.project_id == project_id, t.c.user_id == (user_id or '')))
        return {r.resource: r.hard_limit for r in found}


def set_limits(db, project_id, limits, user_id=None):
    """Create or update one row per resource in ``limits``."""
    t = models.Quota.__table__
    with db.write() as conn:
        for resource, value in limits.items():
            where = (t.c.project_id == project_id, t.c.user_id == (user_id or ''),
                     t.c.resource == resource)
            done = conn.execute(sa.update(t).where(*where).values(
                hard_limit=value, updated_at=models._now()))
            if done.rowcount == 0:
                conn.execute(sa.insert(t).values(
                    project_id=project_id, user_id=user_id or '', resource=resource,
                    hard_limit=value, created_at=models._now()))


def delete_limits(db, project_id, user_id=None):
    """Drop the user's rows, or (user_id None) the project's and all its users' rows."""
    t = models.Quota.__table__
    q = sa.delete(t).where(t.c.project_id == project_id)
    if user_id:
        q = q.where(t.c.user_id == user_id)
    with db.write() as conn:
        conn.execute(q)


def class_limits(db, class_name):
    t = models.QuotaClass.__table__
    with db.read() as conn:
        found = conn.execute(sa.select(t.c.resource, t.c.hard_limit).where(
            t.c.class_name == class_name))
        return {r.resource: r.hard_limit for r in found}


def set_class_limits(db, class_name, limits):
    t = models.QuotaClass.__table__
    with db.write() as conn:
        for resource, value in limits.items():
            where = (t.c.class_name == class_name, t.c.resource == resource)
            done = conn.execute(sa.update(t).where(*where).values(
                hard_limit=value, updated_at=models._now()))
            if done.rowcount == 0:
                conn.execute(sa.insert(t).values(
                    class_name=class_name, resource=resource, hard_limit=value,
                    created_at=models._now()))


def delete_class_limits(db, class_name):
    """Forget a class's rows (tests restore the config defaults with it)."""
    t = models.QuotaClass.__table__
    with db.write() as conn:
        conn.execute(sa.delete(t).where(t.c.class_name == class_name))


def count_rows(db, model, **where):
    """How many rows of ``model`` match the column values in ``where``."""
    t = model.__table__
    q = sa.select(sa.func.count()).select_from(t).where(
        *[t.c[k] == v for k, v in where.items()])
    with db.read() as conn:
        return int(conn.execute(q).scalar())
