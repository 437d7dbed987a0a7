"""Soft group policy weighers: they prefer hosts by group members, and never fail."""
from scheduler import group_policy
from scheduler import weighers

# Without a [filter_scheduler] option of its own, the multiplier is this: large
# enough that a preference outweighs the three resource weighers (1.0 each),
# whose spreading would otherwise pull an affinity member away from its group.
DEFAULT_MULTIPLIER = 10.0


class _GroupWeigher:
    # A mixin, not a BaseHostWeigher, so the loader does not offer it as a weigher.
    policy = None
    sign = 1

    def multiplier(self):
        if self.conf is None:
            return DEFAULT_MULTIPLIER
        return getattr(self.conf.filter_scheduler, self.multiplier_option, DEFAULT_MULTIPLIER)

    def weigh(self, host_state, spec):
        group = spec.get('instance_group')
        if not group or group['policy'] != self.policy:
            return 0
        return self.sign * (group.get('hosts') or {}).get(host_state.host, 0)


class ServerGroupSoftAffinityWeigher(_GroupWeigher, weighers.BaseHostWeigher):
    """More members of the group on a host weigh more."""
    multiplier_option = 'soft_affinity_weight_multiplier'
    policy = group_policy.SOFT_AFFINITY


class ServerGroupSoftAntiAffinityWeigher(_GroupWeigher, weighers.BaseHostWeigher):
    """More members of the group on a host weigh less."""
    multiplier_option = 'soft_anti_affinity_weight_multiplier'
    policy = group_policy.SOFT_ANTI_AFFINITY
    sign = -1
