"""The unmodified `openstack` CLI: server image create --wait, server backup create, image list."""
import json

import pytest


@pytest.fixture
def server(demo, image_id):
    server_id = demo.boot('cli-snap-src', image_id)
    yield server_id
    demo.delete_all([server_id])


def _image_names(openstack):
    return {i['Name']: i['Status'] for i in json.loads(openstack('image', 'list', '-f', 'json'))}


def test_image_create_and_backups_with_rotation(openstack, demo, server):
    snap = json.loads(openstack('server', 'image', 'create', '--name', 'cli-snap', '--wait',
                                server, '-f', 'json'))
    assert snap['name'] == 'cli-snap' and snap['status'] == 'active'
    demo.wait_idle(server)
    openstack('server', 'backup', 'create', '--name', 'cli-bk-1', '--type', 'daily',
              '--rotate', '1', server, '-f', 'json')
    demo.wait_idle(server)
    second = json.loads(openstack('server', 'backup', 'create', '--name', 'cli-bk-2', '--type',
                                  'daily', '--rotate', '1', server, '-f', 'json'))
    assert second['name'] == 'cli-bk-2'
    demo.wait_idle(server)
    names = _image_names(openstack)
    assert names['cli-snap'] == 'active' and names['cli-bk-2'] == 'active'
    assert 'cli-bk-1' not in names  # rotated away
    for image_id in (snap['id'], second['id']):
        assert demo.delete(f'/image/v2/images/{image_id}').status_code == 204
