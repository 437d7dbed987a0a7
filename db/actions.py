"""Instance actions and their events (what `server event list` shows)."""
import sqlalchemy as sa

from common import exception
from common import timeutils
from db import models
from db import rows


def start(db, ctxt, instance_uuid, action):
    """Record that ``action`` started on the instance for this request."""
    with db.session() as s:
        row = models.InstanceAction(action=action, instance_uuid=instance_uuid,
                                    request_id=ctxt.request_id, user_id=ctxt.user_id,
                                    project_id=ctxt.project_id)
        s.add(row)
        s.flush()
        return rows.to_dict(row)


def _find(s, instance_uuid, request_id):
    return s.scalars(sa.select(models.InstanceAction).where(
        models.InstanceAction.instance_uuid == instance_uuid,
        models.InstanceAction.request_id == request_id).order_by(
            models.InstanceAction.id.desc())).first()


def event_finish(db, instance_uuid, request_id, event, result, traceback=None,
                 host=None, start_time=None):
    """Close the newest open ``event``; Error results mark the action's message."""
    now = timeutils.utcnow()
    with db.session() as s:
        action = _find(s, instance_uuid, request_id)
        if action is None:
            return
        row = s.scalars(sa.select(models.InstanceActionEvent).where(
            models.InstanceActionEvent.action_id == action.id,
            models.InstanceActionEvent.event == event,
            models.InstanceActionEvent.finish_time.is_(None)).order_by(
                models.InstanceActionEvent.id.desc())).first()
        if row is None:
            row = models.InstanceActionEvent(action_id=action.id, event=event, host=host,
                                             start_time=start_time or now)
            s.add(row)
        row.finish_time = now
        row.result = result
        row.traceback = traceback
        action.updated_at = now
        if result == 'Error':
            action.message = 'Error'
        action.finish_time = now


def list_(db, instance_uuid):
    with db.reader() as s:
        return [rows.to_dict(r) for r in s.scalars(sa.select(models.InstanceAction).where(
            models.InstanceAction.instance_uuid == instance_uuid).order_by(
                models.InstanceAction.start_time.desc(), models.InstanceAction.id.desc()))]


def get(db, instance_uuid, request_id):
    """The action of ``request_id`` with its events, else NotFound."""
    with db.reader() as s:
        action = _find(s, instance_uuid, request_id)
        if action is None:
            raise exception.NotFound(f'Action for request_id {request_id} on instance '
                                     f'{instance_uuid} not found')
        value = rows.to_dict(action)
        value['events'] = [rows.to_dict(e) for e in s.scalars(
            sa.select(models.InstanceActionEvent).where(
                models.InstanceActionEvent.action_id == action.id).order_by(
                    models.InstanceActionEvent.id))]
        return value
