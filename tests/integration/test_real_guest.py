"""Real QEMU guests end to end: every service as its own process, two compute hosts each
with its own libvirtd, and the tiny guest built from Debian packages. What the guest
prints on its serial console (read back through os-getConsoleOutput) is the evidence."""
import os
import re
import time
import xml.etree.ElementTree as ET

import libvirt
import pytest
import websocket

from image import tiny
from tests import realvirt
from tests import rfb
from tests.integration import conftest

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(realvirt.missing() is not None,
                                 reason=realvirt.missing() or '')]

SERVERS = '/compute/v2.1/servers'
BOOT = 120  # seconds: a TCG boot takes 4-8 s alone, more on a loaded 2-core CI machine


@pytest.fixture(scope='module')
def hosts(tmp_path_factory):
    guest = realvirt.tiny_files()
    hosts = realvirt.Hosts(tmp_path_factory.mktemp('libvirt'), 2, realvirt.virt_type(guest))
    hosts.start()
    yield hosts
    hosts.stop()


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, vhost_url, hosts, module_memcached):
    dep = realvirt.deployment(tmp_path_factory.mktemp('realguest'), vhost_url, hosts,
                              memcache_servers=module_memcached.server,
                              novncproxy_port=conftest.free_port())
    try:
        realvirt.seed(dep)
        dep.start()
        yield dep
    finally:
        dep.stop()


def console(client, server_id):
    resp = client.action(server_id, {'os-getConsoleOutput': {}})
    assert resp.status_code == 200, resp.text
    return resp.json()['output']


def wait_console(client, server_id, predicate, what, timeout=BOOT):
    return realvirt.wait_for(lambda: predicate(console(client, server_id)), timeout,
                             interval=0.5, what=what)


def boots(text):
    return text.count(tiny.BOOT_WORD)


def alive(text):
    """The last alive counter the guest printed (-1 before the first)."""
    found = re.findall(re.escape(tiny.ALIVE_WORD) + r' (\d+)', text)
    return int(found[-1]) if found else -1


def power_offs(text):
    return text.count('power button: off')


def instance_dir(cloud, server):
    return os.path.join(cloud.root, 'instances', server['OS-EXT-SRV-ATTR:host'], server['id'])


def assert_gone(cloud, hosts, server):
    """No QEMU process, no domain on any host, no instance directory."""
    realvirt.wait_for(lambda: not realvirt.qemu_pids(server['id']), 30, what='qemu to exit')
    for n in (1, 2):
        assert not [d for d in realvirt.domains(hosts.uri(n)) if server['id'] in d]
    assert not os.path.exists(instance_dir(cloud, server))


def boot(client, name, image_id):
    resp = client.create_server(name, image_id)
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    client.wait_status(server_id, ('ACTIVE',), timeout=BOOT)
    return server_id


@pytest.fixture(scope='module')
def guest(cloud, admin):
    server_id = boot(admin, 'real', cloud.image_id)
    wait_console(admin, server_id, lambda t: alive(t) >= 0, 'the first alive line')
    return admin.server(server_id)


def act_and_wait(admin, server_id, body, status, timeout=BOOT):
    admin.act(server_id, body)
    admin.wait_idle(server_id, timeout=timeout)
    assert admin.server(server_id)['status'] == status
    return console(admin, server_id)


def test_the_two_hosts_are_two_hypervisors(hosts):
    uuids = set()
    for n in (1, 2):
        conn = libvirt.open(hosts.uri(n))
        try:
            uuids.add(ET.fromstring(conn.getCapabilities()).findtext('./host/uuid'))
            assert conn.getType() == 'QEMU'
        finally:
            conn.close()
    assert len(uuids) == 2 and None not in uuids


def test_boot_shows_the_guests_own_output(admin, guest):
    text = console(admin, guest['id'])
    # The SMBIOS UUID the guest reads is the instance's: this is its own output.
    assert f'{tiny.BOOT_WORD} uuid={guest["id"]}' in text
    assert f'{tiny.DISK_WORD} none' in text
    assert guest['OS-EXT-SRV-ATTR:host'] in ('compute-1', 'compute-2')
    assert len(realvirt.qemu_pids(guest['id'])) == 1


def test_pause_stops_the_guest_and_unpause_resumes_it(admin, guest):
    text = act_and_wait(admin, guest['id'], {'pause': None}, 'PAUSED')
    frozen = alive(text)
    time.sleep(5)  # two alive periods: a running guest would have printed
    assert alive(console(admin, guest['id'])) == frozen
    act_and_wait(admin, guest['id'], {'unpause': None}, 'ACTIVE')
    wait_console(admin, guest['id'], lambda t: alive(t) > frozen, 'output after unpause')


def test_suspend_saves_memory_and_resume_restores_it(admin, guest):
    text = act_and_wait(admin, guest['id'], {'suspend': None}, 'SUSPENDED')
    before_boots, before_alive = boots(text), alive(text)
    assert not realvirt.qemu_pids(guest['id']), 'a suspended guest has no QEMU process'
    act_and_wait(admin, guest['id'], {'resume': None}, 'ACTIVE')
    text = wait_console(admin, guest['id'], lambda t: alive(t) > before_alive and t,
                        'output after resume')
    # Restored from the saved memory: the counter goes on and the guest did not boot again.
    assert boots(text) == before_boots


def test_soft_reboot_goes_through_the_guests_acpi_handler(admin, guest):
    text = console(admin, guest['id'])
    before_boots, before_offs = boots(text), power_offs(text)
    act_and_wait(admin, guest['id'], {'reboot': {'type': 'SOFT'}}, 'ACTIVE')
    text = wait_console(admin, guest['id'], lambda t: boots(t) > before_boots and t,
                        'a new boot after the soft reboot')
    assert power_offs(text) == before_offs + 1, 'soft reboot did not ask the guest (ACPI)'


def test_stop_is_a_clean_shutdown_and_start_boots_again(admin, guest):
    text = console(admin, guest['id'])
    before_boots, before_offs = boots(text), power_offs(text)
    text = act_and_wait(admin, guest['id'], {'os-stop': None}, 'SHUTOFF')
    assert power_offs(text) == before_offs + 1
    assert not realvirt.qemu_pids(guest['id'])
    act_and_wait(admin, guest['id'], {'os-start': None}, 'ACTIVE')
    wait_console(admin, guest['id'], lambda t: boots(t) == before_boots + 1,
                 'a new boot after start')


def test_hard_reboot_resets_without_asking_the_guest(admin, guest):
    text = console(admin, guest['id'])
    before_boots, before_offs = boots(text), power_offs(text)
    act_and_wait(admin, guest['id'], {'reboot': {'type': 'HARD'}}, 'ACTIVE')
    text = wait_console(admin, guest['id'], lambda t: boots(t) > before_boots and t,
                        'a new boot after the hard reboot')
    assert power_offs(text) == before_offs


def console_url(client, server_id):
    resp = client.post(f'{SERVERS}/{server_id}/remote-consoles',
                       json={'remote_console': {'protocol': 'vnc', 'type': 'novnc'}})
    assert resp.status_code == 200, resp.text
    return resp.json()['remote_console']['url']


def open_console(cloud, url):
    """The websocket through the proxy, after checking QEMU's RFB banner came back."""
    ws, banner = rfb.open_console(rfb.ws_url_of(url), origin=cloud.novncproxy_url)
    # QEMU's own VNC server answers: nothing else listens on that port.
    assert banner == rfb.BANNER
    return ws


def test_vnc_console_reaches_the_guests_own_vnc_server(cloud, admin, guest):
    open_console(cloud, console_url(admin, guest['id'])).close()


def test_snapshot_boots_a_new_server_with_the_same_disk(cloud, admin, hosts, guest):
    resp = admin.action(guest['id'], {'createImage': {'name': 'real-snap'}}, version='2.45')
    assert resp.status_code == 202, resp.text
    image_id = resp.json()['image_id']
    realvirt.wait_for(
        lambda: admin.get(f'/image/v2/images/{image_id}').json().get('status') == 'active',
        BOOT, what='the snapshot image')
    admin.wait_idle(guest['id'])
    clone_id = boot(admin, 'from-snap', image_id)
    # The clone's disk holds the marker the first guest wrote to its own disk.
    wait_console(admin, clone_id,
                 lambda t: f'{tiny.DISK_WORD} STRATUS-MARKER uuid={guest["id"]}' in t,
                 "the first guest's disk marker in the clone")
    clone = admin.server(clone_id)
    assert admin.delete(f'{SERVERS}/{clone_id}').status_code == 204
    admin.wait_status(clone_id, {'DELETED'}, timeout=60)
    assert_gone(cloud, hosts, clone)


def migrations_of(admin, server_id):
    resp = admin.get('/compute/v2.1/os-migrations',
                     headers={'OpenStack-API-Version': 'compute 2.80'})
    assert resp.status_code == 200, resp.text
    return [m for m in resp.json()['migrations'] if m['instance_uuid'] == server_id]


def wait_migration(admin, server_id, statuses, timeout=BOOT):
    def ended():
        found = migrations_of(admin, server_id)
        newest = max(found, key=lambda m: m['id']) if found else None
        return newest and newest['status'] in statuses and newest
    return realvirt.wait_for(ended, timeout, interval=0.1, what=f'a migration in {statuses}')


def host_number(host):
    return int(host.rsplit('-', 1)[1])


def live_migrate(admin, server_id, host):
    admin.act(server_id, {'os-migrateLive': {'host': host, 'block_migration': 'auto'}},
              version='2.30')


def test_live_migration_moves_the_running_guest(cloud, admin, hosts, guest):
    server = admin.server(guest['id'])
    source = server['OS-EXT-SRV-ATTR:host']
    dest = 'compute-2' if source == 'compute-1' else 'compute-1'
    text = console(admin, guest['id'])
    before_boots, before_alive = boots(text), alive(text)
    old_console = console_url(admin, guest['id'])
    live_migrate(admin, guest['id'], dest)
    migration = wait_migration(admin, guest['id'], ('completed', 'failed', 'error'))
    assert migration['status'] == 'completed', migration
    # The console token minted on the source is gone; a new one reaches the destination.
    with pytest.raises(websocket.WebSocketBadStatusException):
        open_console(cloud, old_console)
    open_console(cloud, console_url(admin, guest['id'])).close()
    assert (migration['source_compute'], migration['dest_compute']) == (source, dest)
    server = admin.wait_idle(guest['id'])
    assert server['OS-EXT-SRV-ATTR:host'] == dest and server['status'] == 'ACTIVE'
    # The same guest goes on printing on the destination: its alive counter carries on from
    # where it was, and the destination's log (a new file) shows no boot.
    text = wait_console(admin, guest['id'], lambda t: alive(t) > before_alive and t,
                        'output on the destination')
    assert before_boots >= 1 and boots(text) == 0, text
    dest_log = os.path.join(instance_dir(cloud, server), 'console.log')
    realvirt.wait_for(lambda: tiny.ALIVE_WORD in open(dest_log).read(), 30,
                      what="the guest's output in the destination's console log")
    assert not [d for d in realvirt.domains(hosts.uri(host_number(source)))
                if guest['id'] in d], 'the source still has the domain'
    assert [d for d in realvirt.domains(hosts.uri(host_number(dest))) if guest['id'] in d]
    assert not os.path.exists(os.path.join(cloud.root, 'instances', source, guest['id']))
    assert len(realvirt.qemu_pids(guest['id'])) == 1


def test_live_migration_to_a_stopped_destination_fails_and_the_guest_stays(
        cloud, admin, hosts, guest):
    server = admin.server(guest['id'])
    source = server['OS-EXT-SRV-ATTR:host']
    dest = 'compute-2' if source == 'compute-1' else 'compute-1'
    source_pids = set(realvirt.qemu_pids(guest['id']))
    live_migrate(admin, guest['id'], dest)
    try:
        # The destination host stops while the guest is on its way: its libvirtd and the
        # QEMU waiting for the incoming guest both go.
        wait_migration(admin, guest['id'], ('running', 'completed', 'failed', 'error'))
        hosts.kill(host_number(dest))
        for pid in set(realvirt.qemu_pids(guest['id'])) - source_pids:
            os.kill(pid, 9)
        migration = wait_migration(admin, guest['id'], ('completed', 'failed', 'error'))
    finally:
        hosts.start_one(host_number(dest))
    assert migration['status'] == 'failed', migration
    server = admin.wait_idle(guest['id'])
    assert server['OS-EXT-SRV-ATTR:host'] == source and server['status'] == 'ACTIVE'
    assert set(realvirt.qemu_pids(guest['id'])) == source_pids
    before = alive(console(admin, guest['id']))
    wait_console(admin, guest['id'], lambda t: alive(t) > before, 'output on the source')


def _on(hosts, host, server_id):
    return [d for d in realvirt.domains(hosts.uri(host_number(host))) if server_id in d]


@pytest.mark.parametrize('move, ending', [({'resize': {'flavorRef': '84'}}, 'confirmResize'),
                                          ({'migrate': None}, 'revertResize')])
def test_resize_and_migrate_boot_the_same_disk_on_the_other_host(cloud, admin, hosts, guest,
                                                                 move, ending):
    """Resize-confirm, then migrate-revert: each time the guest boots afresh on the other
    host and prints the marker it wrote to its disk before; whichever side the ending
    gives up keeps no domain and no file."""
    server_id = guest['id']
    marker = f'{tiny.DISK_WORD} STRATUS-MARKER uuid={server_id}'
    source = admin.server(server_id)['OS-EXT-SRV-ATTR:host']
    admin.act(server_id, move)
    moved = admin.wait_status(server_id, {'VERIFY_RESIZE', 'ERROR'}, timeout=BOOT)
    assert moved['status'] == 'VERIFY_RESIZE', moved
    dest = moved['OS-EXT-SRV-ATTR:host']
    assert dest != source
    wait_console(admin, server_id, lambda t: boots(t) >= 1 and marker in t,
                 'a fresh boot on the destination that finds the disk marker')
    admin.act(server_id, {ending: None}, expect=204 if ending == 'confirmResize' else 202)
    server = admin.wait_status(server_id, {'ACTIVE', 'ERROR'}, timeout=BOOT)
    assert server['status'] == 'ACTIVE', server
    gone = source if ending == 'confirmResize' else dest
    assert server['OS-EXT-SRV-ATTR:host'] == (dest if gone == source else source)
    realvirt.wait_for(lambda: not _on(hosts, gone, server_id), 30,
                      what=f'the domain to leave {gone}')
    for leftover in (server_id, server_id + '_resize', server_id + '_inbox'):
        assert not os.path.exists(os.path.join(cloud.root, 'instances', gone, leftover))
    assert len(realvirt.qemu_pids(server_id)) == 1
    before = alive(console(admin, server_id))
    wait_console(admin, server_id, lambda t: marker in t and alive(t) > before,
                 'the guest at work, with its disk, where it stays')


def test_delete_leaves_no_process_domain_or_file(cloud, admin, hosts, guest):
    server = admin.server(guest['id'])
    assert admin.delete(f'{SERVERS}/{guest["id"]}').status_code == 204
    admin.wait_status(guest['id'], {'DELETED'}, timeout=60)
    assert_gone(cloud, hosts, server)
