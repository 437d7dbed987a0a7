"""Compute endpoints of createImage and createBackup: the disk into an image, then rotation."""
import logging

from compute import states

LOG = logging.getLogger(__name__)


class SnapshotEndpoint:
    """Each method runs one row of the state table through the ActionRunner; the
    vm_state is unchanged, the image goes queued -> saving -> active (or is deleted)."""

    def __init__(self, runner, snapshotter, repairer):
        self.runner = runner
        self.snapshotter = snapshotter
        self.repairer = repairer
        for task in (states.IMAGE_SNAPSHOT_PENDING, states.IMAGE_BACKUP,
                     states.IMAGE_UPLOADING):
            repairer.register(task, self._repair)

    def snapshot_instance(self, ctxt, instance, image_id):
        self.runner.run(ctxt, instance, 'createImage', method='snapshot_instance',
                        notify='snapshot',
                        work=lambda inst: self._capture(ctxt, inst, image_id, 'createImage'))

    def backup_instance(self, ctxt, instance, image_id, backup_type, rotation):
        def work(inst):
            # With rotation 0 the new copy would be rotated away at once: skip the copy;
            # rotating still removes every backup of this type, the new record included.
            if rotation > 0:
                self._capture(ctxt, inst, image_id, 'createBackup')
            self.runner.conductor_api.rotate_backups(ctxt, self.runner.host, inst['uuid'],
                                                     backup_type, rotation)
        # Nova's backup notifies as a snapshot: it is one, plus the rotation.
        self.runner.run(ctxt, instance, 'createBackup', method='backup_instance',
                        notify='snapshot', work=work)

    def _capture(self, ctxt, instance, image_id, row_name):
        # A message delivered twice fails this compare-and-swap before touching the image,
        # so the second delivery can never delete what the first one finished.
        instance = self.runner.set_task_state(ctxt, instance,
                                              states.ACTIONS[row_name].task_state,
                                              states.IMAGE_UPLOADING)
        image = self.snapshotter.capture(ctxt, instance, image_id)
        LOG.info('%s of %s stored as image %s', row_name, instance['uuid'], image['id'])

    def _repair(self, ctxt, instance, why):
        """A crash mid-snapshot: the unfinished image goes (one that became active
        stays), then the usual repair with a fault."""
        image_id = (instance.get('system_metadata') or {}).get('snapshot_image_id')
        if image_id:
            self.snapshotter.discard(ctxt, image_id, unfinished_only=True)
        return self.repairer.generic(ctxt, instance, why)
