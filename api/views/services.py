"""Service binaries as Nova's clients name them (nova-compute) and as Stratus registers them."""
OURS = 'stratus-'
NOVA = 'nova-'
COMPUTE = 'stratus-compute'
INTERNAL_ZONE = 'internal'


def nova_binary(binary):
    """'stratus-compute' -> 'nova-compute': tempest and the CLI filter and compare on it."""
    return NOVA + binary[len(OURS):] if binary.startswith(OURS) else binary


def stratus_binary(name):
    """A ?binary= filter in either spelling -> the name services register under."""
    return OURS + name[len(NOVA):] if name and name.startswith(NOVA) else name


def zone(service, compute_zones, default_zone='nova'):
    """A compute service's zone is its host's; every other service is in 'internal'."""
    if service['binary'] != COMPUTE:
        return INTERNAL_ZONE
    return compute_zones.get(service['host'], default_zone)
