"""ServerGroupAffinityFilter / ServerGroupAntiAffinityFilter: hard group policies."""
from scheduler import filters
from scheduler import group_policy


class _GroupFilter:
    # A mixin, not a BaseHostFilter, so the loader does not offer it as a filter.
    policy = None

    def host_passes(self, host_state, spec):
        group = spec.get('instance_group')
        if not group or group['policy'] != self.policy:
            return True
        return group_policy.allows(group, group.get('hosts') or {}, host_state.host)


class ServerGroupAffinityFilter(_GroupFilter, filters.BaseHostFilter):
    """Only the host the group's members already run on (any host for the first one)."""
    policy = group_policy.AFFINITY


class ServerGroupAntiAffinityFilter(_GroupFilter, filters.BaseHostFilter):
    """No host already running max_server_per_host members of the group."""
    policy = group_policy.ANTI_AFFINITY
