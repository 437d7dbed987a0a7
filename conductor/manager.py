"""Conductor RPC endpoints: the build task, and the checked database gateway for computes."""
import logging

from common import exception
from common import timeutils
from conductor import evacuate
from conductor import images
from conductor import live_migration
from conductor import resize
from conductor import rpcapi as conductor_rpcapi
from conductor import shelve
from conductor.tasks import build
from db import actions
from db import compute_nodes
from db import instances
from db import services
from scheduler import claims

LOG = logging.getLogger(__name__)
UNSET = conductor_rpcapi.UNSET
# What a compute host may change on its own instances; host/node moves are conductor work.
COMPUTE_WRITABLE = {'vm_state', 'task_state', 'power_state', 'launched_at', 'terminated_at',
                    'task_deadline'}
_DATETIMES = ('launched_at', 'terminated_at', 'task_deadline')


class ConductorManager:
    RPC_API_VERSION = '1.3'

    def __init__(self, conf, db, scheduler_api, compute_api, notifier, image_store):
        self.conf = conf
        self.db = db
        self.build_task = build.BuildTask(conf, db, scheduler_api, compute_api, notifier)
        # The action families' endpoints, served on the conductor topic beside this one.
        self.shelve = shelve.ShelveEndpoint(conf, db, scheduler_api, compute_api, notifier,
                                            image_store)
        self.resize = resize.ResizeEndpoint(conf, db, scheduler_api, compute_api)
        self.endpoints = [images.ImageGateway(db, image_store), self.shelve, self.resize,
                          evacuate.EvacuateEndpoint(conf, db, scheduler_api, compute_api,
                                                    self.resize.task.image),
                          live_migration.LiveMigrationEndpoint(conf, db, scheduler_api,
                                                               compute_api)]

    # -- api -> conductor --------------------------------------------------
    def build_instances(self, ctxt, instance_uuids, request_spec):
        self.build_task.build(ctxt, instance_uuids, request_spec)

    # -- compute -> conductor ----------------------------------------------
    def instance_update(self, ctxt, host, instance_uuid, updates,
                        expected_task_state=UNSET, event=None, fault=None):
        bad = set(updates) - COMPUTE_WRITABLE
        if bad:
            raise exception.HostMismatch(host=host, what=f'fields {sorted(bad)}',
                                         owner='conductor')
        values = {k: (timeutils.parse(v) if k in _DATETIMES else v) for k, v in updates.items()}
        kwargs = {'expected_host': host}
        if expected_task_state != UNSET:
            kwargs['expected_task_state'] = expected_task_state
        if fault:
            kwargs['fault'] = dict(fault, host=host)
        try:
            # The host check rides on the compare-and-swap: no read first.
            instance = instances.update(self.db, instance_uuid, values, **kwargs)
        except exception.UnexpectedTaskState:
            self._check_owner(host, instance_uuid)
            raise
        self._record_event(ctxt, host, instance_uuid, event)
        return instance

    def build_failed(self, ctxt, host, instance_uuid, reason, details=None):
        try:
            self._check_owner(host, instance_uuid)
        except exception.InstanceNotFound:
            claims.release(self.db, instance_uuid)
            return
        actions.event_finish(self.db, instance_uuid, ctxt.request_id,
                             'compute__do_build_and_run_instance', 'Error', details, host)
        self.build_task.reschedule(ctxt, host, instance_uuid, reason, details)

    def instance_destroyed(self, ctxt, host, instance_uuid, event=None):
        instance = instances.get(self.db, instance_uuid, read_deleted=True)
        if instance['deleted']:
            return None
        if instance['host'] not in (host, None):
            raise exception.HostMismatch(host=host, what=f'instance {instance_uuid}',
                                         owner=instance['host'])
        claims.release(self.db, instance_uuid)
        self.shelve.delete_shelved_image(instance)
        instances.soft_delete(self.db, instance_uuid)
        self._record_event(ctxt, host, instance_uuid, event)
        return None

    def service_heartbeat(self, ctxt, host, binary, topic):
        services.heartbeat(self.db, host, binary, topic)

    def compute_node_report(self, ctxt, host, node, inventory):
        existing = [n for n in compute_nodes.list_(self.db) if n['hypervisor_hostname'] == node]
        if existing and existing[0]['host'] != host:
            raise exception.HostMismatch(host=host, what=f'node {node}',
                                         owner=existing[0]['host'])
        return compute_nodes.report(self.db, host, node, inventory)

    def instances_on_host(self, ctxt, host):
        return instances.list_(self.db, {'host': host})

    # -- helpers -----------------------------------------------------------
    def _check_owner(self, host, instance_uuid):
        instance = instances.get(self.db, instance_uuid)
        if instance['host'] != host:
            raise exception.HostMismatch(host=host, what=f'instance {instance_uuid}',
                                         owner=instance['host'])
        return instance

    def _record_event(self, ctxt, host, instance_uuid, event):
        if event:
            actions.event_finish(self.db, instance_uuid, ctxt.request_id, event['name'],
                                 event.get('result', 'Success'), event.get('traceback'), host,
                                 timeutils.parse(event.get('start_time')))

    # -- periodic ----------------------------------------------------------
    def repair_stuck_builds(self, ctxt):
        self.build_task.repair_stuck(ctxt, self.conf.compute.build_timeout)
        self.shelve.repair_stuck(ctxt, self.conf.compute.stuck_task_timeout)

    def confirm_old_resizes(self, ctxt):
        self.resize.confirm_old_resizes(ctxt, self.conf.resize_confirm_window)
