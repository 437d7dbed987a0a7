"""DiskFilter: the host must have root + ephemeral + swap free on local disk."""
from scheduler import filters
from scheduler import request_spec


class DiskFilter(filters.BaseHostFilter):
    def host_passes(self, host_state, spec):
        return host_state.free_disk_gb >= request_spec.resources(spec).disk_gb
