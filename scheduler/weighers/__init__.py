"""Host weighers: the base class, the loader for [filter_scheduler] weighers, and weighing."""
import collections
import importlib

# Built-in weigher modules; imported on first load (they import this package).
_BUILTIN_MODULES = ('ram', 'core', 'disk', 'server_group')

WeighedHost = collections.namedtuple('WeighedHost', 'weight host_state')


class BaseHostWeigher:
    """Gives each host a raw value; bigger raw values win when the multiplier is positive."""

    # Name of the [filter_scheduler] option holding this weigher's multiplier.
    multiplier_option = None

    def __init__(self, conf=None):
        self.conf = conf

    def multiplier(self):
        if self.conf is None or self.multiplier_option is None:
            return 1.0
        return getattr(self.conf.filter_scheduler, self.multiplier_option)

    def weigh(self, host_state, spec):
        raise NotImplementedError()


def builtin_weighers():
    """Map of class name to class for every weigher shipped in this package."""
    found = {}
    for name in _BUILTIN_MODULES:
        module = importlib.import_module(f'{__name__}.{name}')
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, BaseHostWeigher)
                    and value is not BaseHostWeigher):
                found[value.__name__] = value
    return found


def _resolve(name, builtins):
    """A built-in weigher by class name, or any weigher by dotted 'module.Class' path."""
    if name in builtins:
        return builtins[name]
    module_name, _, class_name = name.rpartition('.')
    if module_name:
        cls = getattr(importlib.import_module(module_name), class_name, None)
        if isinstance(cls, type) and issubclass(cls, BaseHostWeigher):
            return cls
    raise ValueError(f'Unknown scheduler weigher {name!r}')


def load_weighers(names, conf=None):
    """Instances of the named weighers, in order; an unknown name is a config error."""
    builtins = builtin_weighers()
    return [_resolve(name, builtins)(conf) for name in names]


def normalize(values):
    """Scale ``values`` to 0..1 (min to 0, max to 1); all equal gives all 0."""
    low, high = min(values), max(values)
    if high == low:
        return [0.0] * len(values)
    return [(v - low) / (high - low) for v in values]


def weigh_hosts(weighers, host_states, spec):
    """WeighedHosts, best first; ties keep the input order.

    Each weigher's raw values are normalized across the hosts before its
    multiplier applies, so no resource dominates just by its unit (MB vs cores).
    """
    hosts = list(host_states)
    if not hosts:
        return []
    totals = [0.0] * len(hosts)
    for weigher in weighers:
        multiplier = weigher.multiplier()
        raw = [weigher.weigh(h, spec) for h in hosts]
        for i, value in enumerate(normalize(raw)):
            totals[i] += multiplier * value
    weighed = [WeighedHost(w, h) for w, h in zip(totals, hosts)]
    return sorted(weighed, key=lambda wh: wh.weight, reverse=True)
