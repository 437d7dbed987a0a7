"""Service rows: registration, heartbeats, enable/disable, liveness."""
import uuid as uuid_mod

import sqlalchemy as sa

from common import exception
from common import timeutils
from db import models
from db import rows


def register(db, host, binary, topic):
    """Create the (host, binary) row if missing; returns it."""
    with db.session() as s:
        row = s.scalars(sa.select(models.Service).where(
            models.Service.host == host, models.Service.binary == binary)).first()
        if row is None:
            row = models.Service(uuid=str(uuid_mod.uuid4()), host=host, binary=binary,
                                 topic=topic, last_seen_up=timeutils.utcnow())
            s.add(row)
            s.flush()
        return rows.to_dict(row)


def heartbeat(db, host, binary, topic=None):
    """Record that (host, binary) is alive now; registers it on first beat."""
    now = timeutils.utcnow()
    with db.session() as s:
        result = s.execute(sa.update(models.Service).where(
            models.Service.host == host, models.Service.binary == binary).values(
                last_seen_up=now, report_count=models.Service.report_count + 1,
                updated_at=now))
    if result.rowcount == 0:
        register(db, host, binary, topic or binary)


def list_(db, host=None, binary=None):
    t = models.Service.__table__
    q = sa.select(t).order_by(t.c.id)
    if host:
        q = q.where(t.c.host == host)
    if binary:
        q = q.where(t.c.binary == binary)
    with db.read() as conn:
        return [rows.mapping(r) for r in conn.execute(q)]


def get_by_id(db, ident):
    with db.reader() as s:
        q = sa.select(models.Service)
        q = q.where(models.Service.uuid == ident) if not str(ident).isdigit() \
            else q.where(models.Service.id == int(ident))
        row = s.scalars(q).first()
        if row is None:
            raise exception.NotFound(f'Service {ident} not found.')
        return rows.to_dict(row)


def update(db, ident, values):
    service = get_by_id(db, ident)
    with db.session() as s:
        s.execute(sa.update(models.Service).where(models.Service.id == service['id'])
                  .values(**values))
    return get_by_id(db, service['id'])


def delete(db, ident):
    service = get_by_id(db, ident)
    with db.session() as s:
        s.execute(sa.delete(models.Service).where(models.Service.id == service['id']))
    return service


def is_up(service, down_time):
    """True when the service beat within ``down_time`` seconds and is not forced down."""
    if service.get('forced_down'):
        return False
    seen = service.get('last_seen_up') or service.get('updated_at') or service.get('created_at')
    if seen is None:
        return False
    return (timeutils.utcnow() - seen).total_seconds() <= down_time
