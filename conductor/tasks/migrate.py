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
from conductor.tasks import moves
from db import actions
from db import images
from db import instance_migrations
from db import instances
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
        return images.of_instance(self.db, instance)

    def _fail(self, ctxt, instance, migration, started, exc):
        """No destination: nothing moved; the server stays as it was, with a fault."""
        moves.end_unmoved(self.db, ctxt, migration, states.RESIZE_PREP, EVENT, started, exc,
                          f'No valid host was found for the move of {instance["uuid"]}: '
                          f'{exception.summary(exc)}', 'pre-migrating')
