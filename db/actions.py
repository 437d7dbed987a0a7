"""Instance actions and their events (what `server event list` shows).

Written on every boot and delete, so they use SQLAlchemy Core.
"""
import sqlalchemy as sa

from common import exception
from common import timeutils
from db import models
from db import rows

A = models.InstanceAction.__table__
E = models.InstanceActionEvent.__table__


def start(db, ctxt, instance_uuid, action):
    """Record that ``action`` started on the instance for this request."""
    now = timeutils.utcnow()
    values = {'action': action, 'instance_uuid': instance_uuid,
              'request_id': ctxt.request_id, 'user_id': ctxt.user_id,
              'project_id': ctxt.project_id, 'start_time': now, 'updated_at': now}
    with db.write() as conn:
        values['id'] = conn.execute(sa.insert(A).values(**values)).inserted_primary_key[0]
    return dict(values, finish_time=None, message=None)


def _find(conn, instance_uuid, request_id):
    return conn.execute(sa.select(A).where(
        A.c.instance_uuid == instance_uuid, A.c.request_id == request_id).order_by(
            A.c.id.desc())).first()


def event_finish(db, instance_uuid, request_id, event, result, traceback=None,
                 host=None, start_time=None):
    """Record ``event`` as finished (closing it if open); an Error marks the action."""
    now = timeutils.utcnow()
    with db.write() as conn:
        action = _find(conn, instance_uuid, request_id)
        if action is None:
            return
        done = {'finish_time': now, 'result': result, 'traceback': traceback}
        changed = conn.execute(sa.update(E).where(
            E.c.action_id == action.id, E.c.event == event,
            E.c.finish_time.is_(None)).values(**done)).rowcount
        if not changed:
            conn.execute(sa.insert(E).values(action_id=action.id, event=event, host=host,
                                             start_time=start_time or now, **done))
        marks = {'updated_at': now, 'finish_time': now}
        if result == 'Error':
            marks['message'] = 'Error'
        conn.execute(sa.update(A).where(A.c.id == action.id).values(**marks))


def list_(db, instance_uuid):
    with db.read() as conn:
        return [rows.mapping(r) for r in conn.execute(sa.select(A).where(
            A.c.instance_uuid == instance_uuid).order_by(A.c.start_time.desc(), A.c.id.desc()))]


def get(db, instance_uuid, request_id):
    """The action of ``request_id`` with its events, else NotFound."""
    with db.read() as conn:
        action = _find(conn, instance_uuid, request_id)
        if action is None:
            raise exception.NotFound(f'Action for request_id {request_id} on instance '
                                     f'{instance_uuid} not found')
        value = rows.mapping(action)
        value['events'] = [rows.mapping(e) for e in conn.execute(
            sa.select(E).where(E.c.action_id == action.id).order_by(E.c.id))]
        return value
