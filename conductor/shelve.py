"""Conductor endpoint of shelve: unshelve (in place, or scheduled again) and offload reports.

The shelved image's id lives in the instance's system_metadata, which a compute
host may not write; this module keeps that pointer true: it is cleared when the
image is deleted through the conductor's image gateway (after an unshelve, or a
failed shelve), and the image goes with the instance when it is deleted.
"""
import logging

from common import exception
from common import timeutils
from compute import states
from compute.virt import power_state
from db import actions
from db import images
from db import instances
from db import request_specs
from scheduler import claims
from scheduler import request_spec

LOG = logging.getLogger(__name__)
EVENT = 'conductor_unshelve_instance'
SHELVED_KEYS = ('shelved_image_id', 'shelved_at', 'shelved_host')


class ShelveEndpoint:
    def __init__(self, conf, db, scheduler_api, compute_api, notifier, image_store):
        self.conf = conf
        self.db = db
        self.scheduler_api = scheduler_api
        self.compute_api = compute_api
        self.notifier = notifier
        self.image_store = image_store

    # -- api -> conductor --------------------------------------------------
    def unshelve_instance(self, ctxt, instance_uuid):
        """SHELVED: the guest is still on its host, which powers it on. OFFLOADED:
        schedule it again (a claim on the chosen node), then the host spawns it."""
        started = timeutils.utcnow()
        try:
            instance = instances.get(self.db, instance_uuid)
        except exception.InstanceNotFound:
            return
        if instance['task_state'] != states.UNSHELVING:
            # A repeated message, or the instance was reset or deleted meanwhile.
            LOG.info('not unshelving %s: it is in task %s', instance_uuid,
                     instance['task_state'])
            return
        image = self._shelved_image(instance)
        if instance['vm_state'] == states.SHELVED:
            self.compute_api.unshelve_instance(ctxt, instance['host'], instance, image)
            self._event(ctxt, instance_uuid, 'Success', started)
            return
        if image is None:
            self._fail(ctxt, instance, started, 'The shelved image of instance '
                       f'{instance_uuid} no longer exists; it cannot be unshelved.')
            return
        self._unshelve_offloaded(ctxt, instance, image, started)

    def _unshelve_offloaded(self, ctxt, instance, image, started):
        uuid = instance['uuid']
        spec = self._spec(instance)
        try:
            hosts = self.scheduler_api.select_destinations(ctxt, spec, [uuid],
                                                           return_alternates=False)
        except exception.NoValidHost as exc:
            self._fail(ctxt, instance, started, exception.summary(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a lost scheduler must not strand it
            LOG.exception('select_destinations failed for unshelve of %s', uuid)
            self._fail(ctxt, instance, started, f'Scheduling failed: {exc}')
            return
        dest = hosts[0][0]
        request_specs.save(self.db, uuid,
                           {k: v for k, v in spec.items() if k != 'requested_host'})
        values = {'host': dest['host'], 'node': dest['node']}
        if spec.get('availability_zone'):
            values['availability_zone'] = spec['availability_zone']
        try:
            instance = instances.update(self.db, uuid, values,
                                        expected_task_state=states.UNSHELVING,
                                        expected_vm_state=states.SHELVED_OFFLOADED,
                                        expected_host=None)
        except (exception.InstanceNotFound, exception.UnexpectedTaskState):
            LOG.info('instance %s moved on while it was scheduled; releasing its claim', uuid)
            claims.release(self.db, uuid)
            return
        self.compute_api.unshelve_instance(ctxt, dest['host'], instance, image)
        self._event(ctxt, uuid, 'Success', started)
        LOG.info('unshelving %s on %s', uuid, dest['host'])

    def _spec(self, instance):
        """The spec to schedule from; a host the API asked for (2.91) is used once."""
        stored = request_specs.get(self.db, instance['uuid']) or {}
        spec = request_spec.for_move(self.db, instance)
        if stored.get('requested_host'):
            spec['requested_host'] = stored['requested_host']
            request_specs.save(self.db, instance['uuid'], {
                k: v for k, v in stored.items() if k != 'requested_host'})
        return spec

    def _shelved_image(self, instance):
        image_id = (instance.get('system_metadata') or {}).get('shelved_image_id')
        if not image_id:
            return None
        try:
            image = images.get(self.db, image_id)
        except exception.ImageNotFound:
            return None
        return images.for_compute(image) if image['status'] == 'active' else None

    def _fail(self, ctxt, instance, started, message):
        """Back to where the unshelve started (task None), with a fault saying why."""
        uuid = instance['uuid']
        try:
            instance = instances.update(
                self.db, uuid, {'task_state': None},
                expected_task_state=states.UNSHELVING,
                fault={'code': 500, 'message': message})
        except (exception.InstanceNotFound, exception.UnexpectedTaskState):
            return
        self._event(ctxt, uuid, 'Error', started, message)
        self.notifier.instance(ctxt, 'unshelve', 'error', instance, fault=message)
        LOG.warning('unshelve of %s failed: %s', uuid, message)

    def _event(self, ctxt, uuid, result, started, details=None):
        actions.event_finish(self.db, uuid, ctxt.request_id, EVENT, result, details,
                             start_time=started)

    def repair_stuck(self, ctxt, timeout):
        """Offloaded instances left 'unshelving' with no host past ``timeout`` seconds
        (the conductor died before it cast, or the cast was lost) go back to
        SHELVED_OFFLOADED with a fault; unshelving again just works."""
        if not timeout:
            return
        now = timeutils.utcnow()
        for instance in instances.list_(self.db, {'task_state': states.UNSHELVING,
                                                  'host': None}):
            changed = instance.get('updated_at') or instance['created_at']
            if (now - changed).total_seconds() >= timeout:
                self._fail(ctxt, instance, now, f'unshelve made no progress for {timeout} s '
                                                '(a lost message); try again.')

    # -- compute -> conductor ------------------------------------------------
    def instance_offloaded(self, ctxt, host, instance_uuid, event=None):
        """``host`` removed the guest of a shelved instance (an offload, or an
        unshelve that failed there): SHELVED_OFFLOADED with no host, claim freed."""
        values = {'vm_state': states.SHELVED_OFFLOADED, 'task_state': None, 'host': None,
                  'node': None, 'power_state': power_state.NOSTATE, 'task_deadline': None}
        try:
            instance = instances.update(
                self.db, instance_uuid, values,
                expected_task_state=[states.SHELVING_OFFLOADING, states.UNSHELVING],
                expected_vm_state=[states.SHELVED, states.SHELVED_OFFLOADED],
                expected_host=host)
        except exception.UnexpectedTaskState:
            owner = instances.get(self.db, instance_uuid)['host']
            if owner != host:
                raise exception.HostMismatch(host=host, what=f'instance {instance_uuid}',
                                             owner=owner) from None
            raise
        claims.release(self.db, instance_uuid)
        if event:
            actions.event_finish(self.db, instance_uuid, ctxt.request_id, event['name'],
                                 event.get('result', 'Success'), event.get('traceback'),
                                 host, timeutils.parse(event.get('start_time')))
        LOG.info('instance %s is offloaded from %s', instance_uuid, host)
        return instance

    # -- hooks of the instance and image gateways ------------------------------
    def delete_shelved_image(self, instance):
        """The instance is being deleted: the image its system_metadata names as
        shelved goes too (record and file)."""
        image_id = (instance.get('system_metadata') or {}).get('shelved_image_id')
        if not image_id:
            return
        try:
            images.delete(self.db, image_id)
        except exception.ImageNotFound:
            pass
        self.image_store.delete(image_id)
        LOG.info('deleted shelved image %s of %s', image_id, instance['uuid'])


def forget_shelved_image(db, image):
    """``image`` was deleted: if it was an instance's shelved image, drop the pointer."""
    uuid = (image.get('properties') or {}).get('instance_uuid')
    if not uuid:
        return
    try:
        instance = instances.get(db, uuid)
    except exception.InstanceNotFound:
        return
    meta = instance.get('system_metadata') or {}
    if meta.get('shelved_image_id') != image['id']:
        return
    instances.update(db, uuid, {'system_metadata': {
        k: v for k, v in meta.items() if k not in SHELVED_KEYS}})
