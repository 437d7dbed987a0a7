"""Allocations: atomic claims against a node's usage, and their release."""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exception
from db import models
from db import rows

MAX_GENERATION_RETRIES = 5


def claim(db, node_id, instance_uuid, vcpus, memory_mb, disk_gb):
    """Claim resources on ``node_id`` for an instance; raises ClaimFailed when full.

    The usage update is conditional on the generation read with the node and on
    the capacity, so parallel schedulers can never overcommit a node: a lost race
    re-reads the node and tries again.
    """
    t = models.ComputeNode.__table__
    for _attempt in range(MAX_GENERATION_RETRIES):
        with db.write() as conn:
            n = rows.mapping(conn.execute(sa.select(t).where(t.c.id == node_id)).first())
            if n is None:
                raise exception.ClaimFailed(node=node_id, reason='node is gone')
            _check_fits(n, vcpus, memory_mb, disk_gb)
            won = conn.execute(sa.update(t).where(
                t.c.id == node_id, t.c.generation == n['generation']).values(
                    vcpus_used=t.c.vcpus_used + vcpus,
                    memory_mb_used=t.c.memory_mb_used + memory_mb,
                    local_gb_used=t.c.local_gb_used + disk_gb,
                    running_vms=t.c.running_vms + 1,
                    generation=t.c.generation + 1)).rowcount
            if won == 1:
                _insert(conn, node_id, instance_uuid, vcpus, memory_mb, disk_gb)
                return n['hypervisor_hostname']
    raise exception.ClaimFailed(node=node_id, reason='too many concurrent updates')


def _insert(conn, node_id, instance_uuid, vcpus, memory_mb, disk_gb):
    try:
        conn.execute(sa.insert(models.Allocation.__table__).values(
            node_id=node_id, instance_uuid=instance_uuid, vcpus=vcpus, memory_mb=memory_mb,
            disk_gb=disk_gb))
    except sa_exc.IntegrityError as exc:
        # Raising rolls the usage update back with the rest of the transaction.
        raise exception.ClaimFailed(
            node=node_id, reason=f'{instance_uuid} already holds a claim') from exc


def _check_fits(node, vcpus, memory_mb, disk_gb):
    free_vcpus, free_mem, free_disk = _free(node)
    if vcpus > free_vcpus or memory_mb > free_mem or disk_gb > free_disk:
        raise exception.ClaimFailed(
            node=node['hypervisor_hostname'],
            reason=f'needs {vcpus} vCPU/{memory_mb} MB/{disk_gb} GB, free '
                   f'{free_vcpus}/{free_mem}/{free_disk}')


def _free(node):
    from db import compute_nodes
    return compute_nodes.free(node)


def release(db, instance_uuid):
    """Drop the instance's claim and give its resources back; idempotent."""
    a = models.Allocation.__table__
    with db.write() as conn:
        alloc = conn.execute(sa.select(a).where(a.c.instance_uuid == instance_uuid)).first()
        if alloc is None:
            return False
        _give_back(conn, alloc)
        return True


def move(db, instance_uuid, holder_uuid):
    """The instance takes over the claim ``holder_uuid`` (a migration's, on the node it
    moved to) and gives its old one back, in one transaction; False when there is no
    such claim (already moved: a repeated message)."""
    a = models.Allocation.__table__
    with db.write() as conn:
        held = conn.execute(sa.select(a).where(a.c.instance_uuid == holder_uuid)).first()
        if held is None:
            return False
        old = conn.execute(sa.select(a).where(a.c.instance_uuid == instance_uuid)).first()
        if old is not None:
            _give_back(conn, old)
        conn.execute(sa.update(a).where(a.c.id == held.id).values(instance_uuid=instance_uuid))
        return True


def swap(db, first, second):
    """``first`` and ``second`` exchange their claims in one transaction; False unless
    both hold one. Not idempotent: callers run it under a compare-and-swap."""
    a = models.Allocation.__table__
    with db.write() as conn:
        found = {r.instance_uuid: r.id for r in conn.execute(
            sa.select(a.c.id, a.c.instance_uuid).where(a.c.instance_uuid.in_([first, second])))}
        if len(found) != 2:
            return False
        # The consumer column is unique: the first row steps aside while the second moves.
        conn.execute(sa.update(a).where(a.c.id == found[first]).values(
            instance_uuid=f'swap-{found[first]}'))
        conn.execute(sa.update(a).where(a.c.id == found[second]).values(instance_uuid=first))
        conn.execute(sa.update(a).where(a.c.id == found[first]).values(instance_uuid=second))
        return True


def _give_back(conn, alloc):
    t = models.ComputeNode.__table__
    conn.execute(sa.update(t).where(t.c.id == alloc.node_id).values(
        vcpus_used=t.c.vcpus_used - alloc.vcpus,
        memory_mb_used=t.c.memory_mb_used - alloc.memory_mb,
        local_gb_used=t.c.local_gb_used - alloc.disk_gb,
        running_vms=t.c.running_vms - 1,
        generation=t.c.generation + 1))
    conn.execute(sa.delete(models.Allocation.__table__).where(
        models.Allocation.__table__.c.id == alloc.id))


def get(db, instance_uuid):
    with db.reader() as s:
        return rows.to_dict(s.scalars(sa.select(models.Allocation).where(
            models.Allocation.instance_uuid == instance_uuid)).first())


def list_for_node(db, node_id):
    with db.reader() as s:
        return [rows.to_dict(a) for a in s.scalars(sa.select(models.Allocation).where(
            models.Allocation.node_id == node_id))]
