"""Instance faults: why an instance went to ERROR (the newest one shows on the server)."""
import sqlalchemy as sa

from db import models
from db import rows

F = models.InstanceFault.__table__


def add(db, instance_uuid, code, message, details=None, host=None):
    with db.write() as conn:
        conn.execute(sa.insert(F).values(instance_uuid=instance_uuid, code=code,
                                         message=(message or '')[:255], details=details,
                                         host=host))


def latest(db, instance_uuids):
    """The newest fault of each instance in ``instance_uuids``, keyed by uuid."""
    if not instance_uuids:
        return {}
    found = {}
    with db.read() as conn:
        for row in conn.execute(sa.select(F).where(
                F.c.instance_uuid.in_(list(instance_uuids))).order_by(F.c.id)):
            found[row.instance_uuid] = rows.mapping(row)
    return found
