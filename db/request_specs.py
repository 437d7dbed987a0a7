"""Request specs: what a build asked for, kept for reschedules and later moves."""
import sqlalchemy as sa

from db import models

R = models.RequestSpec.__table__


def save(db, instance_uuid, spec):
    with db.write() as conn:
        changed = conn.execute(sa.update(R).where(R.c.instance_uuid == instance_uuid)
                               .values(spec=spec)).rowcount
        if not changed:
            conn.execute(sa.insert(R).values(instance_uuid=instance_uuid, spec=spec))


def get(db, instance_uuid):
    with db.read() as conn:
        row = conn.execute(sa.select(R.c.spec).where(R.c.instance_uuid == instance_uuid)).first()
    return dict(row.spec) if row else None
