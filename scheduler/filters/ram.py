"""RamFilter: the host must have the requested RAM free (after its allocation ratio)."""
from scheduler import filters
from scheduler import request_spec


class RamFilter(filters.BaseHostFilter):
    def host_passes(self, host_state, spec):
        return host_state.free_ram_mb >= request_spec.resources(spec).memory_mb
