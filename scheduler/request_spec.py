"""The request spec: what an instance asks of a host, built for a boot or a move, sized here only.

Every caller builds and sizes specs through this module (the API for a boot, the
conductor for an unshelve or a move, the scheduler's filters and claims), so the
disk formula and the keys a move must drop exist once.
"""
import collections
import math

from db import images
from db import request_specs

Resources = collections.namedtuple('Resources', 'vcpus memory_mb disk_gb')
# A spec's one-off placement hints from its build: a later scheduling starts afresh.
BUILD_ONLY = ('retry', 'alternates', 'force_hosts', 'force_nodes', 'ignore_hosts',
              'requested_host')
_SIZES = ('vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb', 'swap')


def _value(spec, key):
    """A sizing key from the spec itself, else from its flavor, else 0."""
    if spec.get(key) is not None:
        return spec[key]
    return (spec.get('flavor') or {}).get(key) or 0


def resources(spec):
    """The vCPUs, MB of RAM and GB of local disk one instance of ``spec`` uses.

    Swap is given in MB but lives on the node's local disk, so it counts as
    whole GB, rounded up.
    """
    disk_gb = (int(_value(spec, 'root_gb')) + int(_value(spec, 'ephemeral_gb'))
               + math.ceil(int(_value(spec, 'swap')) / 1024))
    return Resources(int(_value(spec, 'vcpus')), int(_value(spec, 'memory_mb')), disk_gb)


def with_flavor(spec, flavor):
    """``spec`` sized by ``flavor`` (a boot's, or the new one of a resize)."""
    spec = dict(spec, flavor=flavor, **{k: flavor.get(k) or 0 for k in _SIZES})
    spec['disk_gb'] = resources(spec).disk_gb
    return spec


def for_build(ctxt, flavor, image, zone, count):
    """The spec of a boot request of ``count`` instances."""
    return with_flavor({'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
                        'image': images.for_compute(image), 'availability_zone': zone,
                        'num_instances': count}, flavor)


def for_move(db, instance, flavor=None):
    """The build's spec without its one-off hints (or one made from the row), for
    scheduling the instance again (an unshelve, a migration; a resize passes its new
    ``flavor``)."""
    spec = request_specs.get(db, instance['uuid'])
    if spec is None:
        spec = with_flavor({'project_id': instance['project_id'],
                            'user_id': instance['user_id'],
                            'availability_zone': instance.get('availability_zone')},
                           dict(instance.get('flavor') or {},
                                **{k: instance[k] for k in _SIZES if k in instance}))
    spec = {k: v for k, v in spec.items() if k not in BUILD_ONLY}
    spec['num_instances'] = 1
    return with_flavor(spec, flavor) if flavor else spec
