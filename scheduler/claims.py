"""Claims: every hold on a node's resources is taken, moved and dropped here.

A claim belongs to a consumer: an instance, or a migration while an instance moves
(the destination of a live migration until the guest lands there; the source of a
resize while it waits to be confirmed). Each step is one transaction, so the
resources held are exact after every step and after any failure between steps.
"""
import logging

from common import exception
from db import allocations
from db import engine
from scheduler import placement
from scheduler import request_spec

LOG = logging.getLogger(__name__)

# A claim transaction that loses a deadlock or lock wait rolled back entirely,
# so running it again is safe.
_claim = engine.retry_on_deadlock(allocations.claim)


def take(db, node_id, consumer, spec):
    """Claim what ``spec`` needs on ``node_id`` for ``consumer``; ClaimFailed when the
    node is full, or when the spec's server group policy no longer holds there."""
    needs = request_spec.resources(spec)
    node = _claim(db, node_id, consumer, *needs)
    if not placement.claim_holds(db, spec, consumer):
        # A member of the same group claimed first, against the policy.
        release(db, consumer)
        raise exception.ClaimFailed(node=node, reason='server group policy')
    LOG.info('claimed %s on %s for %s', needs, node, consumer)
    return node


def release(db, consumer):
    """Drop ``consumer``'s claim (one side of a move, or all an instance holds);
    idempotent: False when there was none."""
    return allocations.release(db, consumer)


def move_to_instance(db, instance_uuid, migration_uuid):
    """The instance takes over the claim its migration held (where it landed) and
    gives its own back; False when already done (a repeated message)."""
    return allocations.move(db, instance_uuid, migration_uuid)


def hold_source(db, instance_uuid, migration_uuid):
    """A resize landed: the instance takes over the destination's claim, and the
    migration holds the source's until confirm or revert; False when done already."""
    return allocations.swap(db, instance_uuid, migration_uuid)


def give_back_source(db, instance_uuid, migration_uuid):
    """A revert: the instance takes back the source's claim from the migration and
    gives the destination's back; False when done already."""
    return allocations.move(db, instance_uuid, migration_uuid)


def held(db, consumer):
    """``consumer``'s claim as a dict (node_id, vcpus, memory_mb, disk_gb), or None."""
    return allocations.get(db, consumer)
