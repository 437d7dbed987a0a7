"""DiskWeigher: more free local disk weighs more (spread); a negative multiplier stacks."""
from scheduler import weighers


class DiskWeigher(weighers.BaseHostWeigher):
    multiplier_option = 'disk_weight_multiplier'

    def weigh(self, host_state, spec):
        return host_state.free_disk_gb
