"""Request spec helpers: what one instance of a request needs from a host."""
import collections
import math

Resources = collections.namedtuple('Resources', 'vcpus memory_mb disk_gb')


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
