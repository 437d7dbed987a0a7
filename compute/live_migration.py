"""Compute endpoints of live migration: the checks on both hosts, the source's run of it,
and the destination's preparation, take-over and rollback.

The source holds the instance's lock from the first step to the last and ends
the migration itself (completed, failed or error) through the conductor, which
owns the instance's host and node, the claims and the migration record.
"""
import logging

from common import exception
from common import timeutils
from compute import action
from compute import console
from compute import repair
from compute import states

LOG = logging.getLogger(__name__)
MIGRATE_EVENT = 'compute_live_migration'
PRE_EVENT = 'compute_pre_live_migration'
POST_EVENT = 'compute_post_live_migration_at_destination'


class LiveMigrationEndpoint:
    def __init__(self, conf, runner, compute_api, consoleauth_api, image_store, repairer):
        self.conf = conf
        self.runner = runner
        self.host = runner.host
        self.driver = runner.driver
        self.conductor_api = runner.conductor_api
        self.notifier = runner.notifier
        self.compute_api = compute_api
        self.consoleauth_api = consoleauth_api
        self.image_store = image_store
        repairer.register(states.MIGRATING, self._repair)

    # -- checks: conductor -> destination -> source ------------------------------
    def check_can_live_migrate_destination(self, ctxt, instance, block_migration, migration):
        """This host is the destination: check it, then have the source check itself
        against what we found; the answer is the migrate_data the source decided."""
        data = self.driver.check_can_live_migrate_destination(instance, block_migration)
        try:
            return self.compute_api.check_can_live_migrate_source(
                ctxt, instance['host'], instance, data)
        finally:
            self.driver.cleanup_live_migration_destination_check(data)

    def check_can_live_migrate_source(self, ctxt, instance, dest_check_data):
        return self.driver.check_can_live_migrate_source(instance, dest_check_data)

    # -- the source ----------------------------------------------------------------
    def live_migration(self, ctxt, instance, migration, migrate_data, image):
        """Prepare the destination, move the guest, then have the destination take it
        over; any failure before the take-over leaves the guest here."""
        uuid = instance['uuid']
        with self.runner.locks.hold(uuid):
            started = timeutils.utcnow().isoformat()
            try:
                migrate_data = self._prepare(ctxt, instance, migration, migrate_data, image)
                self.driver.live_migration(instance, migrate_data)
            except Exception as exc:  # noqa: BLE001 - every failure rolls back, recorded
                self._rollback(ctxt, instance, migration, migrate_data, exc, started)
                return
            self._post(ctxt, instance, migration, migrate_data, started)

    def _prepare(self, ctxt, instance, migration, migrate_data, image):
        """pre_live_migration on the destination, then the migration is 'running'."""
        dest = migration['dest_compute']
        pre_started = timeutils.utcnow().isoformat()
        answer = self.compute_api.pre_live_migration(ctxt, dest, instance, migration,
                                                     migrate_data, image)
        event = {'name': PRE_EVENT, 'result': 'Success', 'start_time': pre_started,
                 'host': dest}
        self.conductor_api.migration_update(ctxt, self.host, migration['uuid'], 'running',
                                            'preparing', event=event)
        return dict(migrate_data, **answer)

    def _rollback(self, ctxt, instance, migration, migrate_data, exc, started):
        dest = migration['dest_compute']
        event, fault = action.failure(exc, MIGRATE_EVENT, started,
                                      prefix=f'Live migration to {dest} failed: ')
        LOG.warning('instance %s: %s', instance['uuid'], fault['message'])
        self.notifier.instance(ctxt, 'live_migration_rollback', 'start', instance)
        try:
            self.compute_api.rollback_live_migration_at_destination(
                ctxt, dest, instance, migration, migrate_data)
        except Exception:  # noqa: BLE001 - the instance must still leave 'migrating'
            LOG.exception('could not ask %s to roll back %s', dest, instance['uuid'])
        updated = self._finished(ctxt, instance, migration, 'failed', event, fault,
                                 {'power_state': self.runner.power_state(instance)})
        self.notifier.instance(ctxt, 'live_migration_rollback', 'end', updated or instance)

    def _post(self, ctxt, instance, migration, migrate_data, started):
        uuid, dest = instance['uuid'], migration['dest_compute']
        self.notifier.instance(ctxt, 'live_migration_post', 'start', instance)
        try:
            self.compute_api.post_live_migration_at_destination(ctxt, dest, instance,
                                                                migration, migrate_data)
        except Exception as exc:  # noqa: BLE001 - the guest left: no rollback any more
            event, fault = action.failure(
                exc, MIGRATE_EVENT, started, prefix=f'The guest moved to {dest}, but {dest} '
                                                    'could not take the instance over: ')
            LOG.error('live migration of %s: %s', uuid, fault['message'])
            self._finished(ctxt, instance, migration, 'error', event, fault,
                           {'vm_state': states.ERROR})
            return
        try:
            self.driver.post_live_migration_source(instance, migrate_data)
        except Exception:  # noqa: BLE001 - leftovers here do not undo the migration
            LOG.exception('could not clean up %s on %s after its live migration', uuid,
                          self.host)
        console.forget_tokens(self.consoleauth_api, ctxt, uuid)
        event = {'name': MIGRATE_EVENT, 'result': 'Success', 'start_time': started}
        updated = self._finished(ctxt, instance, migration, 'completed', event)
        self.notifier.instance(ctxt, 'live_migration_post', 'end', updated or instance)
        LOG.info('instance %s live-migrated from %s to %s', uuid, self.host, dest)

    def _finished(self, ctxt, instance, migration, status, event, fault=None, updates=None):
        try:
            return self.conductor_api.live_migration_finished(
                ctxt, self.host, instance['uuid'], migration['uuid'], status, event=event,
                fault=fault, updates=updates)
        except action.MOVED_ON as exc:
            LOG.info('instance %s moved on during its live migration (%s)', instance['uuid'],
                     exception.summary(exc))
            return None


    # -- the destination -------------------------------------------------------------
    def pre_live_migration(self, ctxt, instance, migration, migrate_data, image):
        self.notifier.instance(ctxt, 'live_migration_pre', 'start', instance)
        path = self.image_store.path(image['id']) if image else None
        answer = self.driver.pre_live_migration(instance, image, path, migrate_data)
        self.notifier.instance(ctxt, 'live_migration_pre', 'end', instance)
        return answer

    def post_live_migration_at_destination(self, ctxt, instance, migration, migrate_data):
        """The guest runs here: the instance (host, node, claim) follows it."""
        uuid = instance['uuid']
        with self.runner.locks.hold(uuid):
            started = timeutils.utcnow().isoformat()
            self.notifier.instance(ctxt, 'live_migration_post_dest', 'start', instance)
            self.driver.post_live_migration_at_destination(instance, migrate_data)
            event = {'name': POST_EVENT, 'result': 'Success', 'start_time': started}
            updated = self.conductor_api.live_migration_landed(
                ctxt, self.host, uuid, migration['uuid'], self.runner.power_state(instance),
                event=event)
            self.notifier.instance(ctxt, 'live_migration_post_dest', 'end', updated)
            return updated

    def rollback_live_migration_at_destination(self, ctxt, instance, migration,
                                               migrate_data):
        self.notifier.instance(ctxt, 'live_migration_rollback_dest', 'start', instance)
        try:
            self.driver.rollback_live_migration_at_destination(instance, migrate_data)
        except Exception:  # noqa: BLE001 - a cast: nobody to tell but the log
            LOG.exception('rollback of %s on %s left something behind', instance['uuid'],
                          self.host)
        self.notifier.instance(ctxt, 'live_migration_rollback_dest', 'end', instance)

    # -- repair -------------------------------------------------------------------
    def _repair(self, ctxt, instance, why):
        """A migration nobody finishes (this worker restarted, or a message was lost):
        the migration ends in 'error'; the instance stays where its guest is."""
        uuid = instance['uuid']
        message = repair.interrupted('live migration', why)
        migration = self._abandon(ctxt, uuid, message)
        power = self.runner.power_state(instance)
        here = self.driver.instance_exists(instance)
        if here and self._dest_may_hold_leftovers(migration):
            self.compute_api.rollback_live_migration_at_destination(
                ctxt, migration['dest_compute'], instance, migration, {})
        if here:
            vm_state = repair.vm_state_from_power(instance['vm_state'], power)
        else:
            vm_state = states.ERROR
            message += f' The guest is no longer on {self.host}.'
        return self.runner.finish(ctxt, instance, states.MIGRATING,
                                  {'vm_state': vm_state, 'task_state': None,
                                   'power_state': power},
                                  fault={'code': 500, 'message': message})

    def _dest_may_hold_leftovers(self, migration):
        """Only a migration that never started moving the guest (its destination was
        being prepared) is rolled back there: a running one might still complete in
        the hypervisor, and then the destination holds the only guest."""
        return (bool(migration) and self.compute_api is not None
                and migration.get('source_compute') == self.host
                and migration.get('previous_status') == 'preparing'
                and bool(migration.get('dest_compute')))

    def _abandon(self, ctxt, uuid, message):
        try:
            return self.conductor_api.live_migration_abandoned(ctxt, self.host, uuid, message)
        except Exception:  # noqa: BLE001 - the instance must leave 'migrating' anyway
            LOG.exception('could not end the migration record of %s', uuid)
            return None
