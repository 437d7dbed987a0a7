"""What every move between hosts records the same way: the events its hosts report, and
its end when nothing left the source (no destination, a failed check)."""
import logging

from common import exception
from common import timeutils
from db import actions
from db import instance_migrations
from db import instances
from scheduler import claims

LOG = logging.getLogger(__name__)


def record_event(db, ctxt, migration, host, event):
    """Finish the action event a host of ``migration`` reported; it names the host it ran
    on when that is the other party (a failure on the destination that the source reports)."""
    if not event:
        return
    ran_on = event.get('host') if event.get('host') in (
        migration['source_compute'], migration['dest_compute']) else host
    actions.event_finish(db, migration['instance_uuid'], ctxt.request_id, event['name'],
                         event.get('result', 'Success'), event.get('traceback'), ran_on,
                         timeutils.parse(event.get('start_time')))


def end_unmoved(db, ctxt, migration, task_state, event, started, exc, message,
                from_status):
    """Nothing moved: the claim goes back, ``migration`` ends in 'error' (when still in
    ``from_status``), and its instance stays where it is, leaving ``task_state`` with
    ``message`` as its fault; the conductor's ``event`` says Error."""
    uuid = migration['instance_uuid']
    claims.release(db, migration['uuid'])
    try:
        instance_migrations.update(db, migration['uuid'], {'status': 'error'},
                                   expected_status=from_status)
    except exception.UnexpectedTaskState:
        pass
    try:
        instances.update(db, uuid, {'task_state': None}, expected_task_state=task_state,
                         fault={'code': getattr(exc, 'code', 500) or 500, 'message': message})
    except (exception.InstanceNotFound, exception.UnexpectedTaskState):
        pass
    actions.event_finish(db, uuid, ctxt.request_id, event, 'Error', message,
                         start_time=started)
    LOG.warning('%s', message)
