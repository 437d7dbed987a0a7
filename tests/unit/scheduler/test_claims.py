"""scheduler.claims: a move holds room on two nodes and each ending gives back exactly one."""
import pytest

from common import exception
from db import compute_nodes
from scheduler import claims
from tests.unit.scheduler.conftest import add_host

SMALL = {'vcpus': 1, 'memory_mb': 512, 'root_gb': 1}
BIG = {'vcpus': 2, 'memory_mb': 2048, 'root_gb': 20}


def used(db, node):
    n = compute_nodes.get(db, node['id'])
    return n['vcpus_used'], n['memory_mb_used'], n['local_gb_used'], n['running_vms']


@pytest.fixture
def moving(db):
    """An instance on 'src' and its migration's claim (a bigger flavor) on 'dst'."""
    src, dst = add_host(db, 'src'), add_host(db, 'dst')
    claims.take(db, src['id'], 'inst', SMALL)
    claims.take(db, dst['id'], 'mig', BIG)
    return src, dst


def test_a_landed_resize_holds_both_sides_and_confirm_drops_the_source(db, moving):
    src, dst = moving
    assert claims.hold_source(db, 'inst', 'mig')
    assert claims.held(db, 'inst')['node_id'] == dst['id']
    assert claims.held(db, 'mig')['node_id'] == src['id']
    assert used(db, src) == (1, 512, 1, 1) and used(db, dst) == (2, 2048, 20, 1)
    assert claims.release(db, 'mig')
    assert used(db, src) == (0, 0, 0, 0) and used(db, dst) == (2, 2048, 20, 1)
    assert not claims.release(db, 'mig')


def test_revert_gives_the_destination_back(db, moving):
    src, dst = moving
    claims.hold_source(db, 'inst', 'mig')
    assert claims.give_back_source(db, 'inst', 'mig')
    assert claims.held(db, 'inst')['node_id'] == src['id'] and claims.held(db, 'mig') is None
    assert used(db, src) == (1, 512, 1, 1) and used(db, dst) == (0, 0, 0, 0)
    assert not claims.give_back_source(db, 'inst', 'mig')     # a repeated message


def test_swap_needs_both_claims(db, moving):
    claims.release(db, 'mig')
    assert not claims.hold_source(db, 'inst', 'mig')
    assert claims.held(db, 'inst') is not None


def test_take_refuses_a_full_node(db):
    node = add_host(db, 'tiny', memory_mb=1024)
    with pytest.raises(exception.ClaimFailed):
        claims.take(db, node['id'], 'inst', BIG)
    assert used(db, node) == (0, 0, 0, 0)
