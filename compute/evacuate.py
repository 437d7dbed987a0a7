"""Compute side of evacuate: the destination builds the server of a dead host again, and the
source, when it starts again, removes what was evacuated from it.

The destination reuses the disk when it sees it (shared instance storage), else
builds one from the image, as Nova does; the source then keeps the files, which
are the destination's now, and removes only its stale domain.
"""
import logging

from common import exception
from common import timeutils
from compute import action
from compute import console

LOG = logging.getLogger(__name__)
EVENT = 'compute_rebuild_instance'


class EvacuateEndpoint:
    def __init__(self, runner, image_store, consoleauth_api):
        self.runner = runner
        self.host = runner.host
        self.driver = runner.driver
        self.conductor_api = runner.conductor_api
        self.image_store = image_store
        self.consoleauth_api = consoleauth_api

    def rebuild_evacuated(self, ctxt, instance, migration, image, shared, stop):
        """Build the guest here: from its disk when this host sees it, else the image."""
        uuid = instance['uuid']
        with self.runner.locks.hold(uuid):
            started = timeutils.utcnow().isoformat()
            found = self.driver.instance_disk_path(instance) is not None
            try:
                self._rebuild(instance, image, shared, found, stop)
            except Exception as exc:  # noqa: BLE001 - recorded: the server goes to ERROR
                event, fault = action.failure(exc, EVENT, started,
                                              prefix=f'Evacuation to {self.host} failed: ')
                self._report(ctxt, migration, 'failed', event, fault, instance, found)
                return
            event = {'name': EVENT, 'result': 'Success', 'start_time': started}
            if self._report(ctxt, migration, 'done', event, None, instance, found) is None:
                self.driver.remove_evacuated(instance, keep_disks=found)
                return
        console.forget_tokens(self.consoleauth_api, ctxt, uuid)
        LOG.info('instance %s evacuated from %s to %s (%s)', uuid,
                 migration['source_compute'], self.host,
                 'its disk on shared storage' if found else 'rebuilt from its image')

    def _rebuild(self, instance, image, shared, found, stop):
        if shared is not None and shared != found:
            raise exception.Invalid(
                f'onSharedStorage is {shared} but {self.host} '
                f'{"sees" if found else "does not see"} the server\'s disk.')
        path = self.image_store.path(image['id']) if image else None
        try:
            if found:
                # Storage is shared: the disk is the server's own, only the domain is new.
                self.driver.power_on(instance, image, path)
            else:
                self.driver.spawn(instance, image, path)
            if stop:
                self.driver.power_off(instance, 0)
        except Exception:
            self.driver.remove_evacuated(instance, keep_disks=found)
            raise

    def _report(self, ctxt, migration, status, event, fault, instance, shared):
        try:
            return self.conductor_api.evacuation_reached(
                ctxt, self.host, migration['uuid'], status, event=event, fault=fault,
                power_state=self.runner.power_state(instance), shared=shared)
        except action.MOVED_ON as exc:
            LOG.info('instance %s moved on during its evacuation (%s)', instance['uuid'],
                     exception.summary(exc))
            return None


    # -- the source, at start-up --------------------------------------------------------
    def remove_evacuated(self, ctxt):
        """Remove the guests evacuated from this host while it was down (their files too,
        unless the destination reused them on shared storage)."""
        for migration in self.conductor_api.evacuated_from(ctxt, self.host):
            instance = {'uuid': migration['instance_uuid']}
            try:
                self.driver.remove_evacuated(instance,
                                             keep_disks=bool(migration['shared_storage']))
                self.conductor_api.evacuation_cleaned(ctxt, self.host, migration['uuid'])
            except Exception:  # noqa: BLE001 - the others still go; next start retries
                LOG.exception('could not remove the evacuated %s', instance['uuid'])
                continue
            LOG.info('removed %s, evacuated from here to %s', instance['uuid'],
                     migration['dest_compute'])
