"""Snapshots in the libvirt driver: the root disk flattened into one standalone qcow2."""
import logging

import libvirt

from common import exception
from compute.virt import power_state
from image import qemu_img

LOG = logging.getLogger(__name__)


class SnapshotMixin:
    """Needs the driver's _lookup, _state_of, instance_disk_path and _host."""

    def snapshot(self, instance, target_path):
        disk_path = self.instance_disk_path(instance)
        if disk_path is None:
            raise exception.VirtError(reason='instance %s has no disk' % instance['uuid'])
        dom = self._lookup(instance['uuid'])
        # A running real guest is paused so the copy is consistent; the test
        # driver writes nothing, so it needs no pause.
        pause = (dom is not None and not self._host.is_test and
                 self._state_of(dom) == power_state.RUNNING)
        if pause:
            self._guest_call(dom.suspend, 'pausing %s for a snapshot' % instance['uuid'])
        try:
            # convert reads through the backing chain: the result stands on its own.
            qemu_img.convert(disk_path, target_path, 'qcow2', src_format='qcow2',
                             force_share=True)
        except Exception as exc:
            raise exception.VirtError(reason='snapshot of %s: %s' % (instance['uuid'],
                                                                     exc)) from exc
        finally:
            if pause:
                self._guest_call(dom.resume, 'resuming %s after a snapshot' % instance['uuid'])
        LOG.info('snapshot of %s written', instance['uuid'])

    @staticmethod
    def _guest_call(func, what):
        try:
            func()
        except libvirt.libvirtError as exc:
            raise exception.VirtError(reason='%s: %s' % (what, exc)) from exc
