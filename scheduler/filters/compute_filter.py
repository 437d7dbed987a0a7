"""ComputeFilter: only hosts whose compute service exists, is enabled and is up."""
from scheduler import filters


class ComputeFilter(filters.BaseHostFilter):
    def host_passes(self, host_state, spec):
        return (host_state.service is not None and host_state.service_up
                and not host_state.service_disabled)
