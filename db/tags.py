"""Server tag rows: list, replace, add, remove, and the list filters that use them."""
import sqlalchemy as sa

from db import models

T = models.Tag.__table__
# The list filters (2.26) by query key: comma-separated tags.
FILTER_KEYS = ('tags', 'tags-any', 'not-tags', 'not-tags-any')


def get(db, uuid):
    """The tags of server ``uuid``, sorted."""
    with db.read() as conn:
        return sorted(r.tag for r in conn.execute(
            sa.select(T.c.tag).where(T.c.resource_id == uuid)))


def for_many(db, uuids):
    """{uuid: [tags]} for the servers ``uuids`` in one query."""
    found = {u: [] for u in uuids}
    if not uuids:
        return found
    with db.read() as conn:
        for row in conn.execute(sa.select(T).where(T.c.resource_id.in_(list(uuids)))):
            found[row.resource_id].append(row.tag)
    return {u: sorted(t) for u, t in found.items()}


def replace(db, uuid, tags):
    """Make ``tags`` the server's tags; the new list."""
    wanted = sorted(set(tags))
    with db.write() as conn:
        conn.execute(sa.delete(T).where(T.c.resource_id == uuid))
        if wanted:
            conn.execute(sa.insert(T), [{'resource_id': uuid, 'tag': t} for t in wanted])
    return wanted


def add(db, uuid, tag):
    """Add one tag; False when the server had it already."""
    with db.write() as conn:
        if conn.execute(sa.select(T.c.tag).where(T.c.resource_id == uuid,
                                                 T.c.tag == tag)).first():
            return False
        try:
            conn.execute(sa.insert(T).values(resource_id=uuid, tag=tag))
        except sa.exc.IntegrityError:  # a racing add won
            return False
    return True


def remove(db, uuid, tag=None):
    """Remove one tag (or all with None); the number of rows removed."""
    q = sa.delete(T).where(T.c.resource_id == uuid)
    if tag is not None:
        q = q.where(T.c.tag == tag)
    with db.write() as conn:
        return conn.execute(q).rowcount


def clauses(uuid_column, filters):
    """WHERE clauses for the tag filters in ``filters`` ({key: [tags]}), popped from it."""
    found = []
    for key in FILTER_KEYS:
        wanted = filters.pop(key, None)
        if not wanted:
            continue
        if key in ('tags', 'not-tags'):
            having = (sa.select(T.c.resource_id).where(T.c.tag.in_(wanted))
                      .group_by(T.c.resource_id)
                      .having(sa.func.count(sa.distinct(T.c.tag)) == len(set(wanted))))
        else:
            having = sa.select(T.c.resource_id).where(T.c.tag.in_(wanted))
        inside = uuid_column.in_(having)
        found.append(sa.not_(inside) if key.startswith('not-') else inside)
    return found
