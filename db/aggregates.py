"""Host aggregates: rows, their hosts and metadata, and the zone each host gets from them."""
import uuid as uuid_mod

import sqlalchemy as sa

from common import exception
from common import timeutils
from db import models

AZ_KEY = 'availability_zone'


class AggregateNotFound(exception.NotFound):
    message = 'Aggregate %(ident)s could not be found.'


class AggregateNameExists(exception.Conflict):
    message = 'Aggregate %(name)s already exists.'


def _view(row, hosts):
    """A plain dict: the row, its hosts, and its metadata with the zone key folded in."""
    metadata = dict(row.extra_metadata or {})
    if row.availability_zone is not None:
        metadata[AZ_KEY] = row.availability_zone
    return {'id': row.id, 'uuid': row.uuid, 'name': row.name,
            'availability_zone': row.availability_zone, 'hosts': hosts,
            'metadata': metadata, 'created_at': row.created_at, 'updated_at': row.updated_at}


def _hosts_of(s, aggregate_ids):
    found = {i: [] for i in aggregate_ids}
    q = sa.select(models.AggregateHost).where(
        models.AggregateHost.aggregate_id.in_(aggregate_ids)).order_by(models.AggregateHost.id)
    for member in s.scalars(q):
        found[member.aggregate_id].append(member.host)
    return found


def _row(s, ident):
    row = s.get(models.Aggregate, ident) if isinstance(ident, int) else None
    if row is None:
        raise AggregateNotFound(ident=ident)
    return row


def list_(db):
    with db.reader() as s:
        found = list(s.scalars(sa.select(models.Aggregate).order_by(models.Aggregate.id)))
        hosts = _hosts_of(s, [r.id for r in found])
        return [_view(r, hosts[r.id]) for r in found]


def get(db, ident):
    with db.reader() as s:
        row = _row(s, ident)
        return _view(row, _hosts_of(s, [row.id])[row.id])


def _name_free(s, name, but=None):
    q = sa.select(models.Aggregate.id).where(models.Aggregate.name == name)
    if s.scalars(q).first() not in (None, but):
        raise AggregateNameExists(name=name)


def create(db, name, zone=None):
    with db.session() as s:
        _name_free(s, name)
        row = models.Aggregate(uuid=str(uuid_mod.uuid4()), name=name, availability_zone=zone,
                               extra_metadata={})
        s.add(row)
        try:
            s.flush()
        except sa.exc.IntegrityError:  # a racing create took the name
            raise AggregateNameExists(name=name) from None
        return _view(row, [])


def update(db, ident, name=None, metadata=None):
    """Rename and/or merge ``metadata`` (a None value drops the key; AZ_KEY sets the zone)."""
    with db.session() as s:
        row = _row(s, ident)
        if name is not None:
            _name_free(s, name, but=row.id)
            row.name = name
        extra = dict(row.extra_metadata or {})
        for key, value in (metadata or {}).items():
            if key == AZ_KEY:
                row.availability_zone = value
            elif value is None:
                extra.pop(key, None)
            else:
                extra[key] = value
        row.extra_metadata = extra
        row.updated_at = timeutils.utcnow()
        s.flush()
        return _view(row, _hosts_of(s, [row.id])[row.id])


def delete(db, ident):
    with db.session() as s:
        s.delete(_row(s, ident))


def add_host(db, ident, host):
    """Add ``host``; False when it already is a member."""
    with db.session() as s:
        row = _row(s, ident)
        if host in _hosts_of(s, [row.id])[row.id]:
            return False
        s.add(models.AggregateHost(aggregate_id=row.id, host=host))
        row.updated_at = timeutils.utcnow()
        return True


def remove_host(db, ident, host):
    """Remove ``host``; False when it was not a member."""
    with db.session() as s:
        row = _row(s, ident)
        result = s.execute(sa.delete(models.AggregateHost).where(
            models.AggregateHost.aggregate_id == row.id, models.AggregateHost.host == host))
        if result.rowcount:
            row.updated_at = timeutils.utcnow()
        return bool(result.rowcount)


def zones_of_hosts(db, hosts=None):
    """{host: {aggregate id: zone}} over the aggregates that set a zone (``hosts`` limits it)."""
    a, h = models.Aggregate.__table__, models.AggregateHost.__table__
    q = sa.select(h.c.host, a.c.id, a.c.availability_zone).join(
        a, a.c.id == h.c.aggregate_id).where(a.c.availability_zone.is_not(None))
    if hosts is not None:
        q = q.where(h.c.host.in_(list(hosts)))
    found = {}
    with db.read() as conn:
        for host, agg_id, zone in conn.execute(q):
            found.setdefault(host, {})[agg_id] = zone
    return found


def host_zones(db):
    """{host: zone} for every host an aggregate puts in a zone: the one place that decides."""
    # Adding a host to a second zone is refused, so a host has at most one; min() is stable.
    return {host: min(zones.values()) for host, zones in zones_of_hosts(db).items()}
