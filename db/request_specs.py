"""Request specs: what a build asked for, kept for reschedules and later moves."""
import sqlalchemy as sa

from db import models


def save(db, instance_uuid, spec):
    with db.session() as s:
        row = s.scalars(sa.select(models.RequestSpec).where(
            models.RequestSpec.instance_uuid == instance_uuid)).first()
        if row is None:
            s.add(models.RequestSpec(instance_uuid=instance_uuid, spec=spec))
        else:
            row.spec = spec


def get(db, instance_uuid):
    with db.reader() as s:
        row = s.scalars(sa.select(models.RequestSpec).where(
            models.RequestSpec.instance_uuid == instance_uuid)).first()
        return dict(row.spec) if row else None
