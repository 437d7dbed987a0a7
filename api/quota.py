"""Per-project quotas on instances, cores and RAM, checked before servers are created."""
import sqlalchemy as sa

from common import exception
from db import models


class QuotaExceeded(exception.Forbidden):
    message = 'Quota exceeded for %(resources)s: Requested %(req)s, but already used ' \
              '%(used)s of %(allowed)s %(resources)s'


def usage(db, project_id):
    """(instances, cores, ram) the project's live servers hold."""
    t = models.Instance
    with db.read() as conn:
        row = conn.execute(sa.select(sa.func.count(t.id),
                                     sa.func.coalesce(sa.func.sum(t.vcpus), 0),
                                     sa.func.coalesce(sa.func.sum(t.memory_mb), 0)).where(
            t.project_id == project_id, t.deleted == 0)).one()
    return int(row[0]), int(row[1]), int(row[2])


def allowed_count(conf, db, project_id, flavor, min_count, max_count):
    """How many servers (<= max_count) fit the project's quota; 403 if not even min_count."""
    used = dict(zip(('instances', 'cores', 'ram'), usage(db, project_id)))
    per_server = {'instances': 1, 'cores': flavor['vcpus'], 'ram': flavor['memory_mb']}
    count = max_count
    for resource, each in per_server.items():
        limit = getattr(conf.quota, resource)
        if limit < 0 or each == 0:
            continue
        fits = max(0, (limit - used[resource]) // each)
        if fits < min_count:
            raise QuotaExceeded(resources=resource, req=each * min_count,
                                used=used[resource], allowed=limit)
        count = min(count, fits)
    return count
