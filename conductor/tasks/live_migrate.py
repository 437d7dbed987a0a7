"""The live-migration task: claim and check a destination, then hand the move to the source.

The destination is claimed like a build's host, under the migration's uuid, so
the instance holds resources on both nodes while it moves; the compute hosts
turn that claim into the instance's own when the guest lands (or give it back).
"""
import logging

from common import exception
from common import timeutils
from compute import states
from conductor.tasks import moves
from db import actions
from db import compute_nodes
from db import images
from db import instance_migrations
from db import instances
from scheduler import claims
from scheduler import request_spec

LOG = logging.getLogger(__name__)
EVENT = 'conductor_live_migrate_instance'
CHECK_EVENT = 'compute_check_can_live_migrate_destination'


class LiveMigrationTask:
    def __init__(self, conf, db, scheduler_api, compute_api):
        self.conf = conf
        self.db = db
        self.scheduler_api = scheduler_api
        self.compute_api = compute_api

    def execute(self, ctxt, instance_uuid, migration_uuid, host, block_migration, force):
        started = timeutils.utcnow()
        try:
            instance = instances.get(self.db, instance_uuid)
            migration = instance_migrations.update(self.db, migration_uuid,
                                                   {'status': 'preparing'},
                                                   expected_status='queued')
        except exception.StratusError as exc:
            # A repeated message, or the migration was ended meanwhile (a repair).
            LOG.info('not live-migrating %s: %s', instance_uuid, exception.summary(exc))
            return
        try:
            migration, migrate_data = self._destination(ctxt, instance, migration, host,
                                                        block_migration, force)
        except Exception as exc:  # noqa: BLE001 - a failed check must not strand it
            if not isinstance(exc, exception.StratusError):
                LOG.exception('live migration checks of %s failed', instance_uuid)
            self._error(ctxt, instance, migration, started, exc)
            return
        self.compute_api.live_migration(ctxt, instance['host'], instance, migration,
                                        migrate_data, self._image(instance))
        actions.event_finish(self.db, instance_uuid, ctxt.request_id, EVENT, 'Success',
                             start_time=started)
        LOG.info('live-migrating %s from %s to %s', instance_uuid, instance['host'],
                 migration['dest_compute'])

    def _destination(self, ctxt, instance, migration, host, block_migration, force):
        """(migration with its destination, migrate_data) of the first destination that
        passes both hosts' checks: ``host``, or up to [scheduler] max_attempts picks."""
        if instance['task_state'] != states.MIGRATING or \
                instance['host'] != migration['source_compute']:
            raise exception.Conflict(f'Instance {instance["uuid"]} changed (task_state '
                                     f'{instance["task_state"]}, host {instance["host"]}) '
                                     'before its live migration started.')
        tried, last = [], None
        for _attempt in range(1 if host else max(1, self.conf.scheduler.max_attempts)):
            try:
                dest = self._claim(ctxt, instance, migration, host, force, tried)
            except exception.NoValidHost:
                if last is None:
                    raise
                break
            migration = instance_migrations.update(
                self.db, migration['uuid'], {'dest_compute': dest['host'],
                                             'dest_node': dest['node']})
            try:
                return migration, self._check(ctxt, instance, migration, block_migration)
            except Exception as exc:
                claims.release(self.db, migration['uuid'])
                if host:
                    raise
                LOG.info('%s cannot take %s: %s', dest['host'], instance['uuid'],
                         exception.summary(exc))
                tried.append(dest['host'])
                last = exc
        raise exception.NoValidHost(reason=f'No destination passed the live migration '
                                           f'checks (tried {", ".join(tried)}); last error: '
                                           f'{exception.summary(last)}')

    def _claim(self, ctxt, instance, migration, host, force, tried):
        """The scheduler's pick (claimed under the migration's uuid) among the hosts
        that can live-migrate, other than the source and those ``tried``; with
        ``host``, that one only (through the filters unless ``force``)."""
        spec = request_spec.for_move(self.db, instance)
        nodes = compute_nodes.list_(self.db)
        ignored = {n['host'] for n in nodes if not compute_nodes.can(n, 'live_migration')[0]}
        ignored |= {instance['host'], *tried}
        if host and force:
            spec['force_hosts'] = [host]
        elif host:
            ignored |= {n['host'] for n in nodes if n['host'] != host}
        spec['ignore_hosts'] = sorted(ignored)
        found = self.scheduler_api.select_destinations(ctxt, spec, [migration['uuid']],
                                                       return_alternates=False)
        return found[0][0]

    def _check(self, ctxt, instance, migration, block_migration):
        """The destination checks itself and has the source check itself (calls)."""
        dest = migration['dest_compute']
        started = timeutils.utcnow()
        try:
            data = self.compute_api.check_can_live_migrate_destination(
                ctxt, dest, instance, block_migration, migration)
        except Exception as exc:
            actions.event_finish(self.db, instance['uuid'], ctxt.request_id, CHECK_EVENT,
                                 'Error', exception.summary(exc), dest, start_time=started)
            raise
        actions.event_finish(self.db, instance['uuid'], ctxt.request_id, CHECK_EVENT,
                             'Success', host=dest, start_time=started)
        return data

    def _image(self, instance):
        """The image the destination rebuilds the base of the guest's disk from."""
        return images.of_instance(self.db, instance)

    def _error(self, ctxt, instance, migration, started, exc):
        """The migration ends in 'error' before anything moved: the claim goes back,
        the instance stays where it is with task_state None and a fault."""
        moves.end_unmoved(self.db, ctxt, migration, states.MIGRATING, EVENT, started, exc,
                          f'Live migration of {instance["uuid"]} failed its checks: '
                          f'{exception.summary(exc)}', ['queued', 'preparing'])
