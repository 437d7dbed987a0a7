"""Compute endpoints of resize and cold migration: the source sets the stopped guest's
disk aside and offers it, the destination pulls it and starts the guest; confirm
and revert end the move on the side that keeps something.

Every step is reported to the conductor (resize_reached), which owns the
migration record, the instance's host and flavor, and the claims; a report the
conductor refuses (the instance was deleted or repaired meanwhile) makes the
reporting host undo its own part.
"""
import logging
import time

from common import exception
from common import timeutils
from compute import action
from compute import console
from compute import disk_transfer
from compute import repair
from compute import states

LOG = logging.getLogger(__name__)
RESIZE_EVENT = 'compute_resize_instance'
FINISH_EVENT = 'compute_finish_resize'
CONFIRM_EVENT = 'compute_confirm_resize'
REVERT_EVENT = 'compute_revert_resize'
FINISH_REVERT_EVENT = 'compute_finish_revert_resize'
_SIZES = ('memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb')


def sized(instance, flavor):
    """``instance`` as it is with ``flavor`` (what the driver builds a guest from)."""
    return dict(instance, flavor=flavor, **{k: flavor.get(k) or 0 for k in _SIZES})


def powered_on(instance):
    """Whether the guest ran before the move (a stopped server stays stopped)."""
    return (instance.get('system_metadata') or {}).get('old_vm_state') != states.STOPPED


class ResizeEndpoint:
    def __init__(self, conf, runner, compute_api, consoleauth_api, image_store, repairer,
                 transfers):
        self.conf = conf
        self.runner = runner
        self.host = runner.host
        self.driver = runner.driver
        self.conductor_api = runner.conductor_api
        self.notifier = runner.notifier
        self.compute_api = compute_api
        self.consoleauth_api = consoleauth_api
        self.image_store = image_store
        self.transfers = transfers
        self._secrets = {}        # migration uuid -> secret of the disk offered for it
        for task in (*states.RESIZE_STEPS, states.RESIZE_REVERTING,
                     states.RESIZE_CONFIRMING):
            repairer.register(task, self._repair)

    def _image_path(self, image):
        return self.image_store.path(image['id']) if image else None

    def _report(self, ctxt, migration, status, event=None, fault=None, instance=None):
        power = self.runner.power_state(instance) if instance is not None else None
        return self.conductor_api.resize_reached(ctxt, self.host, migration['uuid'], status,
                                                 event=event, fault=fault, power_state=power)

    # -- the source ----------------------------------------------------------------
    def resize_instance(self, ctxt, instance, migration, image):
        """Stop the guest, set its disk aside and offer it to the destination."""
        uuid = instance['uuid']
        with self.runner.locks.hold(uuid):
            started = timeutils.utcnow().isoformat()
            self.notifier.instance(ctxt, 'resize', 'start', instance)
            try:
                self._report(ctxt, migration, 'migrating')
            except action.MOVED_ON as exc:
                LOG.info('not moving %s: %s', uuid, exception.summary(exc))
                return
            self._debug_pause()
            try:
                directory, names = self.driver.migrate_disk_and_power_off(
                    instance, self.conf.shutdown_timeout)
                offer = self.transfers.offer(directory, names)
            except Exception as exc:  # noqa: BLE001 - the guest goes back to work here
                event, fault = action.failure(exc, RESIZE_EVENT, started)
                self._restore(ctxt, instance, migration, image, event, fault)
                return
            self._secrets[migration['uuid']] = offer['secret']
            event = {'name': RESIZE_EVENT, 'result': 'Success', 'start_time': started}
            try:
                self._report(ctxt, migration, 'post-migrating', event=event)
            except action.MOVED_ON:
                self._restore(ctxt, instance, migration, image, None, None, report=False)
                return
            console.forget_tokens(self.consoleauth_api, ctxt, uuid)
            self.compute_api.finish_resize(ctxt, migration['dest_compute'], instance,
                                           migration, image, offer)

    def _restore(self, ctxt, instance, migration, image, event, fault, report=True):
        """The guest as it was, here; the move ends in 'error' with ``fault``."""
        self._withdraw(migration)
        old = sized(instance, migration['old_flavor'])
        try:
            self.driver.finish_revert_migration(old, image, self._image_path(image),
                                                powered_on(instance))
        except Exception:  # noqa: BLE001 - reported below as a guest that is gone
            LOG.exception('could not restore %s on %s', instance['uuid'], self.host)
        if not report:
            return
        LOG.warning('move of %s failed: %s', instance['uuid'], fault and fault['message'])
        try:
            self._report(ctxt, migration, 'error', event=event, fault=fault, instance=old)
        except action.MOVED_ON as exc:
            LOG.info('%s moved on meanwhile (%s)', instance['uuid'], exception.summary(exc))

    def confirm_resize(self, ctxt, instance, migration):
        """Nothing of the guest stays here; the source's claim goes."""
        with self.runner.locks.hold(instance['uuid']):
            started = timeutils.utcnow().isoformat()
            self._withdraw(migration)
            self.driver.confirm_migration(instance)
            event = {'name': CONFIRM_EVENT, 'result': 'Success', 'start_time': started}
            # No power from here: the guest runs on the destination.
            self._report_end(ctxt, migration, 'confirmed', event, None)

    def finish_revert_resize(self, ctxt, instance, migration, image, fault=None):
        """The destination let the guest go (a revert, or a failure there with ``fault``):
        it runs here again with its old flavor."""
        uuid = instance['uuid']
        with self.runner.locks.hold(uuid):
            started = timeutils.utcnow().isoformat()
            self._withdraw(migration)
            old = sized(instance, migration['old_flavor'])
            try:
                self.driver.finish_revert_migration(old, image, self._image_path(image),
                                                    powered_on(instance))
            except Exception as exc:  # noqa: BLE001 - recorded; the guest is nowhere
                event, fault = action.failure(exc, FINISH_REVERT_EVENT, started)
                self._report_end(ctxt, migration, 'error', event, old, fault)
                return
            event = {'name': FINISH_REVERT_EVENT, 'result': 'Success', 'start_time': started}
            if fault:
                # The destination's failed step, recorded under its host; the fault says why.
                fault = dict(fault)
                event = fault.pop('event', None) or event
            self._report_end(ctxt, migration, 'error' if fault else 'reverted', event, old,
                             fault)

    def _debug_pause(self):
        # Crash tests need each side caught mid-move; never set in production.
        if self.runner.debug_pause:
            time.sleep(self.runner.debug_pause)

    def _report_end(self, ctxt, migration, status, event, instance, fault=None):
        try:
            self._report(ctxt, migration, status, event=event, fault=fault, instance=instance)
        except action.MOVED_ON as exc:
            LOG.info('%s moved on meanwhile (%s)', migration['instance_uuid'],
                     exception.summary(exc))

    def _withdraw(self, migration):
        secret = self._secrets.pop(migration['uuid'], None)
        if secret:
            self.transfers.withdraw(secret)


    # -- the destination -------------------------------------------------------------
    def finish_resize(self, ctxt, instance, migration, image, offer):
        """Pull the disk, make the guest with the new flavor; VERIFY_RESIZE follows."""
        uuid = instance['uuid']
        moved = sized(instance, migration['new_flavor'])
        with self.runner.locks.hold(uuid):
            started = timeutils.utcnow().isoformat()
            self._debug_pause()
            try:
                inbox = self.driver.migration_inbox(instance)
                disk_transfer.fetch(offer, inbox)
                self.driver.finish_migration(moved, image, self._image_path(image), inbox,
                                             powered_on(instance))
            except Exception as exc:  # noqa: BLE001 - the source takes the guest back
                event, fault = action.failure(exc, FINISH_EVENT, started,
                                              prefix=f'Move to {self.host} failed: ')
                self._let_go(ctxt, instance, migration, image,
                             dict(fault, event=dict(event, host=self.host)))
                return
            event = {'name': FINISH_EVENT, 'result': 'Success', 'start_time': started}
            try:
                updated = self._report(ctxt, migration, 'finished', event=event,
                                       instance=moved)
            except action.MOVED_ON as exc:
                LOG.info('%s moved on while it moved here (%s); removing it', uuid,
                         exception.summary(exc))
                self.driver.cleanup_migration_destination(instance)
                return
            self.notifier.instance(ctxt, 'resize', 'end', updated)
            LOG.info('instance %s moved from %s to %s; it waits for confirm or revert',
                     uuid, migration['source_compute'], self.host)

    def _let_go(self, ctxt, instance, migration, image, fault):
        LOG.warning('instance %s: %s', instance['uuid'], fault['message'])
        try:
            self.driver.cleanup_migration_destination(instance)
        except Exception:  # noqa: BLE001 - leftovers here must not keep it from its source
            LOG.exception('cleanup of %s on %s failed', instance['uuid'], self.host)
        self.compute_api.finish_revert_resize(ctxt, migration['source_compute'], instance,
                                              migration, image, fault=fault)

    def revert_resize(self, ctxt, instance, migration, image):
        """Remove the guest here; the source brings back the one it kept."""
        uuid = instance['uuid']
        with self.runner.locks.hold(uuid):
            self.notifier.instance(ctxt, 'resize_revert', 'start', instance)
            self.driver.cleanup_migration_destination(instance)
            console.forget_tokens(self.consoleauth_api, ctxt, uuid)
        self.compute_api.finish_revert_resize(ctxt, migration['source_compute'], instance,
                                              migration, image)

    # -- repair -------------------------------------------------------------------
    def abandon_incoming(self, ctxt, why):
        """At start-up: moves to this host whose finish_resize died with this worker (the
        instance is still the source's, so its own repair would not find them) go back
        to their source, as after a failure here."""
        for move in self.conductor_api.moves_to(ctxt, self.host):
            instance, migration = move['instance'], move['migration']
            fault = {'code': 500, 'message': repair.interrupted(
                f'the move to {self.host}', why)}
            self._let_go(ctxt, instance, migration, move['image'], fault)

    def _resume_ending(self, ctxt, instance, migration):
        """A confirm or revert whose message was lost (or whose host restarted) is sent
        again rather than failed: both ends are idempotent. True when it was."""
        task, status = instance['task_state'], migration['status']
        if task == states.RESIZE_CONFIRMING and status == 'confirming':
            LOG.info('sending the confirm of %s to %s again', instance['uuid'],
                     migration['source_compute'])
            self.compute_api.confirm_resize(ctxt, migration['source_compute'], instance,
                                            migration)
            return True
        if task == states.RESIZE_REVERTING and status == 'reverting' and \
                migration['dest_compute'] == self.host:
            LOG.info('reverting %s again', instance['uuid'])
            self.revert_resize(ctxt, instance, migration, migration.get('image'))
            return True
        return False

    def _repair(self, ctxt, instance, why):
        """A move nobody finishes (this worker restarted, or a message was lost): the
        conductor ends it in 'error'; the guest stays where it still is."""
        message = repair.interrupted('resize', why)
        try:
            migration = self.conductor_api.resize_in_progress(ctxt, self.host,
                                                              instance['uuid'])
        except Exception:  # noqa: BLE001 - the instance must leave its task_state anyway
            LOG.exception('could not look up the move of %s', instance['uuid'])
            migration = None
        if migration is None:
            return self.runner.finish(ctxt, instance, instance['task_state'],
                                      {'task_state': None}, fault={'code': 500,
                                                                   'message': message})
        if self._resume_ending(ctxt, instance, migration):
            return None
        here = sized(instance, migration['old_flavor']
                     if migration['source_compute'] == self.host else migration['new_flavor'])
        image = migration.get('image')
        if instance['task_state'] in states.RESIZE_STEPS[1:] and \
                migration['source_compute'] == self.host:
            # The guest was set aside here and may not have left: take it back.
            self._withdraw(migration)
            try:
                self.driver.finish_revert_migration(here, image, self._image_path(image),
                                                    powered_on(instance))
            except Exception:  # noqa: BLE001 - then it is nowhere: ERROR below
                LOG.exception('could not restore %s after %s', instance['uuid'], why)
        self._report_end(ctxt, migration, 'error', None, here,
                         {'code': 500, 'message': message})
        return None
