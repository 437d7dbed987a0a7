"""Compute endpoint of shelve: snapshot and keep or remove the guest, offload, unshelve,
the periodic offload of instances shelved too long, and start-up repair of each step.

Offloading frees the host, so its last step is the conductor's instance_offloaded
(host and node cleared, claim released): a compute host may not write those itself.
"""
import logging

from common import exception
from common import timeutils
from compute import action
from compute import repair
from compute import states
from compute.virt import power_state

LOG = logging.getLogger(__name__)
SHELVE_METHOD = 'shelve_instance'
OFFLOAD_METHOD = 'shelve_offload_instance'
UNSHELVE_METHOD = 'unshelve_instance'


class ShelveEndpoint:
    def __init__(self, conf, runner, image_store, snapshotter, repairer):
        self.conf = conf
        self.runner = runner
        self.host = runner.host
        self.driver = runner.driver
        self.conductor_api = runner.conductor_api
        self.notifier = runner.notifier
        self.image_store = image_store
        self.snapshotter = snapshotter
        repairer.register(states.SHELVING, self._repair_shelving)
        repairer.register(states.SHELVING_IMAGE_UPLOADING, self._repair_shelving)
        repairer.register(states.SHELVING_OFFLOADING, self._repair_offloading)
        repairer.register(states.UNSHELVING, self._repair_unshelving)

    # -- shelve -------------------------------------------------------------
    def shelve_instance(self, ctxt, instance, image_id, offload):
        """Clean power off, snapshot into ``image_id``; SHELVED, then offloaded if asked."""
        def work(inst):
            try:
                self.driver.power_off(inst, self.conf.shutdown_timeout)
                inst = self.runner.set_task_state(ctxt, inst, states.SHELVING,
                                                  states.SHELVING_IMAGE_UPLOADING)
                self.snapshotter.capture(ctxt, inst, image_id)
            except Exception:
                # Never leave a half-made image, nor a pointer to one.
                self.snapshotter.discard(ctxt, image_id)
                raise
            # SHELVED and offloading in one step, so no other action slips in between.
            return {'task_state': states.SHELVING_OFFLOADING} if offload else None

        updated = self.runner.run(ctxt, instance, 'shelve', work, method=SHELVE_METHOD)
        if updated is not None and offload:
            self._offload(ctxt, updated)

    def shelve_offload_instance(self, ctxt, instance):
        self._offload(ctxt, instance, method=OFFLOAD_METHOD)

    def _offload(self, ctxt, instance, method=None):
        """Remove the guest (domain and files); the conductor then clears the host.

        ``method`` names the event to record (an explicit shelveOffload); an
        offload that ends a shelve belongs to the shelve's event. A failure
        always records one, with the traceback.
        """
        uuid = instance['uuid']
        with self.runner.locks.hold(uuid):
            started = timeutils.utcnow().isoformat()
            self.notifier.instance(ctxt, 'shelve_offload', 'start', instance)
            try:
                self.driver.destroy(instance)
            except Exception as exc:  # noqa: BLE001 - recorded; the guest stays SHELVED
                self._offload_failed(ctxt, instance, exc, started)
                return None
            event = ({'name': f'compute_{method}', 'result': 'Success', 'start_time': started}
                     if method else None)
            try:
                updated = self.conductor_api.instance_offloaded(ctxt, self.host, uuid,
                                                                event=event)
            except action.MOVED_ON as exc:
                LOG.info('instance %s moved on during its offload (%s)', uuid,
                         exception.summary(exc))
                return None
            self.notifier.instance(ctxt, 'shelve_offload', 'end', updated)
            LOG.info('instance %s is offloaded', uuid)
            return updated

    def _offload_failed(self, ctxt, instance, exc, started):
        event, fault = action.failure(exc, f'compute_{OFFLOAD_METHOD}', started)
        LOG.warning('offload of %s failed: %s', instance['uuid'], fault['message'])
        self.notifier.instance(ctxt, 'shelve_offload', 'error', instance,
                               fault=fault['message'])
        self.runner.finish(
            ctxt, instance, states.SHELVING_OFFLOADING,
            {'vm_state': states.SHELVED, 'task_state': None,
             'power_state': self.runner.power_state(instance)}, event=event, fault=fault)

    # -- unshelve -------------------------------------------------------------
    def unshelve_instance(self, ctxt, instance, image):
        """SHELVED: power the kept guest on. SHELVED_OFFLOADED (the conductor chose
        this host): spawn from the shelved ``image``. Then that image is deleted."""
        if instance['vm_state'] == states.SHELVED:
            path = self.image_store.path(image['id']) if image else None
            updated = self.runner.run(
                ctxt, instance, 'unshelve', method=UNSHELVE_METHOD,
                work=lambda inst: self.driver.power_on(inst, image, path))
        else:
            updated = self._spawn(ctxt, instance, image)
        if updated is not None:
            self._drop_shelved_image(ctxt, instance)

    def _spawn(self, ctxt, instance, image):
        uuid = instance['uuid']
        with self.runner.locks.hold(uuid):
            started = timeutils.utcnow().isoformat()
            self.notifier.instance(ctxt, 'unshelve', 'start', instance)
            try:
                if not image:
                    raise exception.VirtError(reason=f'no shelved image to spawn {uuid} from')
                self.driver.spawn(instance, image, self.image_store.path(image['id']))
            except Exception as exc:  # noqa: BLE001 - back to SHELVED_OFFLOADED with a fault
                self._spawn_failed(ctxt, instance, exc, started)
                return None
            values = {'vm_state': states.ACTIVE, 'task_state': None,
                      'power_state': self.runner.power_state(instance),
                      'launched_at': timeutils.utcnow().isoformat()}
            event = {'name': f'compute_{UNSHELVE_METHOD}', 'result': 'Success',
                     'start_time': started}
            # None: deleted meanwhile; the delete's terminate (queued on our lock)
            # removes the guest.
            updated = self.runner.finish(ctxt, instance, states.UNSHELVING, values,
                                         event=event)
            if updated is not None:
                self.notifier.instance(ctxt, 'unshelve', 'end', updated)
            return updated

    def _spawn_failed(self, ctxt, instance, exc, started):
        # Recorded before the cleanup below, whose own error would replace the traceback.
        event, fault = action.failure(exc, f'compute_{UNSHELVE_METHOD}', started,
                                      prefix=f'Unshelve failed on {self.host}: ')
        message = exception.summary(exc)
        LOG.warning('unshelve of %s failed: %s', instance['uuid'], message)
        self.notifier.instance(ctxt, 'unshelve', 'error', instance, fault=message)
        try:
            self.driver.destroy(instance)
        except Exception:  # noqa: BLE001 - cleanup is best effort; the failure goes on
            LOG.exception('cleanup after failed unshelve of %s', instance['uuid'])
        self._back_to_offloaded(ctxt, instance, event, fault)

    def _back_to_offloaded(self, ctxt, instance, event, fault):
        """Record why (event and fault), then give the host and the claim back."""
        if self.runner.finish(ctxt, instance, states.UNSHELVING, {}, event=event,
                              fault=fault) is None:
            return
        try:
            self.conductor_api.instance_offloaded(ctxt, self.host, instance['uuid'])
        except action.MOVED_ON as exc:
            LOG.info('instance %s moved on (%s)', instance['uuid'], exception.summary(exc))

    def _drop_shelved_image(self, ctxt, instance):
        """The guest runs from its own disk again: the shelved image is not needed
        (the conductor's image gateway also clears the instance's pointer to it)."""
        image_id = (instance.get('system_metadata') or {}).get('shelved_image_id')
        if not image_id:
            return
        try:
            self.conductor_api.image_delete(ctxt, self.host, image_id)
        except Exception:  # noqa: BLE001 - the instance runs; a leftover image is harmless
            LOG.exception('could not delete shelved image %s of %s', image_id,
                          instance['uuid'])

    # -- periodic -------------------------------------------------------------
    def offload_expired(self, ctxt):
        """Offload this host's SHELVED instances shelved longer than
        [DEFAULT] shelved_offload_time (when > 0; 0 offloads at once, -1 never)."""
        limit = self.conf.shelved_offload_time
        if limit <= 0:
            return []
        now = timeutils.utcnow()
        done = []
        for instance in self.conductor_api.instances_on_host(ctxt, self.host):
            if (instance['vm_state'] != states.SHELVED or instance['task_state'] is not None
                    or (now - _shelved_at(instance)).total_seconds() < limit):
                continue
            claimed = self.runner.finish(ctxt, instance, None,
                                         {'task_state': states.SHELVING_OFFLOADING})
            if claimed is None:
                continue
            if claimed['vm_state'] != states.SHELVED:
                # Unshelved between our read and the claim: hand it back untouched.
                self.runner.finish(ctxt, claimed, states.SHELVING_OFFLOADING,
                                   {'task_state': None})
                continue
            LOG.info('offloading %s, shelved for more than %d s', instance['uuid'], limit)
            if self._offload(ctxt, claimed) is not None:
                done.append(instance['uuid'])
        return done

    # -- start-up repair ----------------------------------------------------------
    def _repair_shelving(self, ctxt, instance, why):
        """Interrupted before the guest was gone: drop the unfinished image; the
        vm_state is what the guest's power says."""
        image_id = (instance.get('system_metadata') or {}).get('shelved_image_id')
        if image_id:
            self.snapshotter.discard(ctxt, image_id)
        power = self.runner.power_state(instance)
        vm_state = repair.vm_state_from_power(instance['vm_state'], power)
        return self._repaired(ctxt, instance, vm_state, power, 'shelve', why)

    def _repair_offloading(self, ctxt, instance, why):
        """The image is active already: finish the offload (the guest may be gone)."""
        LOG.info('finishing the interrupted offload of %s', instance['uuid'])
        return self._offload(ctxt, instance)

    def _repair_unshelving(self, ctxt, instance, why):
        power = self.runner.power_state(instance)
        if instance['vm_state'] == states.SHELVED:
            running = power == power_state.RUNNING
            vm_state = states.ACTIVE if running else states.SHELVED
            updated = self._repaired(ctxt, instance, vm_state, power, 'unshelve', why)
            if running and updated is not None:
                self._drop_shelved_image(ctxt, instance)
            return updated
        # An interrupted spawn: its half-made guest goes, and the instance goes back
        # to SHELVED_OFFLOADED (its image is intact, so unshelving again just works).
        LOG.info('unshelve of %s was interrupted; offloading it again', instance['uuid'])
        try:
            self.driver.destroy(instance)
        except Exception:  # noqa: BLE001 - the row must still leave 'unshelving'
            LOG.exception('removing the half-spawned guest of %s', instance['uuid'])
        self._back_to_offloaded(ctxt, instance, None, {
            'code': 500, 'message': repair.interrupted('unshelve', why)})
        return None

    def _repaired(self, ctxt, instance, vm_state, power, what, why):
        LOG.info('%s of %s was interrupted; it is now %s', what, instance['uuid'], vm_state)
        message = repair.interrupted(what, why)
        return self.runner.finish(ctxt, instance, instance['task_state'],
                                  {'vm_state': vm_state, 'task_state': None,
                                   'power_state': power},
                                  fault={'code': 500, 'message': message})


def _shelved_at(instance):
    """When it was shelved (the API notes it); the row's last change otherwise."""
    noted = (instance.get('system_metadata') or {}).get('shelved_at')
    return timeutils.parse(noted or instance.get('updated_at') or instance['created_at'])


def tasks(conf, manager, ctxt):
    """The periodic offload's task list entry (it does nothing unless shelved_offload_time > 0,
    read at each run so an operator's change applies without a restart)."""
    endpoint = next(e for e in manager.endpoints if isinstance(e, ShelveEndpoint))
    return [(conf.shelved_poll_interval, 'poll_shelved_instances',
             lambda: endpoint.offload_expired(ctxt))]
