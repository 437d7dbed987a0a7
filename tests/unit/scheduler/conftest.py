"""Scheduler test fixtures: a config, host-state builders and a migrated SQLite file database."""
import datetime

import pytest

from common import timeutils
from conf import new_conf
from db import compute_nodes
from db import services
from scheduler import host_manager

NODE_DEFAULTS = {
    'id': 1, 'host': 'host1', 'hypervisor_hostname': 'node1', 'availability_zone': 'nova',
    'vcpus': 8, 'vcpus_used': 0, 'memory_mb': 16384, 'memory_mb_used': 0,
    'local_gb': 100, 'local_gb_used': 0, 'reserved_host_memory_mb': 0,
    'cpu_allocation_ratio': 1.0, 'ram_allocation_ratio': 1.0, 'disk_allocation_ratio': 1.0,
    'running_vms': 0,
}


@pytest.fixture
def conf():
    return new_conf(register_messaging=False)


@pytest.fixture
def make_host():
    """Build a HostState from node fields; the service is up and enabled unless told."""
    def _make(service=True, up=True, disabled=False, forced_down=False, **node_fields):
        node = dict(NODE_DEFAULTS, **node_fields)
        row = None
        if service:
            seen = timeutils.utcnow() - datetime.timedelta(seconds=0 if up else 3600)
            row = {'host': node['host'], 'disabled': disabled, 'forced_down': forced_down,
                   'last_seen_up': seen}
        return host_manager.HostState.from_db(node, row, down_time=60)
    return _make


def add_host(database, host, vcpus=8, memory_mb=16384, local_gb=100, zone='nova',
             service=True, **inventory):
    """Report one node (named after the host) and register its compute service."""
    inventory = dict({'hypervisor_type': 'QEMU', 'availability_zone': zone,
                      'vcpus': vcpus, 'memory_mb': memory_mb, 'local_gb': local_gb,
                      'cpu_allocation_ratio': 1.0, 'ram_allocation_ratio': 1.0,
                      'disk_allocation_ratio': 1.0}, **inventory)
    node = compute_nodes.report(database, host, host + '-node', inventory)
    if service:
        services.register(database, host, host_manager.COMPUTE_BINARY, 'compute')
        services.heartbeat(database, host, host_manager.COMPUTE_BINARY)
    return node


@pytest.fixture
def add_compute():
    return add_host
