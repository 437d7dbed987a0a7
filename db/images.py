"""Image rows (the Glance v2 subset): create, get, filtered list, conditional update, delete."""
import uuid

import sqlalchemy as sa

from common import exception
from db import models
from db import rows

_Image = models.Image


def create(db, values):
    """Insert an image (id generated when absent); Conflict if the id is taken."""
    values = dict(values)
    values.setdefault('id', str(uuid.uuid4()))
    values.setdefault('properties', {})
    with db.session() as s:
        if s.get(_Image, values['id']) is not None:
            raise exception.Conflict(f"Image with identifier {values['id']} already exists!")
        row = _Image(**values)
        s.add(row)
        s.flush()
        return rows.to_dict(row)


def _row(s, image_id):
    row = s.get(_Image, image_id) if isinstance(image_id, str) else None
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    return row


def get(db, image_id):
    # Read on every boot: Core, not the ORM.
    if not isinstance(image_id, str):
        raise exception.ImageNotFound(image_id=image_id)
    t = _Image.__table__
    with db.read() as conn:
        row = conn.execute(sa.select(t).where(t.c.id == image_id)).first()
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    return rows.mapping(row)


# What a compute host is told of an image: enough to fetch, check and boot it.
_FOR_COMPUTE = ('id', 'name', 'disk_format', 'container_format', 'size', 'checksum',
                'min_disk', 'min_ram', 'properties')


def for_compute(image):
    """The part of an image row that travels to a compute host in an RPC message."""
    return {k: image.get(k) for k in _FOR_COMPUTE}


def of_instance(db, instance):
    """The instance's image as a compute host wants it, or None (none, or deleted)."""
    if not instance.get('image_ref'):
        return None
    try:
        return for_compute(get(db, instance['image_ref']))
    except exception.NotFound:
        return None


def _match(column, value):
    """Equality, or IN for a list (``id=in:a,b`` style filters)."""
    if isinstance(value, (list, tuple, set)):
        return column.in_(list(value))
    return column == value


def _visible_to(project_id):
    # No image-member table: "shared" reaches only its owner here.
    return sa.or_(_Image.visibility.in_(('public', 'community')), _Image.owner == project_id)


_FILTERS = {'name': _Image.name, 'status': _Image.status, 'visibility': _Image.visibility,
            'owner': _Image.owner, 'ids': _Image.id}


def list_(db, filters=None, **kwargs):
    """Images newest first (created_at desc, then id desc).

    Filters (a dict, keyword arguments, or both): name, status, visibility, owner, ids
    (a list is an IN), member_project, limit, marker. ``member_project`` limits the
    result to what a non-admin of that project may see; absent means everything
    (admin). ``marker`` is the id of the last image of the previous page; an unknown or
    invisible marker is Invalid.
    """
    filters = dict(filters or {}, **kwargs)
    unknown = set(filters) - set(_FILTERS) - {'member_project', 'limit', 'marker'}
    if unknown:
        raise TypeError(f'unknown image filters: {sorted(unknown)}')
    member_project = filters.get('member_project')
    with db.reader() as s:
        q = sa.select(_Image).order_by(_Image.created_at.desc(), _Image.id.desc())
        for key, column in _FILTERS.items():
            if filters.get(key) is not None:
                q = q.where(_match(column, filters[key]))
        if member_project is not None:
            q = q.where(_visible_to(member_project))
        if filters.get('marker') is not None:
            q = q.where(_after(s, filters['marker'], member_project))
        if filters.get('limit') is not None:
            q = q.limit(filters['limit'])
        return [rows.to_dict(r) for r in s.scalars(q)]


def _after(s, marker, member_project):
    """The condition selecting rows that sort after the marker image."""
    mark = s.get(_Image, marker)
    if mark is None or (member_project is not None and mark.visibility not in (
            'public', 'community') and mark.owner != member_project):
        raise exception.Invalid(f'marker {marker} could not be found.')
    return sa.or_(_Image.created_at < mark.created_at,
                  sa.and_(_Image.created_at == mark.created_at, _Image.id < mark.id))


def update(db, image_id, values, expected_status=None):
    """Set ``values``; with ``expected_status`` only if the row still has that status.

    The status check is one conditional UPDATE, so two racing uploads cannot both win;
    the loser gets Conflict.
    """
    with db.session() as s:
        row = _row(s, image_id)
        if expected_status is not None:
            allowed = (expected_status,) if isinstance(expected_status, str) \
                else tuple(expected_status)
            done = s.execute(sa.update(_Image).where(
                _Image.id == image_id, _Image.status.in_(allowed)).values(**values))
            if done.rowcount != 1:
                raise exception.Conflict(
                    f'Image {image_id} is {row.status}, not {"/".join(allowed)}.')
            s.refresh(row)
            return rows.to_dict(row)
        for key, value in values.items():
            setattr(row, key, value)
        s.flush()
        return rows.to_dict(row)


def delete(db, image_id):
    """Remove the row for good (Glance answers 404 for a deleted image)."""
    with db.session() as s:
        s.delete(_row(s, image_id))
