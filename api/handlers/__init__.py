"""Handler modules, one noun each; ALL lists them for the router."""
import importlib

_NAMES = ('versions', 'identity', 'images', 'servers', 'server_actions', 'flavors',
          'flavor_extra_specs', 'flavor_access', 'services', 'hypervisors',
          'instance_actions', 'compute_images', 'consoles', 'migrations')


def _load():
    return [importlib.import_module(f'api.handlers.{name}') for name in _NAMES]


def __getattr__(name):
    if name == 'ALL':
        return _load()
    raise AttributeError(name)
