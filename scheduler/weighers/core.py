"""CoreWeigher: more free vCPUs weigh more (spread); a negative multiplier stacks."""
from scheduler import weighers


class CoreWeigher(weighers.BaseHostWeigher):
    multiplier_option = 'cpu_weight_multiplier'

    def weigh(self, host_state, spec):
        return host_state.free_vcpus
