"""CoreFilter: the host must have the requested vCPUs free (after its allocation ratio)."""
from scheduler import filters
from scheduler import request_spec


class CoreFilter(filters.BaseHostFilter):
    def host_passes(self, host_state, spec):
        return host_state.free_vcpus >= request_spec.resources(spec).vcpus
