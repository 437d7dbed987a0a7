"""The unmodified `openstack` CLI against the gateway: the boot flow as an operator types it."""
import json


def test_server_create_list_show_events_delete(openstack):
    created = json.loads(openstack('server', 'create', '--flavor', 'm1.nano', '--image',
                                   'stratus-tiny', '--nic', 'none', '--wait', 'cli-vm',
                                   '-f', 'json'))
    assert created['status'] == 'ACTIVE'
    listed = json.loads(openstack('server', 'list', '-f', 'json'))
    assert [s['Name'] for s in listed if s['ID'] == created['id']] == ['cli-vm']
    shown = json.loads(openstack('server', 'show', 'cli-vm', '-f', 'json'))
    assert shown['status'] == 'ACTIVE' and shown['flavor']['name'] == 'm1.nano'
    events = json.loads(openstack('server', 'event', 'list', 'cli-vm', '-f', 'json'))
    assert [e['Action'] for e in events] == ['create']
    openstack('server', 'delete', '--wait', 'cli-vm')
    assert created['id'] not in openstack('server', 'list', '-f', 'value', '-c', 'ID')
