"""The migrate task (resize and cold migration): pick and claim a destination, then hand
the move to the source.

The destination is claimed under the migration's uuid, so the instance holds room
on both hosts while it moves; when the guest lands the two claims change owners
(scheduler.claims.hold_source) and confirm or revert drops one of them.
"""
import logging

from common import exception
from common import timeutils
from compute import states
from db import actions
from db import images
from db import instance_migrations
from db import instances
from scheduler import claims
from scheduler import request_spec

LOG = logging.getLogger(__name__)
EVENT = 'conductor_migrate_server'


class MigrateTask:
    def __init__(self, conf, db, scheduler_api, compute_api):
        self.conf = conf
        self.db = db
        self.scheduler_api = scheduler_api
        self.compute_api = compute_api

    def execute(self, ctxt, instance_uuid, migration_uuid, host):
        started = timeutils.utcnow()
        try:
            instance = instances.get(self.db, instance_uuid)
            migration = instance_migrations.get(self.db, migration_uuid)
            if instance['task_state'] != states.RESIZE_PREP or \
                    migration['status'] != 'pre-migrating':
                raise exception.Conflict('the move was ended before it was scheduled')
        except exception.StratusError as exc:
            LOG.info('not moving %s: %s', instance_uuid, exception.summary(exc))
            return
        try:
            dest = self._destination(ctxt, instance, migration, host)
        except Exception as exc:  # noqa: BLE001 - no destination must not strand it
            if not isinstance(exc, exception.StratusError):
                LOG.exception('scheduling the move of %s failed', instance_uuid)
            self._fail(ctxt, instance, migration, started, exc)
            return
        migration = instance_migrations.update(
            self.db, migration_uuid, {'dest_compute': dest['host'], 'dest_node': dest['node']})
        self.compute_api.resize_instance(ctxt, instance['host'], instance, migration,
                                         self.image(instance))
        actions.event_finish(self.db, instance_uuid, ctxt.request_id, EVENT, 'Success',
                             start_time=started)
        LOG.info('moving %s from %s to %s', instance_uuid, instance['host'], dest['host'])

    def _destination(self, ctxt, instance, migration, host):
        """The scheduler's pick for the new flavor, claimed under the migration's uuid:
        ``host`` when named (still filtered); the source only for a resize that
        [DEFAULT] allow_resize_to_same_host permits."""
        spec = request_spec.for_move(self.db, instance, migration['new_flavor'])
        same_host = (migration['migration_type'] == 'resize'
                     and self.conf.allow_resize_to_same_host)
        if not same_host:
            spec['ignore_hosts'] = [instance['host']]
        if host:
            spec['requested_host'] = [host]
        found = self.scheduler_api.select_destinations(ctxt, spec, [migration['uuid']],
                                                       return_alternates=False)
        return found[0][0]

    def image(self, instance):
        """The image the destination finds the disk's base in (None when deleted)."""
        try:
            image = images.get(self.db, instance['image_ref']) if instance['image_ref'] \
                else None
        except exception.ImageNotFound:
            return None
        return images.for_compute(image) if image else None

    def _fail(self, ctxt, instance, migration, started, exc):
        """No destination: nothing moved; the server stays as it was, with a fault."""
        uuid = instance['uuid']
        message = f'No valid host was found for the move of {uuid}: {exception.summary(exc)}'
        claims.release(self.db, migration['uuid'])
        try:
            instance_migrations.update(self.db, migration['uuid'], {'status': 'error'},
                                       expected_status='pre-migrating')
        except exception.UnexpectedTaskState:
            pass
        try:
            instances.update(self.db, uuid, {'task_state': None},
                             expected_task_state=states.RESIZE_PREP,
                             fault={'code': getattr(exc, 'code', 500) or 500,
                                    'message': message})
        except (exception.InstanceNotFound, exception.UnexpectedTaskState):
            pass
        actions.event_finish(self.db, uuid, ctxt.request_id, EVENT, 'Error', message,
                             start_time=started)
        LOG.warning('%s', message)
