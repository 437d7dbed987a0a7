"""Conductor endpoint of evacuate: schedule and claim a host for a server whose host is down,
then the checked gateway for the destination's report and the source's clean-up.

The destination is claimed under the migration's uuid; when the server runs there
the claim becomes the instance's and the dead host's is given back. The source,
when its compute starts again, asks for what was evacuated from it and removes it.
"""
import logging

from common import exception
from common import timeutils
from compute import states
from compute.virt import power_state as power
from conductor.tasks import moves
from db import actions
from db import compute_nodes
from db import instance_migrations
from db import instances
from scheduler import claims
from scheduler import request_spec

LOG = logging.getLogger(__name__)
EVENT = 'conductor_rebuild_instance'
ENDINGS = ('done', 'failed')


class EvacuateEndpoint:
    def __init__(self, conf, db, scheduler_api, compute_api, image_of):
        self.conf = conf
        self.db = db
        self.scheduler_api = scheduler_api
        self.compute_api = compute_api
        self.image_of = image_of

    # -- api -> conductor ---------------------------------------------------------
    def evacuate_server(self, ctxt, instance_uuid, migration_uuid, host, force, shared, stop):
        started = timeutils.utcnow()
        instance = instances.get(self.db, instance_uuid)
        try:
            dest = self._destination(ctxt, instance, migration_uuid, host, force)
        except Exception as exc:  # noqa: BLE001 - no destination must not strand it
            if not isinstance(exc, exception.StratusError):
                LOG.exception('scheduling the evacuation of %s failed', instance_uuid)
            self._no_host(ctxt, instance, migration_uuid, started, exc)
            return
        migration = instance_migrations.update(
            self.db, migration_uuid, {'dest_compute': dest['host'], 'dest_node': dest['node'],
                                      'status': 'pre-migrating'}, expected_status='accepted')
        self.compute_api.rebuild_evacuated(ctxt, dest['host'], instance, migration,
                                           self.image_of(instance), shared, stop)
        actions.event_finish(self.db, instance_uuid, ctxt.request_id, EVENT, 'Success',
                             start_time=started)
        LOG.info('evacuating %s from %s to %s', instance_uuid, instance['host'], dest['host'])

    def _destination(self, ctxt, instance, migration_uuid, host, force):
        spec = request_spec.for_move(self.db, instance)
        spec['ignore_hosts'] = [instance['host']]
        if host and force:
            spec['force_hosts'] = [host]
        elif host:
            spec['requested_host'] = [host]
        return self.scheduler_api.select_destinations(ctxt, spec, [migration_uuid],
                                                      return_alternates=False)[0][0]

    def _no_host(self, ctxt, instance, migration_uuid, started, exc):
        migration = instance_migrations.get(self.db, migration_uuid)
        moves.end_unmoved(self.db, ctxt, migration, states.REBUILDING, EVENT, started, exc,
                          f'No valid host was found to evacuate {instance["uuid"]} to: '
                          f'{exception.summary(exc)}', 'accepted')

    def evacuation_reached(self, ctxt, host, migration_uuid, status, event=None, fault=None,
                           power_state=None, shared=None):
        """The destination ``host`` rebuilt the server ('done') or could not ('failed')."""
        migration = instance_migrations.get(self.db, migration_uuid)
        if status not in ENDINGS or host != migration['dest_compute']:
            raise exception.HostMismatch(host=host, what=f'evacuation {migration_uuid} '
                                                         f'status {status}',
                                         owner=migration['dest_compute'])
        values = {'task_state': None, 'task_deadline': None}
        if status == 'done':
            values.update(host=host, node=migration['dest_node'], power_state=power_state,
                          vm_state=(states.ACTIVE if power_state == power.RUNNING
                                    else states.STOPPED), **self._zone(migration))
        else:
            values['vm_state'] = states.ERROR
        kwargs = {'expected_task_state': states.REBUILDING}
        if fault:
            kwargs['fault'] = dict(fault, host=host)
        instance = instances.update(self.db, migration['instance_uuid'], values, **kwargs)
        instance_migrations.update(self.db, migration_uuid,
                                   {'status': status, 'shared_storage': shared},
                                   expected_status='pre-migrating')
        if status == 'done':
            claims.move_to_instance(self.db, migration['instance_uuid'], migration_uuid)
        else:
            claims.release(self.db, migration_uuid)
        if event:
            actions.event_finish(self.db, migration['instance_uuid'], ctxt.request_id,
                                 event['name'], event.get('result', 'Success'),
                                 event.get('traceback'), host,
                                 timeutils.parse(event.get('start_time')))
        return instance

    def evacuated_from(self, ctxt, host):
        """The evacuations from ``host`` whose leftovers it has not removed yet."""
        return instance_migrations.list_(self.db, source_compute=host, status='done',
                                         migration_type='evacuation')

    def evacuation_cleaned(self, ctxt, host, migration_uuid):
        """The source ``host`` removed what the evacuation left there."""
        migration = instance_migrations.get(self.db, migration_uuid)
        if host != migration['source_compute']:
            raise exception.HostMismatch(host=host, what=f'evacuation {migration_uuid}',
                                         owner=migration['source_compute'])
        instance_migrations.update(self.db, migration_uuid, {'status': 'completed'},
                                   expected_status='done')

    def _zone(self, migration):
        try:
            node = compute_nodes.get_by_host_node(self.db, migration['dest_compute'],
                                                  migration['dest_node'])
        except exception.ComputeHostNotFound:
            return {}
        return {'availability_zone': node['availability_zone']}
