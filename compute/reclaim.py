"""Periodic reclaim: soft-deleted instances of this host are deleted for good once old enough.

While [DEFAULT] reclaim_instance_interval > 0, DELETE only soft-deletes (the
instance can be restored); this task, every reclaim_poll_interval seconds,
really deletes the SOFT_DELETED instances whose soft delete is older than the
interval. Each is first claimed with a compare-and-swap into task_state
deleting, so a restore racing with the reclaim gets a 409 rather than a
deleted server, and init_host finishes a reclaim a crash interrupted.
"""
import datetime
import logging

from common import exception
from common import timeutils
from compute import states

LOG = logging.getLogger(__name__)


def soft_deleted_at(instance):
    """When the instance was soft-deleted (the API stamps deleted_at; else its last change)."""
    return timeutils.parse(instance.get('deleted_at') or instance.get('updated_at')
                           or instance['created_at'])


class Reclaimer:
    """``delete(ctxt, instance)`` is the worker's normal delete (terminate_instance)."""

    def __init__(self, conf, host, conductor_api, locks, delete):
        self.conf = conf
        self.host = host
        self.conductor_api = conductor_api
        self.locks = locks
        self.delete = delete

    def reclaim(self, ctxt):
        """Delete what is due; returns the uuids it deleted."""
        interval = self.conf.reclaim_instance_interval
        if interval <= 0:
            return []
        cutoff = timeutils.utcnow() - datetime.timedelta(seconds=interval)
        done = []
        for instance in self.conductor_api.instances_on_host(ctxt, self.host):
            if not self._due(instance, cutoff) or self.locks.busy(instance['uuid']):
                continue
            try:
                claimed = self._claim(ctxt, instance['uuid'], cutoff)
                if claimed is not None:
                    LOG.info('reclaiming %s, soft-deleted at %s', claimed['uuid'],
                             soft_deleted_at(instance))
                    self.delete(ctxt, claimed)
                    done.append(claimed['uuid'])
            except Exception:  # noqa: BLE001 - one bad instance must not stop the others
                LOG.exception('reclaim of %s failed', instance['uuid'])
        return done

    @staticmethod
    def _due(instance, cutoff):
        return (instance['vm_state'] == states.SOFT_DELETED and instance['task_state'] is None
                and soft_deleted_at(instance) <= cutoff)

    def _claim(self, ctxt, uuid, cutoff):
        """Move the instance into task_state deleting; None when it is no longer due."""
        with self.locks.hold(uuid):
            # A restore may have finished since the listing: look again while no
            # action of this worker can end (we hold the lock).
            fresh = next((i for i in self.conductor_api.instances_on_host(ctxt, self.host)
                          if i['uuid'] == uuid), None)
            if fresh is None or not self._due(fresh, cutoff):
                return None
            try:
                return self.conductor_api.instance_update(
                    ctxt, self.host, uuid, {'task_state': states.DELETING},
                    expected_task_state=None)
            except (exception.InstanceNotFound, exception.UnexpectedTaskState,
                    exception.HostMismatch) as exc:
                LOG.info('reclaim left %s alone: %s', uuid, exception.summary(exc))
                return None


def tasks(conf, manager, ctxt):
    """The periodic task list entry of the reclaim (it does nothing while the interval is 0)."""
    reclaimer = Reclaimer(conf, manager.host, manager.conductor_api, manager.locks,
                          manager.terminate_instance)
    return [(conf.reclaim_poll_interval, 'reclaim_queued_deletes',
             lambda: reclaimer.reclaim(ctxt))]
