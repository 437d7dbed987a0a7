"""Compute endpoints of the power actions: stop/start, reboot, pause, suspend, soft delete."""
import logging

from compute import states
from compute.virt import power_state

LOG = logging.getLogger(__name__)


class PowerEndpoint:
    """Each method runs one row of the state table through the ActionRunner."""

    def __init__(self, conf, runner, image_store, repairer=None):
        self.conf = conf
        self.runner = runner
        self.driver = runner.driver
        self.image_store = image_store
        if repairer is not None:
            repairer.register(states.SOFT_DELETING, self._repair_soft_delete)

    def _image_path(self, image):
        return self.image_store.path(image['id']) if image else None

    def stop_instance(self, ctxt, instance):
        self.runner.run(ctxt, instance, 'os-stop', method='stop_instance', notify='power_off',
                        work=lambda inst: self.driver.power_off(
                            inst, self.conf.shutdown_timeout))

    def start_instance(self, ctxt, instance, image):
        self.runner.run(ctxt, instance, 'os-start', method='start_instance', notify='power_on',
                        work=lambda inst: self.driver.power_on(
                            inst, image, self._image_path(image)))

    def reboot_instance(self, ctxt, instance, image, reboot_type):
        row = 'reboot_hard' if reboot_type == 'HARD' else 'reboot'
        self.runner.run(ctxt, instance, row, method='reboot_instance', notify='reboot',
                        work=lambda inst: self.driver.reboot(
                            inst, image, self._image_path(image), reboot_type,
                            self.conf.libvirt.wait_soft_reboot_seconds))

    def pause_instance(self, ctxt, instance):
        self.runner.run(ctxt, instance, 'pause', method='pause_instance',
                        work=self.driver.pause)

    def unpause_instance(self, ctxt, instance):
        self.runner.run(ctxt, instance, 'unpause', method='unpause_instance',
                        work=self.driver.unpause)

    def suspend_instance(self, ctxt, instance):
        self.runner.run(ctxt, instance, 'suspend', method='suspend_instance',
                        work=self.driver.suspend)

    def resume_instance(self, ctxt, instance, image):
        self.runner.run(ctxt, instance, 'resume', method='resume_instance',
                        work=lambda inst: self.driver.resume(
                            inst, image, self._image_path(image)))

    def soft_delete_instance(self, ctxt, instance):
        self.runner.run(ctxt, instance, 'soft_delete', method='soft_delete_instance',
                        notify='soft_delete',
                        work=lambda inst: self._power_off_quietly(inst))

    def restore_instance(self, ctxt, instance, image):
        self.runner.run(ctxt, instance, 'restore', method='restore_instance',
                        work=lambda inst: self.driver.power_on(
                            inst, image, self._image_path(image)))

    def _power_off_quietly(self, instance):
        # A soft-deleted guest is stopped, not gone: restore powers it on again.
        if self.driver.get_power_state(instance) != power_state.SHUTDOWN:
            self.driver.power_off(instance, self.conf.shutdown_timeout)

    def _repair_soft_delete(self, ctxt, instance, why):
        """The user asked for the delete: a crash mid-way finishes it rather than
        leaving a stopped server behind."""
        LOG.info('finishing the interrupted soft delete of %s', instance['uuid'])
        if self.driver.instance_exists(instance):
            self._power_off_quietly(instance)
        return self.runner.finish(ctxt, instance, states.SOFT_DELETING,
                                  {'vm_state': states.SOFT_DELETED, 'task_state': None,
                                   'power_state': self.runner.power_state(instance)})
