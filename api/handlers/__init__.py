"""Handler modules, one noun each; ALL lists them for the router."""
import importlib

_NAMES = ('versions', 'identity', 'identity_domains', 'images', 'image_actions', 'servers',
          'server_actions', 'flavors', 'flavor_extra_specs', 'flavor_access', 'services',
          'hypervisors', 'instance_actions', 'compute_images', 'consoles', 'migrations',
          'server_groups', 'server_tags', 'extensions', 'server_password', 'image_tasks',
          'quota_sets', 'quota_classes', 'limits', 'availability_zones',
          'simple_tenant_usage', 'hypervisor_lookup', 'server_diagnostics', 'keypairs',
          'server_update', 'server_metadata', 'image_metadata', 'aggregates', 'hosts',
          'instance_usage_audit_log')


def _load():
    return [importlib.import_module(f'api.handlers.{name}') for name in _NAMES]


def __getattr__(name):
    if name == 'ALL':
        return _load()
    raise AttributeError(name)
