"""Keypair rows: per-user named public keys (create, get, list with paging, delete)."""
import sqlalchemy as sa

from common import exception
from db import models
from db import rows

T = models.KeyPair.__table__


class KeypairNotFound(exception.NotFound):
    message = 'Keypair %(name)s not found for user %(user_id)s'


class KeypairExists(exception.Conflict):
    message = "Key pair '%(name)s' already exists."


def create(db, values):
    """Insert a keypair; KeypairExists when the user already has one of that name."""
    with db.write() as conn:
        taken = conn.execute(sa.select(T.c.id).where(
            T.c.user_id == values['user_id'], T.c.name == values['name'])).first()
        if taken is not None:
            raise KeypairExists(name=values['name'])
        try:
            ident = conn.execute(sa.insert(T).values(**values)).inserted_primary_key[0]
        except sa.exc.IntegrityError as exc:  # a racing create won the unique constraint
            raise KeypairExists(name=values['name']) from exc
        return rows.mapping(conn.execute(sa.select(T).where(T.c.id == ident)).first())


def get(db, user_id, name):
    with db.read() as conn:
        row = conn.execute(sa.select(T).where(T.c.user_id == user_id,
                                              T.c.name == name)).first()
    if row is None:
        raise KeypairNotFound(name=name, user_id=user_id)
    return rows.mapping(row)


def list_(db, user_id, limit=None, marker=None):
    """The user's keypairs by name; ``marker`` is the name of the last one already seen."""
    q = sa.select(T).where(T.c.user_id == user_id).order_by(T.c.name, T.c.id)
    with db.read() as conn:
        if marker is not None:
            if conn.execute(sa.select(T.c.id).where(T.c.user_id == user_id,
                                                    T.c.name == marker)).first() is None:
                raise exception.Invalid(f'Marker {marker} could not be found.')
            q = q.where(T.c.name > marker)
        if limit is not None:
            q = q.limit(limit)
        return [rows.mapping(r) for r in conn.execute(q)]


def delete(db, user_id, name):
    with db.write() as conn:
        done = conn.execute(sa.delete(T).where(T.c.user_id == user_id, T.c.name == name))
    if done.rowcount == 0:
        raise KeypairNotFound(name=name, user_id=user_id)
