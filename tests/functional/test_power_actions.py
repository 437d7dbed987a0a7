"""Power actions through the API: stop/start, with the disk's bytes surviving."""
import pytest

from tests.functional import disks


@pytest.fixture
def server(demo, image_id):
    server_id = demo.create_server('power', image_id).json()['server']['id']
    demo.wait_status(server_id, {'ACTIVE'})
    yield server_id
    demo.delete_all([server_id])


def test_stop_then_start_keeps_the_disk(cloud, demo, server):
    path = disks.disk_path(cloud, server)
    disks.write_pattern(path, 0xA5)
    assert demo.action(server, {'os-stop': None}).status_code == 202
    stopped = demo.wait_status(server, {'SHUTOFF'})
    assert stopped['OS-EXT-STS:power_state'] == 4
    assert demo.action(server, {'os-stop': None}).status_code == 409
    assert demo.action(server, {'os-start': None}).status_code == 202
    started = demo.wait_status(server, {'ACTIVE'})
    assert started['OS-EXT-STS:task_state'] is None
    assert started['OS-EXT-STS:power_state'] == 1
    assert disks.has_pattern(disks.disk_path(cloud, server), 0xA5)
    events = demo.get(f'/compute/v2.1/servers/{server}/os-instance-actions').json()
    assert [a['action'] for a in events['instanceActions']][:2] == ['start', 'stop']
