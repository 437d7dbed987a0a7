"""Power operations of the libvirt driver: clean shutdown, start, reboot, pause, managed save."""
import logging
import os
import time

import libvirt

from common import exception
from compute.virt import power_state

LOG = logging.getLogger(__name__)
_POLL = 0.1
# Seconds between two clean-shutdown requests (Nova: the same).
SHUTDOWN_RETRY = 10
POWER_STATES = {
    libvirt.VIR_DOMAIN_NOSTATE: power_state.NOSTATE,
    libvirt.VIR_DOMAIN_RUNNING: power_state.RUNNING,
    libvirt.VIR_DOMAIN_BLOCKED: power_state.RUNNING,
    libvirt.VIR_DOMAIN_PAUSED: power_state.PAUSED,
    # A guest that is shutting down is still running until it gets there.
    libvirt.VIR_DOMAIN_SHUTDOWN: power_state.RUNNING,
    libvirt.VIR_DOMAIN_SHUTOFF: power_state.SHUTDOWN,
    libvirt.VIR_DOMAIN_CRASHED: power_state.CRASHED,
    libvirt.VIR_DOMAIN_PMSUSPENDED: power_state.SUSPENDED,
}


class PowerMixin:
    """Needs the driver's _lookup, _conn, _instance_dir, _create_root_disk, _guest_config."""

    def _domain(self, instance):
        dom = self._lookup(instance['uuid'])
        if dom is None:
            raise exception.InstanceNotFound(uuid=instance['uuid'])
        return dom

    def _wait_for_power(self, dom, wanted, timeout):
        """True once ``dom`` is in power state ``wanted``, False after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            if self._state_of(dom) == wanted:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL)

    def _state_of(self, dom):
        try:
            return POWER_STATES.get(dom.state()[0], power_state.NOSTATE)
        except libvirt.libvirtError:
            return power_state.NOSTATE

    def _clean_shutdown(self, dom, timeout):
        """Ask the guest to shut down (ACPI); True when it stopped within ``timeout`` s.

        The request is repeated every SHUTDOWN_RETRY s: a guest that was still booting
        when the first power-button press came had nothing listening for it yet.
        """
        deadline = time.monotonic() + timeout
        while True:
            if self._state_of(dom) == power_state.SHUTDOWN:
                return True
            try:
                dom.shutdown()
            except libvirt.libvirtError as exc:
                LOG.warning('guest shutdown request failed: %s', exc)
                return False
            left = deadline - time.monotonic()
            if self._wait_for_power(dom, power_state.SHUTDOWN, min(SHUTDOWN_RETRY, left)):
                return True
            if left <= SHUTDOWN_RETRY:
                return False
            LOG.info('%s has not shut down yet; pressing its power button again',
                     dom.UUIDString())

    def _hard_stop(self, dom):
        try:
            dom.destroy()
        except libvirt.libvirtError as exc:
            if exc.get_error_code() != libvirt.VIR_ERR_OPERATION_INVALID:
                raise exception.VirtError(reason='destroy: %s' % exc) from exc

    def power_off(self, instance, timeout):
        dom = self._lookup(instance['uuid'])
        if dom is None:
            # A guest that is gone is as stopped as it gets (Nova: the same).
            LOG.warning('%s has no domain to power off', instance['uuid'])
            return
        if timeout and self._clean_shutdown(dom, timeout):
            return
        self._hard_stop(dom)

    def power_on(self, instance, image, image_path):
        # As Nova does: starting a stopped guest is a hard reboot (fresh XML, disks checked).
        self._hard_reboot(instance, image, image_path)

    def reboot(self, instance, image, image_path, reboot_type, soft_timeout):
        if reboot_type == 'SOFT' and self._soft_reboot(instance, soft_timeout):
            return
        if reboot_type == 'SOFT':
            LOG.info('soft reboot of %s timed out; rebooting hard', instance['uuid'])
        self._hard_reboot(instance, image, image_path)

    def _soft_reboot(self, instance, timeout):
        dom = self._domain(instance)
        if self._state_of(dom) != power_state.RUNNING:
            return False
        if not self._clean_shutdown(dom, timeout):
            return False
        with self._virt('starting %s' % instance['uuid']):
            dom.createWithFlags(0)
        return True

    def _hard_reboot(self, instance, image, image_path):
        """Destroy, write the domain again from the database's view, recreate a missing
        root disk from the image, then start it."""
        uuid = instance['uuid']
        dom = self._lookup(uuid)
        if dom is not None:
            self._hard_stop(dom)
            self._drop_saved_memory(dom)
        inst_dir = self._instance_dir(uuid)
        os.makedirs(inst_dir, exist_ok=True)
        disk_path = os.path.join(inst_dir, 'disk')
        if not os.path.exists(disk_path):
            if not image_path:
                raise exception.VirtError(reason='disk of %s is missing and there is no image '
                                                 'to recreate it from' % uuid)
            LOG.warning('root disk of %s is missing; recreating it from its image', uuid)
            self._create_root_disk(instance, image or {}, image_path, inst_dir)
        xml = self._guest_config(instance, image or {}, disk_path, inst_dir).to_xml()
        with self._virt('redefining %s' % uuid):
            dom = self._conn().defineXML(xml)
            dom.createWithFlags(0)

    def _drop_saved_memory(self, dom):
        # A hard reboot boots afresh: create would otherwise restore the saved memory.
        with self._virt('removing the saved memory of %s' % dom.UUIDString()):
            if dom.hasManagedSaveImage(0):
                dom.managedSaveRemove(0)

    def pause(self, instance):
        with self._virt('pausing %s' % instance['uuid']):
            self._domain(instance).suspend()

    def unpause(self, instance):
        with self._virt('unpausing %s' % instance['uuid']):
            self._domain(instance).resume()

    def suspend(self, instance):
        with self._virt('saving %s' % instance['uuid']):
            self._domain(instance).managedSave(0)

    def resume(self, instance, image, image_path):
        dom = self._domain(instance)
        with self._virt('restoring %s' % instance['uuid']):
            if not dom.hasManagedSaveImage(0):
                LOG.warning('%s has no saved memory; starting it afresh', instance['uuid'])
            # With a managed-save image, create restores from it.
            dom.createWithFlags(0)
