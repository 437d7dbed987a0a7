"""Instance faults: why an instance went to ERROR (the newest one shows on the server)."""
import sqlalchemy as sa

from db import models
from db import rows


def add(db, instance_uuid, code, message, details=None, host=None):
    with db.session() as s:
        s.add(models.InstanceFault(instance_uuid=instance_uuid, code=code,
                                   message=(message or '')[:255], details=details, host=host))


def latest(db, instance_uuids):
    """The newest fault of each instance in ``instance_uuids``, keyed by uuid."""
    if not instance_uuids:
        return {}
    with db.reader() as s:
        found = {}
        for row in s.scalars(sa.select(models.InstanceFault).where(
                models.InstanceFault.instance_uuid.in_(list(instance_uuids))).order_by(
                    models.InstanceFault.id)):
            found[row.instance_uuid] = rows.to_dict(row)
        return found
