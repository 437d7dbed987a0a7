"""SameHostFilter / DifferentHostFilter: the same_host and different_host scheduler hints."""
from scheduler import filters


class SameHostFilter(filters.BaseHostFilter):
    """With a same_host hint, only a host running one of the named servers."""

    def host_passes(self, host_state, spec):
        if not (spec.get('scheduler_hints') or {}).get('same_host'):
            return True
        return host_state.host in (spec.get('same_hosts') or ())


class DifferentHostFilter(filters.BaseHostFilter):
    """With a different_host hint, no host running one of the named servers."""

    def host_passes(self, host_state, spec):
        return host_state.host not in (spec.get('different_hosts') or ())
