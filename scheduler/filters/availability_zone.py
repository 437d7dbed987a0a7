"""AvailabilityZoneFilter: a requested availability zone must be the host's."""
from scheduler import filters


class AvailabilityZoneFilter(filters.BaseHostFilter):
    def host_passes(self, host_state, spec):
        zone = spec.get('availability_zone')
        return not zone or host_state.availability_zone == zone
