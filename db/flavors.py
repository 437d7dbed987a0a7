"""Flavor rows with their extra specs and project access list."""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exception
from db import models
from db import rows


def _dict(s, row):
    value = rows.to_dict(row)
    value['extra_specs'] = {e.key: e.value for e in s.scalars(
        sa.select(models.FlavorExtraSpec).where(models.FlavorExtraSpec.flavor_id == row.id))}
    return value


def create(db, values, extra_specs=None, projects=None):
    try:
        with db.session() as s:
            _check_unique(s, values)
            row = models.Flavor(**values)
            s.add(row)
            s.flush()
            for key, value in (extra_specs or {}).items():
                s.add(models.FlavorExtraSpec(flavor_id=row.id, key=key, value=value))
            for project in projects or ():
                s.add(models.FlavorProject(flavor_id=row.id, project_id=project))
            s.flush()
            return _dict(s, row)
    except sa_exc.IntegrityError as exc:
        raise exception.FlavorExists(what='name or id', value=values.get('name')) from exc


def _check_unique(s, values):
    for field in ('flavorid', 'name'):
        if s.scalars(sa.select(models.Flavor).where(
                getattr(models.Flavor, field) == values[field])).first():
            what = 'ID' if field == 'flavorid' else 'name'
            raise exception.FlavorExists(what=what, value=values[field])


def _row(s, flavorid):
    row = s.scalars(sa.select(models.Flavor).where(models.Flavor.flavorid == flavorid)).first()
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row


def get(db, flavorid, project_id=None, is_admin=True):
    """The flavor ``flavorid``; a private one is visible to admins and listed projects.

    Read on every boot, so written in Core.
    """
    t, specs = models.Flavor.__table__, models.FlavorExtraSpec.__table__
    with db.read() as conn:
        row = conn.execute(sa.select(t).where(t.c.flavorid == flavorid)).first()
        if row is None:
            raise exception.FlavorNotFound(flavor_id=flavorid)
        if not is_admin and not row.is_public and not _core_has_access(conn, row.id,
                                                                         project_id):
            raise exception.FlavorNotFound(flavor_id=flavorid)
        value = rows.mapping(row)
        value['extra_specs'] = dict(conn.execute(sa.select(specs.c.key, specs.c.value).where(
            specs.c.flavor_id == row.id)).all())
        return value


def _core_has_access(conn, flavor_pk, project_id):
    t = models.FlavorProject.__table__
    return conn.execute(sa.select(t.c.id).where(
        t.c.flavor_id == flavor_pk, t.c.project_id == project_id)).first() is not None


def _has_access(s, flavor_pk, project_id):
    return s.scalars(sa.select(models.FlavorProject).where(
        models.FlavorProject.flavor_id == flavor_pk,
        models.FlavorProject.project_id == project_id)).first() is not None


def list_(db, is_public=True, project_id=None, min_ram=None, min_disk=None,
          limit=None, marker=None):
    """Flavors sorted by flavorid; is_public None means all (admin), False private only."""
    with db.reader() as s:
        q = sa.select(models.Flavor).order_by(models.Flavor.flavorid)
        if is_public is True and project_id is not None:
            access = sa.select(models.FlavorProject.flavor_id).where(
                models.FlavorProject.project_id == project_id)
            q = q.where(sa.or_(models.Flavor.is_public.is_(True), models.Flavor.id.in_(access)))
        elif is_public is True:
            q = q.where(models.Flavor.is_public.is_(True))
        elif is_public is False:
            q = q.where(models.Flavor.is_public.is_(False))
        if min_ram is not None:
            q = q.where(models.Flavor.memory_mb >= min_ram)
        if min_disk is not None:
            q = q.where(models.Flavor.root_gb >= min_disk)
        if marker is not None:
            mrow = s.scalars(sa.select(models.Flavor).where(
                models.Flavor.flavorid == marker)).first()
            if mrow is None:
                raise exception.Invalid(f'marker [{marker}] not found')
            q = q.where(models.Flavor.flavorid > mrow.flavorid)
        if limit is not None:
            q = q.limit(limit)
        return [_dict(s, r) for r in s.scalars(q)]


def update(db, flavorid, values):
    with db.session() as s:
        row = _row(s, flavorid)
        for key, value in values.items():
            setattr(row, key, value)
        s.flush()
        return _dict(s, row)


def delete(db, flavorid):
    with db.session() as s:
        row = _row(s, flavorid)
        s.execute(sa.delete(models.FlavorExtraSpec).where(
            models.FlavorExtraSpec.flavor_id == row.id))
        s.execute(sa.delete(models.FlavorProject).where(
            models.FlavorProject.flavor_id == row.id))
        s.delete(row)


def set_extra_specs(db, flavorid, specs):
    with db.session() as s:
        row = _row(s, flavorid)
        for key, value in specs.items():
            spec = s.scalars(sa.select(models.FlavorExtraSpec).where(
                models.FlavorExtraSpec.flavor_id == row.id,
                models.FlavorExtraSpec.key == key)).first()
            if spec is None:
                s.add(models.FlavorExtraSpec(flavor_id=row.id, key=key, value=value))
            else:
                spec.value = value
        s.flush()
        return _dict(s, row)['extra_specs']


def delete_extra_spec(db, flavorid, key):
    with db.session() as s:
        row = _row(s, flavorid)
        result = s.execute(sa.delete(models.FlavorExtraSpec).where(
            models.FlavorExtraSpec.flavor_id == row.id, models.FlavorExtraSpec.key == key))
        if result.rowcount == 0:
            raise exception.NotFound(f'Flavor {flavorid} has no extra spec with key {key}.')


def access_list(db, flavorid):
    with db.reader() as s:
        row = _row(s, flavorid)
        return [p.project_id for p in s.scalars(sa.select(models.FlavorProject).where(
            models.FlavorProject.flavor_id == row.id).order_by(models.FlavorProject.id))]


def add_access(db, flavorid, project_id):
    with db.session() as s:
        row = _row(s, flavorid)
        if row.is_public:
            raise exception.Conflict('Can not add access to a public flavor.')
        if _has_access(s, row.id, project_id):
            raise exception.Conflict(
                f'Flavor access already exists for flavor {flavorid} and project '
                f'{project_id} combination.')
        s.add(models.FlavorProject(flavor_id=row.id, project_id=project_id))
    return access_list(db, flavorid)


def remove_access(db, flavorid, project_id):
    with db.session() as s:
        row = _row(s, flavorid)
        result = s.execute(sa.delete(models.FlavorProject).where(
            models.FlavorProject.flavor_id == row.id,
            models.FlavorProject.project_id == project_id))
        if result.rowcount == 0:
            raise exception.NotFound(
                f'Flavor access not found for {flavorid} / {project_id} combination.')
    return access_list(db, flavorid)
