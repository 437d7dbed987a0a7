"""shelve, shelveOffload, unshelve and the periodic offload through the API, end to end.

Checked: the disk's bytes (qemu-io) across an offload and an unshelve on the
other host, the guest gone from the old host, the claim released, the shelved
image active while shelved and deleted after unshelve or delete, the instance
actions with their api_/conductor_/compute_ events, 409 from every state each
action may not start from and on a locked server, 404 for another project.
"""
import datetime

import pytest

from common import exception
from common import timeutils
from compute import shelve as compute_shelve
from db import allocations
from db import faults
from db import images
from db import instances
from db import request_specs
from rpc import context as context_mod
from tests.functional import disks
from tests.functional.actions import outside
from tests.functional.actions import refused
from tests.functional.actions import refused_in

# Nova's preconditions, written out apart from compute/states.py to catch a wrong row.
ALLOWED = {'shelve': ('active', 'stopped', 'paused', 'suspended'),
           'shelveOffload': ('shelved',),
           'unshelve': ('shelved', 'shelved_offloaded')}
CTXT = context_mod.admin_context()


@pytest.fixture
def server(demo, image_id):
    with demo.booted('shelvable', image_id) as server_id:
        yield server_id


@pytest.fixture
def keep_shelved(cloud):
    """shelved_offload_time -1: a shelved guest stays on its host."""
    cloud.conf.set_override('shelved_offload_time', -1)
    yield
    cloud.conf.clear_override('shelved_offload_time')


@pytest.fixture
def only_host(admin):
    """only_host(h): disable every compute service but h's (None: all); all back after."""
    services = admin.get('/compute/v2.1/os-services?binary=stratus-compute').json()[
        'services']

    def set_status(service, status):
        resp = admin.request('PUT', f'/compute/v2.1/os-services/{service["id"]}',
                             json={'status': status})
        assert resp.status_code == 200, resp.text

    def only(host):
        for service in services:
            set_status(service, 'enabled' if service['host'] == host else 'disabled')

    yield only
    for service in services:
        set_status(service, 'enabled')


def shelved_image_id(cloud, server_id):
    return (instances.get(cloud.db, server_id)['system_metadata'] or {}).get(
        'shelved_image_id')


def guests(cloud, host):
    return cloud.computes[host].manager.driver.list_instance_uuids()


def assert_image_gone(cloud, image_id):
    assert image_id
    with pytest.raises(exception.ImageNotFound):
        images.get(cloud.db, image_id)


def latest_fault(cloud, server_id):
    return faults.latest(cloud.db, [server_id]).get(server_id)


def shelve_to(client, server_id, status):
    client.accepted(server_id, {'shelve': None})
    client.wait_status(server_id, {status})
    return client.wait_idle(server_id)


@pytest.fixture
def distro_on_base_image(cloud, image_id):
    """A boot-relevant property on the base image, which a shelved image must carry."""
    before = images.get(cloud.db, image_id)['properties']
    images.update(cloud.db, image_id, {'properties': dict(before, os_distro='cirros')})
    yield
    images.update(cloud.db, image_id, {'properties': before})


def test_offload_then_unshelve_on_the_other_host_keeps_the_disk(cloud, demo, server,
                                                                  only_host,
                                                                  distro_on_base_image):
    old_host = instances.get(cloud.db, server)['host']
    new_host = next(h for h in cloud.computes if h != old_host)
    disks.write_pattern(disks.disk_path(cloud, server), 0x5A)
    request_id = demo.accepted(server, {'shelve': None})
    shown = demo.wait_status(server, {'SHELVED_OFFLOADED'})
    assert shown['OS-EXT-STS:task_state'] is None
    assert demo.action_events(server, request_id, ['api_shelve', 'compute_shelve_instance']) == (
        'shelve', {'api_shelve': 'Success', 'compute_shelve_instance': 'Success'})
    row = instances.get(cloud.db, server)
    assert (row['host'], row['node'], row['vm_state']) == (None, None, 'shelved_offloaded')
    assert server not in guests(cloud, old_host)
    assert allocations.get(cloud.db, server) is None
    image = images.get(cloud.db, shelved_image_id(cloud, server))
    assert (image['status'], image['name'], image['owner'], image['visibility']) == (
        'active', 'shelvable-shelved', demo.project_id, 'private')
    assert image['properties']['instance_uuid'] == server
    assert image['properties']['image_type'] == 'snapshot'
    assert image['properties']['os_distro'] == 'cirros'
    assert image['properties']['base_image_ref'] == row['image_ref']

    # Nowhere to go: back to SHELVED_OFFLOADED with a fault, the image kept.
    only_host(None)
    failed_id = demo.accepted(server, {'unshelve': None})
    action, events = demo.action_events(server, failed_id, ['conductor_unshelve_instance'])
    assert (action, events['conductor_unshelve_instance']) == ('unshelve', 'Error')
    assert demo.wait_idle(server)['status'] == 'SHELVED_OFFLOADED'
    assert 'No valid host' in latest_fault(cloud, server)['message']
    assert images.get(cloud.db, image['id'])['status'] == 'active'

    only_host(new_host)
    request_id = demo.accepted(server, {'unshelve': None})
    demo.wait_status(server, {'ACTIVE'})
    assert demo.action_events(server, request_id, [
        'api_unshelve', 'conductor_unshelve_instance', 'compute_unshelve_instance']) == (
        'unshelve', {'api_unshelve': 'Success', 'conductor_unshelve_instance': 'Success',
                     'compute_unshelve_instance': 'Success'})
    assert demo.wait_idle(server)['OS-EXT-STS:power_state'] == 1
    row = instances.get(cloud.db, server)
    assert row['host'] == new_host and server in guests(cloud, new_host)
    assert allocations.get(cloud.db, server) is not None
    assert disks.has_pattern(disks.disk_path(cloud, server), 0x5A)
    assert_image_gone(cloud, image['id'])
    assert 'shelved_image_id' not in (row['system_metadata'] or {})


def test_shelve_kept_on_its_host_then_unshelve_powers_it_on(cloud, demo, admin, server,
                                                            keep_shelved):
    host = instances.get(cloud.db, server)['host']
    disks.write_pattern(disks.disk_path(cloud, server), 0x3C)
    assert shelve_to(demo, server, 'SHELVED')['OS-EXT-STS:power_state'] == 4
    assert server in guests(cloud, host)
    assert allocations.get(cloud.db, server) is not None
    image_id = shelved_image_id(cloud, server)
    assert images.get(cloud.db, image_id)['status'] == 'active'

    request_id = demo.accepted(server, {'unshelve': None})
    demo.wait_status(server, {'ACTIVE'})
    action, events = demo.action_events(server, request_id, [
        'api_unshelve', 'conductor_unshelve_instance', 'compute_unshelve_instance'])
    assert (action, set(events.values())) == ('unshelve', {'Success'})
    assert demo.wait_idle(server)['OS-EXT-STS:power_state'] == 1
    assert instances.get(cloud.db, server)['host'] == host
    assert disks.has_pattern(disks.disk_path(cloud, server), 0x3C)
    assert_image_gone(cloud, image_id)
    assert shelved_image_id(cloud, server) is None

    # shelveOffload: an admin's action, from SHELVED only.
    shelve_to(demo, server, 'SHELVED')
    assert demo.action(server, {'shelveOffload': None}).status_code == 403
    request_id = admin.accepted(server, {'shelveOffload': None})
    demo.wait_status(server, {'SHELVED_OFFLOADED'})
    assert admin.action_events(server, request_id, [
        'api_shelveOffload', 'compute_shelve_offload_instance']) == (
        'shelveOffload', {'api_shelveOffload': 'Success',
                          'compute_shelve_offload_instance': 'Success'})
    assert server not in guests(cloud, host)
    assert allocations.get(cloud.db, server) is None
    assert instances.get(cloud.db, server)['host'] is None
    # Deleting an offloaded instance (no host: the API deletes it) takes its image along.
    image_id = shelved_image_id(cloud, server)
    demo.delete_all([server])
    assert_image_gone(cloud, image_id)


def test_deleting_a_shelved_server_deletes_its_image(cloud, demo, server, keep_shelved):
    host = instances.get(cloud.db, server)['host']
    shelve_to(demo, server, 'SHELVED')
    image_id = shelved_image_id(cloud, server)
    demo.delete_all([server])
    assert_image_gone(cloud, image_id)
    assert server not in guests(cloud, host)


@pytest.mark.parametrize('first,status', [('pause', 'PAUSED'), ('suspend', 'SUSPENDED'),
                                          ('os-stop', 'SHUTOFF')])
def test_shelve_from_paused_suspended_and_stopped(cloud, demo, server, first, status):
    disks.write_pattern(disks.disk_path(cloud, server), 0x7E)
    demo.accepted(server, {first: None})
    demo.wait_status(server, {status})
    demo.wait_idle(server)
    shelve_to(demo, server, 'SHELVED_OFFLOADED')
    demo.accepted(server, {'unshelve': None})
    demo.wait_status(server, {'ACTIVE'})
    assert disks.has_pattern(disks.disk_path(cloud, server), 0x7E)


def test_unshelve_into_an_availability_zone(cloud, demo, admin, server, keep_shelved):
    shelve_to(demo, server, 'SHELVED')
    zone = {'unshelve': {'availability_zone': 'nova'}}
    # A zone only means something to an offloaded instance; before 2.77 only null.
    assert demo.action(server, zone).status_code == 409
    assert demo.action(server, zone, version='2.76').status_code == 400
    # 2.91: naming a host is an admin's; before 2.91 there is no such key.
    assert demo.action(server, {'unshelve': {'host': 'compute-1'}}).status_code == 403
    assert admin.action(server, {'unshelve': {'host': 'compute-1'}},
                        version='2.90').status_code == 400
    assert demo.action(server, {'unshelve': {'availability_zone': 5}}).status_code == 400
    admin.accepted(server, {'shelveOffload': None})
    demo.wait_status(server, {'SHELVED_OFFLOADED'})
    demo.wait_idle(server)
    assert demo.action(server, {'unshelve': {'availability_zone': 'nowhere'}}
                       ).status_code == 400
    # Refused requests leave no instance action behind.
    recorded = [a['action'] for a in demo.get(
        f'/compute/v2.1/servers/{server}/os-instance-actions').json()['instanceActions']]
    assert 'unshelve' not in recorded
    demo.accepted(server, zone)
    shown = demo.wait_status(server, {'ACTIVE'})
    assert shown['OS-EXT-AZ:availability_zone'] == 'nova'


def test_each_disallowed_state_is_409(cloud, admin, server):
    for name, allowed in ALLOWED.items():
        refused_in(cloud, admin, server, {name: None}, outside(allowed))
    for vm_state, name in (('active', 'shelve'), ('shelved', 'shelveOffload'),
                           ('shelved_offloaded', 'unshelve')):
        refused_in(cloud, admin, server, {name: None}, [vm_state], task_state='rebooting')
    # Refused before anything was made: no shelved image, nothing recorded as shelved.
    assert shelved_image_id(cloud, server) is None


def test_locked_refuses_the_owner_and_other_projects_get_404(cloud, demo, alt, admin,
                                                            server):
    for name in ALLOWED:
        assert alt.action(server, {name: None}).status_code == 404, name
    demo.accepted(server, {'lock': None})
    for name in ('shelve', 'unshelve'):
        assert 'locked' in refused(demo, server, {name: None})
    # shelveOffload is an admin's (whom no lock stops): the owner is refused by policy.
    assert demo.action(server, {'shelveOffload': None}).status_code == 403
    # An admin may shelve a locked server.
    shelve_to(admin, server, 'SHELVED_OFFLOADED')
    assert 'locked' in refused(demo, server, {'unshelve': None})
    demo.accepted(server, {'unlock': None})
    demo.accepted(server, {'unshelve': None})
    demo.wait_status(server, {'ACTIVE'})


def test_periodic_offload_of_instances_shelved_too_long(cloud, demo, server, keep_shelved):
    shelve_to(demo, server, 'SHELVED')
    host = instances.get(cloud.db, server)['host']
    endpoint = _endpoint(cloud, host)
    # -1: never offloaded, however long it has been.
    _backdate(cloud, server, seconds=7200)
    assert endpoint.offload_expired(CTXT) == []
    cloud.conf.set_override('shelved_offload_time', 3600)
    _backdate(cloud, server, seconds=60)
    assert endpoint.offload_expired(CTXT) == []
    assert demo.server(server)['status'] == 'SHELVED'
    _backdate(cloud, server, seconds=7200)
    assert endpoint.offload_expired(CTXT) == [server]
    assert demo.wait_idle(server)['status'] == 'SHELVED_OFFLOADED'
    assert server not in guests(cloud, host)
    assert allocations.get(cloud.db, server) is None
    assert images.get(cloud.db, shelved_image_id(cloud, server))['status'] == 'active'
    entry = compute_shelve.tasks(cloud.conf, cloud.computes[host].manager, CTXT)
    assert [(interval, name) for interval, name, _ in entry] == [
        (cloud.conf.shelved_poll_interval, 'poll_shelved_instances')]


def test_restart_repairs_an_interrupted_offload_and_unshelve(cloud, demo, server,
                                                             keep_shelved):
    shelve_to(demo, server, 'SHELVED')
    host = instances.get(cloud.db, server)['host']
    repairer = cloud.computes[host].manager.repairer
    # Crashed while offloading: the offload is finished.
    instances.update(cloud.db, server, {'task_state': 'shelving_offloading'})
    repairer.repair(CTXT, _wire(instances.get(cloud.db, server)))
    assert demo.wait_idle(server)['status'] == 'SHELVED_OFFLOADED'
    assert server not in guests(cloud, host)
    assert allocations.get(cloud.db, server) is None
    # Crashed while spawning on the host the conductor chose: offloaded again, with a fault.
    instances.update(cloud.db, server, {'task_state': 'unshelving', 'host': host})
    repairer.repair(CTXT, _wire(instances.get(cloud.db, server)))
    row = instances.get(cloud.db, server)
    assert (row['vm_state'], row['task_state'], row['host']) == (
        'shelved_offloaded', None, None)
    assert 'interrupted' in latest_fault(cloud, server)['message']
    demo.accepted(server, {'unshelve': None})
    demo.wait_status(server, {'ACTIVE'})


def _backdate(cloud, server_id, seconds):
    row = instances.get(cloud.db, server_id)
    when = timeutils.utcnow() - datetime.timedelta(seconds=seconds)
    instances.update(cloud.db, server_id, {'system_metadata': dict(
        row['system_metadata'], shelved_at=when.isoformat())})


def _endpoint(cloud, host):
    manager = cloud.computes[host].manager
    return next(e for e in manager.endpoints if isinstance(e, compute_shelve.ShelveEndpoint))


def _wire(row):
    """The instance as it arrives over RPC (datetimes as ISO strings)."""
    return {k: (v.isoformat() if isinstance(v, datetime.datetime) else v)
            for k, v in dict(row).items()}


class _Quiet:
    def instance(self, *args, **kwargs):
        pass


def test_conductor_ends_an_unshelve_whose_message_was_lost(cloud, demo, server):
    import sqlalchemy as sa
    from conductor import shelve as conductor_shelve
    from db import models
    shelve_to(demo, server, 'SHELVED_OFFLOADED')
    endpoint = conductor_shelve.ShelveEndpoint(cloud.conf, cloud.db, None, None, _Quiet(),
                                               None)
    table = models.Instance.__table__
    for age, ended in ((30, False), (7200, True)):
        when = timeutils.utcnow() - datetime.timedelta(seconds=age)
        with cloud.db.write() as conn:
            conn.execute(sa.update(table).where(table.c.uuid == server).values(
                task_state='unshelving', updated_at=when))
        endpoint.repair_stuck(CTXT, 600)
        row = instances.get(cloud.db, server)
        assert (row['task_state'] is None) is ended, age
    assert row['vm_state'] == 'shelved_offloaded'
    assert 'lost message' in latest_fault(cloud, server)['message']
    demo.accepted(server, {'unshelve': None})
    demo.wait_status(server, {'ACTIVE'})


def test_unshelve_to_a_named_host(cloud, demo, admin, server, keep_shelved):
    shelve_to(demo, server, 'SHELVED')
    to_host = {'unshelve': {'host': 'compute-1'}}
    assert admin.action(server, to_host).status_code == 409  # only when offloaded
    admin.accepted(server, {'shelveOffload': None})
    demo.wait_status(server, {'SHELVED_OFFLOADED'})
    demo.wait_idle(server)
    assert admin.action(server, {'unshelve': {'host': 'no-such-host'}}).status_code == 400
    for host in ('compute-2', 'compute-1'):
        admin.accepted(server, {'unshelve': {'host': host}})
        demo.wait_status(server, {'ACTIVE'})
        assert admin.server(server)['OS-EXT-SRV-ATTR:host'] == host
        assert 'requested_host' not in (request_specs.get(cloud.db, server) or {})
        if host == 'compute-2':
            demo.wait_idle(server)
            shelve_to(demo, server, 'SHELVED')
            admin.accepted(server, {'shelveOffload': None})
            demo.wait_status(server, {'SHELVED_OFFLOADED'})
            demo.wait_idle(server)
