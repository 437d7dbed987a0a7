"""Scheduler RPC endpoints: select_destinations filters, weighs and claims, all-or-nothing."""
import logging
import random

from common import exception
from scheduler import filters
from scheduler import host_manager
from scheduler import claims
from scheduler import placement
from scheduler import weighers

LOG = logging.getLogger(__name__)

NO_HOSTS_REASON = 'There are not enough hosts available.'

# When every candidate of a pass lost its claim, the view was stale (other
# schedulers filled the hosts, or won the generation race too often): read the
# hosts again this many times before giving up.
MAX_SELECTION_PASSES = 5

class SchedulerManager:
    """Server side of the scheduler RPC API; stateless, so threads and processes can share a DB."""

    RPC_API_VERSION = '1.0'

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self.host_manager = host_manager.HostManager(conf, db)
        self.filters = filters.load_filters(conf.filter_scheduler.enabled_filters, conf)
        self.weighers = weighers.load_weighers(conf.filter_scheduler.weighers, conf)
        self._random = random.Random()

    def select_destinations(self, ctxt, request_spec, instance_uuids, return_alternates=True):
        """For each instance, [claimed host, alternates...] as {'host', 'node', 'node_id'}.

        All or nothing: when one instance fits nowhere, the claims this call made
        for the others are released before NoValidHost is raised.
        """
        spec = request_spec or {}
        claimed = []
        try:
            return [self._select_one(ctxt, spec, instance_uuid, return_alternates, claimed)
                    for instance_uuid in instance_uuids or []]
        except Exception:
            self._release(claimed)
            raise

    def _select_one(self, ctxt, spec, instance_uuid, return_alternates, claimed):
        """Claim a host for one instance (appending it to ``claimed``); its selection list."""
        for _pass in range(MAX_SELECTION_PASSES):
            # Group members' hosts change with every claim: read them per pass.
            weighed = self._weighed_hosts(
                ctxt, placement.with_placement(self.db, spec, instance_uuid))
            if not weighed:
                break
            chosen, lost = self._claim_best(weighed, instance_uuid, spec)
            if chosen is not None:
                claimed.append(instance_uuid)
                return self._selection(chosen, lost, weighed, return_alternates)
        raise exception.NoValidHost(reason=NO_HOSTS_REASON)

    def _weighed_hosts(self, ctxt, spec):
        """Fresh host states that may take the instance, best first.

        Forced hosts skip the filters, as in Nova (an admin's explicit choice);
        the claim still refuses a host without room.
        """
        hosts = _apply_host_lists(self.host_manager.get_host_states(ctxt), spec)
        if not spec.get('force_hosts'):
            hosts = filters.filter_hosts(self.filters, hosts, spec)
        return weighers.weigh_hosts(self.weighers, hosts, spec)

    def _claim_best(self, weighed, instance_uuid, spec):
        """Claim on a random one of the best host_subset_size hosts, falling back down the list.

        Returns (claimed HostState or None, HostStates whose claim failed).
        """
        remaining = [wh.host_state for wh in weighed]
        subset_size = self.conf.filter_scheduler.host_subset_size
        lost = []
        while remaining:
            # Picking at random among the best few keeps parallel schedulers,
            # which see the same weights, from all racing for one host.
            host = self._random.choice(remaining[:subset_size])
            try:
                claims.take(self.db, host.node_id, instance_uuid, spec)
                return host, lost
            except exception.ClaimFailed as exc:
                LOG.debug('Claim for %s on %s lost: %s', instance_uuid, host.node, exc)
                remaining.remove(host)
                lost.append(host)
        return None, lost

    def _selection(self, chosen, lost, weighed, return_alternates):
        """The claimed host, then up to max_attempts - 1 unclaimed alternates, best first.

        Hosts whose claim just failed are no alternates: they are full or contended.
        """
        alternates = []
        if return_alternates:
            skip = {chosen.node_id, *(h.node_id for h in lost)}
            alternates = [wh.host_state for wh in weighed
                          if wh.host_state.node_id not in skip]
            alternates = alternates[:self.conf.scheduler.max_attempts - 1]
        return [h.destination() for h in [chosen] + alternates]

    def _release(self, instance_uuids):
        """Give back this call's claims; one failure must not keep the others held."""
        for instance_uuid in instance_uuids:
            try:
                claims.release(self.db, instance_uuid)
            except Exception:
                LOG.exception('Could not release the claim of %s', instance_uuid)


def _as_list(value):
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def _apply_host_lists(host_states, spec):
    """Drop ignore_hosts (already tried); keep only force_hosts (or the requested host,
    which still goes through the filters, as Nova's requested_destination) when given."""
    ignored = set(_as_list(spec.get('ignore_hosts')))
    forced = set(_as_list(spec.get('force_hosts')) or _as_list(spec.get('requested_host')))
    return [h for h in host_states
            if h.host not in ignored and (not forced or h.host in forced)]
