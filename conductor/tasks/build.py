"""The build task: pick hosts, record them, cast the build; reschedule or fail on error."""
import logging

from common import exception
from common import timeutils
from compute import states
from db import actions
from db import instances
from db import request_specs
from scheduler import claims

LOG = logging.getLogger(__name__)
EVENT = 'conductor_schedule_and_build_instances'


class BuildTask:
    """Carries instances from 'scheduling' to a cast at a host, and back on failure."""

    def __init__(self, conf, db, scheduler_api, compute_api, notifier):
        self.conf = conf
        self.db = db
        self.scheduler_api = scheduler_api
        self.compute_api = compute_api
        self.notifier = notifier

    def build(self, ctxt, instance_uuids, request_spec):
        # The event is written once, when it finishes, with the time it started:
        # one transaction per instance fewer on the boot path.
        started = timeutils.utcnow()
        try:
            destinations = self.scheduler_api.select_destinations(
                ctxt, request_spec, instance_uuids)
        except exception.NoValidHost as exc:
            for uuid in instance_uuids:
                self._fail(ctxt, uuid, exception.summary(exc), None, event=(EVENT, started))
            return
        except Exception as exc:  # noqa: BLE001 - a lost scheduler must not strand builds
            LOG.exception('select_destinations failed')
            for uuid in instance_uuids:
                self._fail(ctxt, uuid, f'Scheduling failed: {exc}', None,
                           event=(EVENT, started))
            return
        for uuid, hosts in zip(instance_uuids, destinations):
            spec = dict(request_spec, alternates=hosts[1:],
                        retry={'num_attempts': 1, 'hosts': [hosts[0]['host']]})
            request_specs.save(self.db, uuid, spec)
            self._send(ctxt, uuid, hosts[0], spec, expected_host=None)
            actions.event_finish(self.db, uuid, ctxt.request_id, EVENT, 'Success',
                                 start_time=started)

    def _send(self, ctxt, uuid, dest, spec, expected_host):
        """Record the host on the instance and cast the build there."""
        try:
            instance = instances.update(
                self.db, uuid, {'host': dest['host'], 'node': dest['node'],
                                'task_state': states.SPAWNING},
                expected_task_state=[states.SCHEDULING, states.SPAWNING],
                expected_host=expected_host)
        except (exception.InstanceNotFound, exception.UnexpectedTaskState):
            # Deleted (or reset) while we scheduled: give the claim back.
            LOG.info('instance %s went away during scheduling; releasing its claim', uuid)
            claims.release(self.db, uuid)
            return
        self.compute_api.build_and_run_instance(
            ctxt, dest['host'], instance, spec['image'], spec, spec.get('alternates', []))
        LOG.info('building %s on %s', uuid, dest['host'])

    def reschedule(self, ctxt, host, uuid, reason, details):
        """The build failed on ``host``: try the next alternate, up to max_attempts."""
        claims.release(self.db, uuid)
        spec = request_specs.get(self.db, uuid) or {}
        retry = spec.get('retry') or {'num_attempts': 1, 'hosts': [host]}
        alternates = list(spec.get('alternates') or [])
        while alternates and retry['num_attempts'] < self.conf.scheduler.max_attempts:
            dest = alternates.pop(0)
            retry['num_attempts'] += 1
            retry['hosts'].append(dest['host'])
            if self._claim(spec, uuid, dest):
                spec.update(alternates=alternates, retry=retry)
                request_specs.save(self.db, uuid, spec)
                LOG.info('rescheduling %s from %s to %s after: %s', uuid, host,
                         dest['host'], reason)
                self._send(ctxt, uuid, dest, spec, expected_host=host)
                return
        self._fail(ctxt, uuid, f'Exceeded maximum number of retries. Exhausted all hosts '
                               f'available for retrying build failures for instance {uuid}. '
                               f'Last error: {reason}', details, release=False)

    def _claim(self, spec, uuid, dest):
        try:
            # The claim rechecks the group: members placed since the alternates
            # were chosen may have made this host break the group's policy.
            claims.take(self.db, dest['node_id'], uuid, spec)
        except exception.ClaimFailed as exc:
            LOG.info('alternate %s is no longer usable: %s', dest['host'], exc)
            return False
        return True

    def _fail(self, ctxt, uuid, message, details, event=None, release=True):
        """Put the instance in ERROR with a fault; nothing stays in a transient state."""
        if release:
            claims.release(self.db, uuid)
        try:
            instance = instances.update(
                self.db, uuid, {'vm_state': states.ERROR, 'task_state': None,
                                'task_deadline': None},
                fault={'code': 500, 'message': message, 'details': details})
        except exception.InstanceNotFound:
            return
        if event:
            name, started = event
            actions.event_finish(self.db, uuid, ctxt.request_id, name, 'Error', details,
                                 start_time=started)
        self.notifier.instance(ctxt, 'create', 'error', instance, fault=message)
        LOG.warning('instance %s failed to build: %s', uuid, message)

    def repair_stuck(self, ctxt, timeout):
        """Builds that never reached a host within ``timeout`` seconds go to ERROR."""
        cutoff = timeutils.utcnow()
        for inst in instances.list_(self.db, {'task_state': states.SCHEDULING}):
            age = (cutoff - inst['created_at']).total_seconds()
            if timeout and age > timeout:
                self._fail(ctxt, inst['uuid'], f'Build timed out after {int(age)} s while '
                                               f'scheduling.', None)
