"""HostManager against a real SQLite database: nodes joined with their compute services."""
import datetime

from common import timeutils
from db import allocations
from db import services
from scheduler import host_manager


def test_host_states_join_nodes_and_services(conf, db, add_compute):
    add_compute(db, 'up', vcpus=4, cpu_allocation_ratio=2.0, zone='az1')
    node = add_compute(db, 'disabled')
    add_compute(db, 'down')
    add_compute(db, 'orphan', service=False)
    allocations.claim(db, node['id'], 'uuid-1', 2, 1024, 10)
    services.update(db, services.list_(db, host='disabled')[0]['id'], {'disabled': True})
    old = timeutils.utcnow() - datetime.timedelta(seconds=conf.service_down_time + 5)
    services.update(db, services.list_(db, host='down')[0]['id'], {'last_seen_up': old})
    # Another binary on the same host must not stand in for the compute service.
    services.register(db, 'orphan', 'stratus-conductor', 'conductor')

    states = {h.host: h for h in host_manager.HostManager(conf, db).get_host_states()}

    assert list(states) == ['up', 'disabled', 'down', 'orphan']
    up = states['up']
    assert (up.node, up.availability_zone, up.free_vcpus) == ('up-node', 'az1', 8)
    assert up.service_up and not up.service_disabled
    assert states['disabled'].service_disabled
    assert (states['disabled'].vcpus_used, states['disabled'].free_vcpus) == (2, 6)
    assert states['disabled'].free_ram_mb == 16384 - 1024
    assert states['disabled'].free_disk_gb == 90
    assert not states['down'].service_up
    assert states['orphan'].service is None and not states['orphan'].service_up
    assert up.destination() == {'host': 'up', 'node': 'up-node', 'node_id': up.node_id}


def test_host_states_are_fresh_each_call(conf, db, add_compute):
    node = add_compute(db, 'h1', vcpus=4)
    manager = host_manager.HostManager(conf, db)
    assert manager.get_host_states()[0].free_vcpus == 4
    allocations.claim(db, node['id'], 'uuid-1', 3, 0, 0)
    assert manager.get_host_states()[0].free_vcpus == 1
