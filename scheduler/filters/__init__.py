"""Host filters: base class, loader for [filter_scheduler] enabled_filters, and filtering."""
import importlib
import logging

LOG = logging.getLogger(__name__)

# Modules of this package that hold built-in filters; imported on first load
# because each of them imports this package for the base class.
_BUILTIN_MODULES = ('compute_filter', 'availability_zone', 'ram', 'core', 'disk',
                    'server_group', 'affinity')


class BaseHostFilter:
    """A filter decides whether one host can take one instance of a request."""

    def __init__(self, conf=None):
        self.conf = conf

    def host_passes(self, host_state, spec):
        raise NotImplementedError()


def builtin_filters():
    """Map of class name to class for every filter shipped in this package."""
    found = {}
    for name in _BUILTIN_MODULES:
        module = importlib.import_module(f'{__name__}.{name}')
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, BaseHostFilter)
                    and value is not BaseHostFilter):
                found[value.__name__] = value
    return found


def _resolve(name, builtins):
    """A built-in filter by class name, or any filter by dotted 'module.Class' path."""
    if name in builtins:
        return builtins[name]
    module_name, _, class_name = name.rpartition('.')
    if module_name:
        cls = getattr(importlib.import_module(module_name), class_name, None)
        if isinstance(cls, type) and issubclass(cls, BaseHostFilter):
            return cls
    raise ValueError(f'Unknown scheduler filter {name!r}')


def load_filters(names, conf=None):
    """Instances of the named filters, in order; an unknown name is a config error."""
    builtins = builtin_filters()
    return [_resolve(name, builtins)(conf) for name in names]


def filter_hosts(filters, host_states, spec):
    """The host states that pass every filter, in their original order."""
    hosts = list(host_states)
    for host_filter in filters:
        hosts = [h for h in hosts if host_filter.host_passes(h, spec)]
        if not hosts:
            # Operators need to know which filter emptied the list.
            LOG.info('Filter %s returned 0 hosts', type(host_filter).__name__)
            break
    return hosts
