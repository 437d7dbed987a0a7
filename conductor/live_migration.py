"""Conductor endpoint of live migration: the API's cast, and the checked gateway through
which the two compute hosts of a migration move it along.

A host may only touch a migration it takes part in: the destination reports that
the guest landed (the instance's host, node and zone become its own and the claim
held under the migration's uuid becomes the instance's), the source ends it.
"""
import logging

from common import exception
from compute import states
from conductor.tasks import live_migrate
from conductor.tasks import moves
from db import compute_nodes
from db import instance_migrations
from db import instances
from scheduler import claims

LOG = logging.getLogger(__name__)
# What the source may write on the instance when it ends a migration.
FINISH_WRITABLE = {'vm_state', 'power_state'}
ENDINGS = ('completed', 'failed', 'error')


class LiveMigrationEndpoint:
    def __init__(self, conf, db, scheduler_api, compute_api):
        self.db = db
        self.task = live_migrate.LiveMigrationTask(conf, db, scheduler_api, compute_api)

    # -- api -> conductor ---------------------------------------------------------
    def live_migrate_instance(self, ctxt, instance_uuid, migration_uuid, host,
                              block_migration, force=False):
        self.task.execute(ctxt, instance_uuid, migration_uuid, host, block_migration, force)

    # -- compute -> conductor -------------------------------------------------------
    def migration_update(self, ctxt, host, migration_uuid, status, expected_status,
                         event=None):
        migration = self._party(host, migration_uuid)
        if status != 'running':
            raise exception.HostMismatch(host=host, what=f'migration status {status}',
                                         owner='the conductor')
        migration = instance_migrations.update(self.db, migration_uuid, {'status': status},
                                               expected_status=expected_status)
        self._event(ctxt, migration, host, event)
        return migration

    def live_migration_landed(self, ctxt, host, instance_uuid, migration_uuid, power_state,
                              event=None):
        migration = self._party(host, migration_uuid, instance_uuid, 'dest_compute')
        if migration['status'] != 'running':
            raise exception.UnexpectedTaskState(expected='migration status running',
                                                actual=f'migration status '
                                                       f'{migration["status"]}')
        values = {'host': host, 'node': migration['dest_node'], 'power_state': power_state}
        zone = self._zone(host, migration['dest_node'])
        if zone:
            values['availability_zone'] = zone
        # The host already being ours: the same report twice.
        instance = instances.update(self.db, instance_uuid, values,
                                    expected_task_state=states.MIGRATING,
                                    expected_host=[migration['source_compute'], host])
        claims.move_to_instance(self.db, instance_uuid, migration_uuid)
        self._event(ctxt, migration, host, event)
        LOG.info('instance %s now runs on %s', instance_uuid, host)
        return instance

    def live_migration_finished(self, ctxt, host, instance_uuid, migration_uuid, status,
                                event=None, fault=None, updates=None):
        migration = self._party(host, migration_uuid, instance_uuid, 'source_compute')
        bad = set(updates or {}) - FINISH_WRITABLE
        if status not in ENDINGS or bad:
            raise exception.HostMismatch(host=host, what=f'status {status} / fields '
                                                         f'{sorted(bad)}', owner='the conductor')
        try:
            instance_migrations.update(self.db, migration_uuid, {'status': status},
                                       expected_status=list(instance_migrations.IN_PROGRESS))
        except exception.UnexpectedTaskState:
            LOG.info('migration %s had already ended', migration_uuid)
        if status != 'completed':
            # The destination's claim, unless the guest landed and it became the instance's.
            claims.release(self.db, migration_uuid)
        kwargs = {'expected_task_state': states.MIGRATING}
        if status != 'error':
            kwargs['expected_host'] = (migration['dest_compute'] if status == 'completed'
                                       else migration['source_compute'])
        if fault:
            kwargs['fault'] = dict(fault, host=host)
        instance = instances.update(self.db, instance_uuid,
                                    dict(updates or {}, task_state=None, task_deadline=None),
                                    **kwargs)
        self._event(ctxt, migration, host, event)
        return instance

    def live_migration_abandoned(self, ctxt, host, instance_uuid, reason):
        migration = instance_migrations.in_progress(self.db, instance_uuid)
        if migration is None:
            return None
        self._party(host, migration['uuid'])
        previous = migration['status']
        try:
            migration = instance_migrations.update(self.db, migration['uuid'],
                                                   {'status': 'error'},
                                                   expected_status=previous)
        except exception.UnexpectedTaskState:
            return None
        claims.release(self.db, migration['uuid'])
        LOG.warning('migration %s of %s ended in error: %s', migration['uuid'],
                    instance_uuid, reason)
        return dict(migration, previous_status=previous)

    # -- helpers ----------------------------------------------------------------------
    def _party(self, host, migration_uuid, instance_uuid=None, role=None):
        """The migration, when ``host`` takes part in it (as ``role`` when given)."""
        migration = instance_migrations.get(self.db, migration_uuid)
        allowed = ((migration[role],) if role else
                   (migration['source_compute'], migration['dest_compute']))
        if host not in allowed or (instance_uuid and
                                   migration['instance_uuid'] != instance_uuid):
            raise exception.HostMismatch(host=host, what=f'migration {migration_uuid}',
                                         owner=' and '.join(str(a) for a in allowed))
        return migration

    def _zone(self, host, node):
        try:
            return compute_nodes.get_by_host_node(self.db, host, node)['availability_zone']
        except exception.ComputeHostNotFound:
            return None

    def _event(self, ctxt, migration, host, event):
        moves.record_event(self.db, ctxt, migration, host, event)
