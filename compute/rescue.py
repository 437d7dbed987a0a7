"""Compute endpoints of rescue, unrescue and rebuild: the guest on other disks, same host."""
import logging

from common import timeutils
from compute import states

LOG = logging.getLogger(__name__)


class RescueEndpoint:
    """Each method runs one row of the state table through the ActionRunner."""

    def __init__(self, runner, image_store):
        self.runner = runner
        self.driver = runner.driver
        self.image_store = image_store

    def rescue_instance(self, ctxt, instance, image, rescue_image):
        """Boot from a fresh disk of ``rescue_image``; ``image`` (the instance's own) is
        not needed by the driver: unrescue goes back to the saved domain."""
        self.runner.run(ctxt, instance, 'rescue', method='rescue_instance',
                        work=lambda inst: self.driver.rescue(
                            inst, rescue_image, self.image_store.path(rescue_image['id'])))

    def unrescue_instance(self, ctxt, instance):
        self.runner.run(ctxt, instance, 'unrescue', method='unrescue_instance',
                        work=self.driver.unrescue)

    def rebuild_instance(self, ctxt, instance, image, started_from):
        self.runner.run(ctxt, instance, 'rebuild', method='rebuild_instance',
                        started_from=started_from,
                        work=lambda inst: self._rebuild(inst, image, started_from))

    def _rebuild(self, instance, image, started_from):
        # As Nova's default rebuild: the old guest and its disk go, a new one spawns
        # from the new image (instance['image_ref'] already names it).
        image_path = self.image_store.path(image['id'])  # a missing image keeps the guest
        self.driver.destroy(instance)
        self.driver.spawn(instance, image, image_path)
        extra = {'launched_at': timeutils.utcnow().isoformat()}
        if started_from == states.STOPPED:
            # A stopped server stays stopped; the fresh guest has nothing to shut down.
            self.driver.power_off(instance, 0)
            extra['vm_state'] = states.STOPPED
        LOG.info('%s rebuilt from image %s', instance['uuid'], image['id'])
        return extra
