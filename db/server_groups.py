"""Server groups and their members: CRUD, membership, and where members are placed."""
import sqlalchemy as sa

from common import exception
from db import models
from db import rows

G = models.ServerGroup.__table__
M = models.ServerGroupMember.__table__
I = models.Instance.__table__
A = models.Allocation.__table__
N = models.ComputeNode.__table__


class ServerGroupNotFound(exception.NotFound):
    message = 'Instance group %(group_uuid)s could not be found.'


def create(db, values):
    """Insert a group from {'uuid', 'name', 'project_id', 'user_id', 'policy', 'rules'}."""
    with db.write() as conn:
        ident = conn.execute(sa.insert(G).values(**values)).inserted_primary_key[0]
        return rows.mapping(conn.execute(sa.select(G).where(G.c.id == ident)).first())


def get(db, group_uuid):
    """The group ``group_uuid`` (any project; callers check ownership), else NotFound."""
    with db.read() as conn:
        row = conn.execute(sa.select(G).where(G.c.uuid == group_uuid)).first()
    if row is None:
        raise ServerGroupNotFound(group_uuid=group_uuid)
    return rows.mapping(row)


def list_(db, project_id=None):
    """Groups of ``project_id`` (every project's when None), oldest first."""
    q = sa.select(G).order_by(G.c.id)
    if project_id is not None:
        q = q.where(G.c.project_id == project_id)
    with db.read() as conn:
        return [rows.mapping(r) for r in conn.execute(q)]


def delete(db, group_uuid):
    """Delete the group and its membership rows in one transaction."""
    with db.write() as conn:
        row = conn.execute(sa.select(G.c.id).where(G.c.uuid == group_uuid)).first()
        if row is None:
            raise ServerGroupNotFound(group_uuid=group_uuid)
        # The FK cascades only where the backend enforces foreign keys: be explicit.
        conn.execute(sa.delete(M).where(M.c.group_id == row.id))
        conn.execute(sa.delete(G).where(G.c.id == row.id))


def members(db, group_ids):
    """{group id: [instance uuid, ...]} of live (not deleted) members, in join order."""
    found = {gid: [] for gid in group_ids}
    if not found:
        return found
    q = (sa.select(M.c.group_id, M.c.instance_uuid)
         .select_from(M.join(I, sa.and_(I.c.uuid == M.c.instance_uuid, I.c.deleted == 0)))
         .where(M.c.group_id.in_(list(found))).order_by(M.c.id))
    with db.read() as conn:
        for row in conn.execute(q):
            found[row.group_id].append(row.instance_uuid)
    return found


def add_members(db, group_uuid, instance_uuids):
    """Make the instances members of the group; NotFound if the group is gone."""
    with db.write() as conn:
        row = conn.execute(sa.select(G.c.id).where(G.c.uuid == group_uuid)).first()
        if row is None:
            raise ServerGroupNotFound(group_uuid=group_uuid)
        for uuid in instance_uuids:
            conn.execute(sa.insert(M).values(group_id=row.id, instance_uuid=uuid))


def groups_of(db, instance_uuid):
    """The uuids of the groups the instance belongs to (at most one)."""
    q = (sa.select(G.c.uuid).select_from(G.join(M, M.c.group_id == G.c.id))
         .where(M.c.instance_uuid == instance_uuid))
    with db.read() as conn:
        return [r.uuid for r in conn.execute(q)]


def placements(db, group_uuid):
    """Members holding a claim, as {'instance_uuid', 'host', 'claim_id'}, oldest claim first.

    Claims, not instances.host: a claim is written atomically when a host is
    chosen, so a parallel build of the same group sees it before the instance
    row is updated; claim ids order the claims for the race check.
    """
    q = (sa.select(M.c.instance_uuid, N.c.host, A.c.id.label('claim_id'))
         .select_from(G.join(M, M.c.group_id == G.c.id)
                      .join(A, A.c.instance_uuid == M.c.instance_uuid)
                      .join(N, N.c.id == A.c.node_id))
         .where(G.c.uuid == group_uuid).order_by(A.c.id))
    with db.read() as conn:
        return [rows.mapping(r) for r in conn.execute(q)]
