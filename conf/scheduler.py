"""[scheduler] and [filter_scheduler] options."""
from oslo_config import cfg

OPTS = [
    cfg.IntOpt('max_attempts', default=3, min=1,
               help='Hosts a build may be tried on (the first plus alternates).'),
]

FILTER_OPTS = [
    cfg.ListOpt('enabled_filters',
                default=['ComputeFilter', 'AvailabilityZoneFilter', 'RamFilter',
                         'CoreFilter', 'DiskFilter', 'ServerGroupAntiAffinityFilter',
                         'ServerGroupAffinityFilter', 'SameHostFilter',
                         'DifferentHostFilter'],
                help='Filters a host must pass, in order.'),
    cfg.ListOpt('weighers', default=['RamWeigher', 'CoreWeigher', 'DiskWeigher',
                                     'ServerGroupSoftAffinityWeigher',
                                     'ServerGroupSoftAntiAffinityWeigher'],
                help='Weighers that rank the hosts that passed.'),
    # 10, not Nova's 1: with three resource weighers at 1 each, a soft group policy
    # at 1 would be outvoted by free RAM, cores and disk.
    cfg.FloatOpt('soft_affinity_weight_multiplier', default=10.0, min=0,
                 help='How strongly soft-affinity keeps a group on one host.'),
    cfg.FloatOpt('soft_anti_affinity_weight_multiplier', default=10.0, min=0,
                 help='How strongly soft-anti-affinity spreads a group over hosts.'),
    cfg.FloatOpt('ram_weight_multiplier', default=1.0,
                 help='Positive spreads by free RAM, negative stacks.'),
    cfg.FloatOpt('cpu_weight_multiplier', default=1.0,
                 help='Positive spreads by free cores, negative stacks.'),
    cfg.FloatOpt('disk_weight_multiplier', default=1.0,
                 help='Positive spreads by free disk, negative stacks.'),
    cfg.IntOpt('host_subset_size', default=1, min=1,
               help='Pick at random among this many best hosts (spreads parallel schedulers).'),
]


def register(conf):
    conf.register_opts(OPTS, group='scheduler')
    conf.register_opts(FILTER_OPTS, group='filter_scheduler')


def list_opts():
    return [('scheduler', OPTS), ('filter_scheduler', FILTER_OPTS)]
