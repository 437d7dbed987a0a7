"""What the group and host hints of a request mean right now: hosts read fresh per pass."""
from db import instances
from db import server_groups
from scheduler import group_policy


def _as_list(value):
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def with_placement(db, spec, instance_uuid):
    """A copy of ``spec`` whose group carries 'hosts' ({host: members}) and whose
    same_host / different_host hints are resolved to 'same_hosts' / 'different_hosts'.

    Read on every pass, so each instance of a multi-create sees the claims made
    for the ones before it, and a parallel build sees the claims of the others.
    """
    group = spec.get('instance_group')
    hints = spec.get('scheduler_hints') or {}
    if not group and not hints.get('same_host') and not hints.get('different_host'):
        return spec
    spec = dict(spec)
    if group:
        found = server_groups.placements(db, group['uuid'])
        spec['instance_group'] = dict(group, hosts=group_policy.host_counts(
            found, exclude=instance_uuid))
    for hint in ('same_host', 'different_host'):
        uuids = _as_list(hints.get(hint))
        if uuids:
            spec[hint + 's'] = sorted({i['host'] for i in instances.list_(db, {'uuid': uuids})
                                       if i['host']})
    return spec


def claim_holds(db, spec, instance_uuid):
    """After claiming: does the instance's group policy still hold (see group_policy)?"""
    group = spec.get('instance_group')
    if not group:
        return True
    return group_policy.claim_holds(group, server_groups.placements(db, group['uuid']),
                                    instance_uuid)
