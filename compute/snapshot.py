"""Snapshot capture on a compute host: the guest's disk into an image record made by the API.

Used by createImage, createBackup and shelve. The image goes queued -> saving ->
active; on failure it is deleted, so nothing is left in 'saving'.
"""
import logging
import os
import time

from image import qemu_img

LOG = logging.getLogger(__name__)


class Snapshotter:
    def __init__(self, host, driver, conductor_api, image_store, debug_pause=0.0):
        self.host = host
        self.debug_pause = debug_pause  # crash tests only ([compute] debug_action_pause)
        self.driver = driver
        self.conductor_api = conductor_api
        self.image_store = image_store

    def capture(self, ctxt, instance, image_id):
        """Write ``instance``'s disk into image ``image_id`` and mark it active."""
        self.conductor_api.image_update(ctxt, self.host, image_id, {'status': 'saving'})
        if self.debug_pause:
            time.sleep(self.debug_pause)
        tmp = self.image_store.temp_path(prefix='.snapshot-')
        try:
            self.driver.snapshot(instance, tmp)
            virtual_size = qemu_img.info(tmp, 'qcow2').get('virtual-size')
            facts = self.image_store.adopt(image_id, tmp)
        except Exception:
            _unlink(tmp)
            self.discard(ctxt, image_id)
            raise
        values = dict(facts, status='active', disk_format='qcow2', container_format='bare',
                      virtual_size=virtual_size)
        image = self.conductor_api.image_update(ctxt, self.host, image_id, values)
        LOG.info('image %s of instance %s is active (%d bytes)', image_id, instance['uuid'],
                 facts['size'])
        return image

    def discard(self, ctxt, image_id, unfinished_only=False):
        """Delete a snapshot image that will never be finished (best effort); with
        ``unfinished_only`` an image that did become active is kept."""
        try:
            self.conductor_api.image_delete(ctxt, self.host, image_id,
                                            unfinished_only=unfinished_only)
        except Exception:  # noqa: BLE001 - the original error is what matters
            LOG.exception('could not delete unfinished image %s', image_id)


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
