"""Server group policies as pure rules: which hosts a member may use, and who wins a race."""
import collections

AFFINITY = 'affinity'
ANTI_AFFINITY = 'anti-affinity'
SOFT_AFFINITY = 'soft-affinity'
SOFT_ANTI_AFFINITY = 'soft-anti-affinity'


def max_per_host(group):
    """How many members one host may run under anti-affinity (the 2.64 rule; 1 by default)."""
    return int((group.get('rules') or {}).get('max_server_per_host') or 1)


def host_counts(placements, exclude=None):
    """{host: members there} from placement rows, leaving out instance ``exclude``."""
    return dict(collections.Counter(p['host'] for p in placements
                                    if p['instance_uuid'] != exclude))


def allows(group, counts, host):
    """Whether a hard policy lets one more member onto ``host``; soft ones always do."""
    if group['policy'] == AFFINITY:
        return not counts or host in counts
    if group['policy'] == ANTI_AFFINITY:
        return counts.get(host, 0) < max_per_host(group)
    return True


def claim_holds(group, placements, instance_uuid):
    """Whether the claim of ``instance_uuid`` keeps the policy, judged against older claims.

    Two members scheduled at once both pass the filters before either claim is
    visible. Each checks after claiming; only claims older than its own count,
    so the first claim always stands and the later one backs off (no livelock).
    """
    mine = next((p for p in placements if p['instance_uuid'] == instance_uuid), None)
    if mine is None:
        return True
    older = [p for p in placements if p['claim_id'] < mine['claim_id']]
    return allows(group, host_counts(older), mine['host'])
