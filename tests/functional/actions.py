"""Helpers the server-action tests share that reach into the cloud: its hosts, its
database and its image store (states forced on a row, test images), plus running
one action end to end and checking its instance action and notifications."""
import os

from db import images as images_db
from db import instances
from image import importer
from image import qemu_img
from image import store as store_mod
from tests.functional import disks

# Every vm_state an action may be asked to start from, written out apart from
# compute/states.py so the tests catch a wrong row there.
VM_STATES = ('building', 'active', 'stopped', 'paused', 'suspended', 'resized',
             'rescued', 'shelved', 'shelved_offloaded', 'soft_deleted', 'error')
# createImage and createBackup start from these only (Nova's); every other one is refused.
SNAPSHOTTABLE = ('active', 'stopped', 'paused', 'suspended')


def outside(allowed):
    """The vm_states not in ``allowed``."""
    return [vm_state for vm_state in VM_STATES if vm_state not in allowed]


def manager_of(cloud, server_id):
    """The compute manager of the host the database puts the server on."""
    return cloud.computes[instances.get(cloud.db, server_id)['host']].manager


def driver_of(cloud, server_id):
    return manager_of(cloud, server_id).driver


# -- test images ------------------------------------------------------------------
def make_image(cloud, tmp_dir, name, byte=None, owner=None, **properties):
    """An active qcow2 image whose guest-visible bytes carry ``byte`` at the pattern offset."""
    path = os.path.join(str(tmp_dir), f'{name}.qcow2')
    qemu_img.create_blank(path, 16 * 2 ** 20)
    if byte is not None:
        disks.write_pattern(path, byte)
    return importer.import_file(cloud.db, store_mod.LocalStore.from_conf(cloud.conf), path,
                                name, visibility='private' if owner else 'public',
                                owner=owner, properties=properties)


def drop_image(cloud, image):
    images_db.delete(cloud.db, image['id'])
    store_mod.LocalStore.from_conf(cloud.conf).delete(image['id'])


# -- refusals -----------------------------------------------------------------------
def refused(client, server_id, body):
    """POST the action, expect 409; the conflictingRequest message."""
    resp = client.action(server_id, body)
    assert resp.status_code == 409, (body, resp.status_code, resp.text)
    fault = resp.json()['conflictingRequest']
    assert fault['code'] == 409, fault
    return fault['message']


def refused_in(cloud, client, server_id, body, vm_states, task_state=None):
    """Force each of ``vm_states`` (with ``task_state``) on the row in turn: ``body`` gets
    a 409 naming that state (the task_state when one is given). The row's own
    vm_state and task_state are put back afterwards."""
    before = instances.get(cloud.db, server_id)
    try:
        for vm_state in vm_states:
            instances.update(cloud.db, server_id, {'vm_state': vm_state,
                                                   'task_state': task_state})
            named = f'task_state {task_state}' if task_state else f'vm_state {vm_state}'
            assert named in refused(client, server_id, body), (body, named)
    finally:
        instances.update(cloud.db, server_id, {'vm_state': before['vm_state'],
                                               'task_state': before['task_state']})


def refused_elsewhere(cloud, client, server_id, body, allowed):
    """``body`` answers 409 in every vm_state outside ``allowed``, and in an allowed one
    while another task runs; the state is put back afterwards."""
    refused_in(cloud, client, server_id, body, outside(allowed))
    refused_in(cloud, client, server_id, body, allowed, task_state='rebooting')


def refused_to_others_and_when_locked(client, alt, server_id, body):
    """Another project gets 404; the owner gets 409 while the server is locked."""
    assert alt.action(server_id, body).status_code == 404
    client.accepted(server_id, {'lock': None})
    try:
        assert 'locked' in refused(client, server_id, body)
    finally:
        client.accepted(server_id, {'unlock': None})


# -- one action end to end ----------------------------------------------------------
def events_succeeded(client, server_id, req_id, action, names, timeout=30):
    """Wait until the instance action of ``req_id`` has every event of ``names``, all
    Success, and is the action ``action``."""
    found, events = client.action_events(server_id, req_id, names, timeout)
    assert found == action
    assert {name: events.get(name) for name in names} == dict.fromkeys(names, 'Success')


def run_action(client, server_id, body, action, method, status, collector=None, notify=None):
    """Carry out one action to ``status`` and check its record and notifications."""
    def _kinds():
        return [e[0] for e in collector.events[server_id][seen:]]

    seen = len(collector.events[server_id]) if collector is not None else 0
    req_id = client.accepted(server_id, body)
    shown = client.wait_status(server_id, {status})
    events_succeeded(client, server_id, req_id, action, [f'api_{action}', f'compute_{method}'])
    if collector is not None:
        with collector.cond:
            collector.cond.wait_for(lambda: f'instance.{notify}.end' in _kinds(), 30)
        # This action's own pair, in order, after what earlier actions sent.
        assert [k for k in _kinds() if k.startswith(f'instance.{notify}.')][:2] == [
            f'instance.{notify}.start', f'instance.{notify}.end']
    assert client.wait_idle(server_id)['status'] == status
    return shown
