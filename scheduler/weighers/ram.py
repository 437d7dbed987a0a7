"""RamWeigher: more free RAM weighs more (spread); a negative multiplier stacks."""
from scheduler import weighers


class RamWeigher(weighers.BaseHostWeigher):
    multiplier_option = 'ram_weight_multiplier'

    def weigh(self, host_state, spec):
        return host_state.free_ram_mb
