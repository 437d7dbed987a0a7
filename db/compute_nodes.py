"""Compute node rows: inventory reported by hosts, usage, and the generation counter."""
import uuid as uuid_mod

import sqlalchemy as sa

from common import exception
from db import aggregates
from db import models
from db import rows

INVENTORY_FIELDS = ('hypervisor_type', 'hypervisor_version', 'host_ip', 'availability_zone',
                    'vcpus', 'memory_mb', 'local_gb', 'reserved_host_memory_mb',
                    'cpu_allocation_ratio', 'ram_allocation_ratio', 'disk_allocation_ratio',
                    'capabilities')


def report(db, host, node, inventory):
    """Create or update (host, node) with ``inventory``; bumps the generation on change."""
    values = {k: inventory[k] for k in INVENTORY_FIELDS if k in inventory}
    with db.session() as s:
        row = s.scalars(sa.select(models.ComputeNode).where(
            models.ComputeNode.host == host,
            models.ComputeNode.hypervisor_hostname == node)).first()
        if row is None:
            row = models.ComputeNode(uuid=str(uuid_mod.uuid4()), host=host,
                                     hypervisor_hostname=node, **values)
            s.add(row)
        elif any(getattr(row, k) != v for k, v in values.items()):
            s.execute(sa.update(models.ComputeNode).where(models.ComputeNode.id == row.id)
                      .values(generation=models.ComputeNode.generation + 1, **values))
        s.flush()
        s.refresh(row)
        return rows.to_dict(row)


def list_(db, host=None):
    t = models.ComputeNode.__table__
    q = sa.select(t).order_by(t.c.id)
    if host:
        q = q.where(t.c.host == host)
    with db.read() as conn:
        found = [rows.mapping(r) for r in conn.execute(q)]
    return _zoned(db, found)


def _zoned(db, nodes):
    """A node's zone is its host aggregate's when one sets it, else the host's own."""
    zones = aggregates.host_zones(db)
    for node in nodes:
        node['availability_zone'] = zones.get(node['host'], node['availability_zone'])
    return nodes


def get(db, ident):
    with db.reader() as s:
        q = sa.select(models.ComputeNode)
        q = q.where(models.ComputeNode.id == int(ident)) if str(ident).isdigit() \
            else q.where(models.ComputeNode.uuid == ident)
        row = s.scalars(q).first()
        if row is None:
            raise exception.NotFound(f'Hypervisor {ident} could not be found.')
        node = rows.to_dict(row)
    return _zoned(db, [node])[0]


def get_by_host_node(db, host, node):
    with db.reader() as s:
        row = s.scalars(sa.select(models.ComputeNode).where(
            models.ComputeNode.host == host,
            models.ComputeNode.hypervisor_hostname == node)).first()
        if row is None:
            raise exception.ComputeHostNotFound(host=f'{host}/{node}')
        found = rows.to_dict(row)
    return _zoned(db, [found])[0]


def capacity(node):
    """Usable (vcpus, memory_mb, disk_gb) of a node dict after allocation ratios."""
    return (int(node['vcpus'] * node['cpu_allocation_ratio']),
            int((node['memory_mb'] - node['reserved_host_memory_mb'])
                * node['ram_allocation_ratio']),
            int(node['local_gb'] * node['disk_allocation_ratio']))


def free(node):
    vcpus, mem, disk = capacity(node)
    return (vcpus - node['vcpus_used'], mem - node['memory_mb_used'],
            disk - node['local_gb_used'])


def can(node, capability):
    """(True, None) when the node reported ``capability``, else (False, why not): the
    host's own reason, or that it never said (a host older than capability reports)."""
    caps = node.get('capabilities') or {}
    if caps.get(capability):
        return True, None
    return False, caps.get(f'{capability}_refusal') or 'it has not reported that it can'
