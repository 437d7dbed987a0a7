"""The libvirt driver's live migration parts that need no second libvirtd: the destination
XML, the migration parameters and timeout, the monitor that aborts (with an injected
domain), and the checks and preparation on libvirt's test driver."""
import os
import threading
import xml.etree.ElementTree as ET

import libvirt
import pytest

from common import exception
from compute import resource_tracker
from compute.virt.libvirt import config
from compute.virt.libvirt import driver as libvirt_driver
from compute.virt.libvirt import migration

SRC = '/var/lib/stratus/h1/instances/6f1c0000-0000-4000-8000-000000000001'
DEST = '/srv/h2/instances/6f1c0000-0000-4000-8000-000000000001'


def _xml(vnc_port=None):
    guest = config.GuestConfig(
        uuid='6f1c0000-0000-4000-8000-000000000001', memory_mb=128, vcpus=1,
        disk_path=f'{SRC}/disk', console_log=f'{SRC}/console.log', display_name='vm',
        kernel='/var/lib/stratus/images/kernel', vnc_port=vnc_port)
    root = guest.to_element()
    # What libvirt shows for a running guest whose port it chose.
    if vnc_port is None:
        root.find('./devices/graphics').set('port', '5901')
    extra = ET.SubElement(root.find('./devices'), 'disk', type='file', device='cdrom')
    ET.SubElement(extra, 'source', file=SRC + '-other/config.iso')
    ET.SubElement(extra, 'target', dev='hdc', bus='ide')
    return ET.tostring(root, encoding='unicode')


# -- the destination's XML ---------------------------------------------------------
def test_destination_xml_moves_the_instance_directory_only():
    out = migration.destination_xml(_xml(), SRC, DEST)
    assert config.disk_paths(out) == [f'{DEST}/disk', SRC + '-other/config.iso']
    assert config.console_log_path(out) == f'{DEST}/console.log'
    assert ET.fromstring(out).find("./devices/console/source").get('path') == \
        f'{DEST}/console.log'
    assert ET.fromstring(out).findtext('./os/kernel') == '/var/lib/stratus/images/kernel'
    assert SRC + '/' not in out


def test_destination_xml_leaves_automatic_vnc_ports_to_the_destination():
    auto = ET.fromstring(migration.destination_xml(_xml(), SRC, DEST)).find(
        './devices/graphics')
    assert auto.get('autoport') == 'yes' and auto.get('port') is None
    fixed = ET.fromstring(migration.destination_xml(_xml(vnc_port=5905), SRC, DEST)).find(
        './devices/graphics')
    assert (fixed.get('autoport'), fixed.get('port')) == ('no', '5905')


def test_destination_xml_keeps_the_metadata_namespace_prefix():
    out = migration.destination_xml(_xml(), SRC, DEST)
    assert '<stratus:instance' in out and 'ns0:' not in out
    assert ET.fromstring(out).findtext('./metadata/stratus:instance/stratus:name',
                                       namespaces={'stratus': config.METADATA_NS}) == 'vm'


def test_only_disks_in_the_instance_directory_are_copied():
    assert migration.local_disk_targets(_xml(), SRC) == ['vda']
    block = migration.migration_params(_xml(), SRC, DEST, '192.0.2.7', True)
    assert block[libvirt.VIR_MIGRATE_PARAM_URI] == 'tcp://192.0.2.7'
    assert block[libvirt.VIR_MIGRATE_PARAM_MIGRATE_DISKS] == ['vda']
    assert f'{DEST}/disk' in block[libvirt.VIR_MIGRATE_PARAM_DEST_XML]
    shared = migration.migration_params(_xml(), SRC, SRC, '192.0.2.7', False)
    assert libvirt.VIR_MIGRATE_PARAM_MIGRATE_DISKS not in shared


def test_flags_copy_the_disk_only_for_a_block_migration():
    base = (libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER |
            libvirt.VIR_MIGRATE_PERSIST_DEST | libvirt.VIR_MIGRATE_UNDEFINE_SOURCE)
    assert migration.migration_flags(False) == base
    assert migration.migration_flags(True) == base | libvirt.VIR_MIGRATE_NON_SHARED_INC


@pytest.mark.parametrize('memory_mb, root_gb, block, per_gib, expected', [
    (128, 1, False, 800, 1600),          # at least 2 GiB of RAM
    (4096, 10, False, 800, 3200),        # the disk stays: RAM only
    (4096, 10, True, 800, 11200),        # RAM and the copied disk
    (4096, 10, True, 0, 0),              # 0: no limit
])
def test_completion_timeout_is_per_gib_moved(memory_mb, root_gb, block, per_gib, expected):
    instance = {'memory_mb': memory_mb, 'root_gb': root_gb}
    assert migration.completion_timeout(instance, block, per_gib) == expected


# -- the monitor, with an injected domain -------------------------------------------
class SlowDomain:
    """A domain whose migration runs until it is aborted (or ``finish`` is set)."""

    def __init__(self, abort_error=None):
        self.finish = threading.Event()
        self.aborts = 0
        self.abort_error = abort_error
        self.stats_calls = 0

    def migrate(self):
        if not self.finish.wait(10):
            raise AssertionError('never aborted')
        if self.aborts:
            raise libvirt.libvirtError('operation aborted: migration out job: canceled')

    def abortJob(self):
        self.aborts += 1
        if self.abort_error:
            self.abort_error, error = None, self.abort_error
            raise error
        self.finish.set()

    def jobStats(self):
        self.stats_calls += 1
        if self.stats_calls == 1:
            raise libvirt.libvirtError('no job')
        return {'data_processed': 3 * migration.MiB, 'data_remaining': migration.MiB}


class Clock:
    """Each look at the clock is one second later."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 1.0
        return self.now


def test_monitor_returns_when_the_migration_completes():
    dom = SlowDomain()
    dom.finish.set()
    migration.MigrationMonitor(dom, 100, poll_interval=0.001, clock=Clock()).run(dom.migrate)
    assert dom.aborts == 0


def test_monitor_aborts_once_after_the_timeout_and_says_so():
    dom = SlowDomain()
    monitor = migration.MigrationMonitor(dom, 5, poll_interval=0.001, clock=Clock(),
                                         what='live migration of x')
    with pytest.raises(exception.VirtError) as caught:
        monitor.run(dom.migrate)
    assert dom.aborts == 1 and monitor.aborted_after > 5
    assert 'live migration of x did not complete within 5 s' in str(caught.value)
    assert 'live_migration_completion_timeout' in str(caught.value)


def test_monitor_tries_again_when_an_abort_fails():
    dom = SlowDomain(abort_error=libvirt.libvirtError('job is not active yet'))
    with pytest.raises(exception.VirtError, match='did not complete within 3 s'):
        migration.MigrationMonitor(dom, 3, poll_interval=0.001, clock=Clock()).run(
            dom.migrate)
    assert dom.aborts == 2


def test_monitor_reports_a_failure_that_was_not_an_abort():
    def refused():
        raise libvirt.libvirtError('argument unsupported: direct migration is not supported')

    with pytest.raises(exception.VirtError, match='failed: argument unsupported'):
        migration.MigrationMonitor(SlowDomain(), 0, poll_interval=0.001).run(refused)


def test_monitor_without_timeout_never_aborts():
    dom = SlowDomain()
    timer = threading.Timer(0.05, dom.finish.set)
    timer.start()
    migration.MigrationMonitor(dom, 0, poll_interval=0.001, clock=Clock()).run(dom.migrate)
    assert dom.aborts == 0


# -- on libvirt's test driver ------------------------------------------------------
class Migratable(libvirt_driver.LibvirtDriver):
    """The test driver with the capability switched on, to reach the checks behind it
    (and free memory, which the test driver reports as none)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.capabilities = {'live_migration': True}

    def _free_memory_mb(self):
        return 4096


def _driver(make_conf, state, host, cls=Migratable, **libvirt_opts):
    drv = cls(make_conf(state, **libvirt_opts), host)
    drv.init_host(host)
    return drv


def test_the_test_driver_cannot_live_migrate_and_says_why(drv, instance):
    assert drv.capabilities == {'live_migration': False}
    with pytest.raises(exception.NotSupported, match='libvirt test:/// driver'):
        drv.check_can_live_migrate_destination(instance, 'auto')
    caps = resource_tracker.ResourceTracker(None, 'host1', drv, None).capabilities()
    assert caps == {'live_migration': False, 'live_migration_refusal': migration.TEST_REFUSAL}


@pytest.mark.parametrize('same_storage', [False, True])
def test_the_destination_probe_tells_shared_storage(make_conf, tmp_path, instance, image,
                                                    base_image, same_storage):
    source = _driver(make_conf, 'src', 'h1')
    dest = _driver(make_conf, 'src' if same_storage else 'dst', 'h2')
    source.spawn(instance, image, base_image)
    data = dest.check_can_live_migrate_destination(instance, 'auto')
    assert os.path.exists(os.path.join(dest.instances_path, data['probe']))
    decided = source.check_can_live_migrate_source(instance, data)
    assert (decided['is_shared_instance_path'], decided['block_migration']) == (
        same_storage, not same_storage)
    with pytest.raises(exception.Invalid, match='share their instance storage'):
        source.check_can_live_migrate_source(
            instance, dict(data, block_migration=same_storage))
    dest.cleanup_live_migration_destination_check(data)
    assert not os.path.exists(os.path.join(dest.instances_path, data['probe']))
    with pytest.raises(exception.Invalid, match='has 4096 MB of free memory'):
        dest.check_can_live_migrate_destination(dict(instance, memory_mb=8192), 'auto')


def test_a_probe_name_from_the_wire_cannot_point_elsewhere(make_conf, tmp_path):
    dest = _driver(make_conf, 'dst', 'h2')
    victim = tmp_path / 'keep'
    victim.write_text('x')
    dest.cleanup_live_migration_destination_check({'probe': str(victim)})
    dest.cleanup_live_migration_destination_check({'probe': '../keep'})
    assert victim.exists()


def test_pre_live_migration_prepares_an_empty_disk_and_rollback_removes_it(
        make_conf, instance, image, base_image):
    source = _driver(make_conf, 'src', 'h1')
    dest = _driver(make_conf, 'dst', 'h2', live_migration_uri='qemu+tcp://h2/system',
                   live_migration_inbound_addr='192.0.2.2')
    source.spawn(instance, image, base_image)
    answer = dest.pre_live_migration(instance, image, base_image,
                                     {'is_shared_instance_path': False})
    assert answer == {'dest_instances_path': dest.instances_path,
                      'dest_uri': 'qemu+tcp://h2/system', 'inbound_addr': '192.0.2.2'}
    made = os.path.join(dest.instances_path, instance['uuid'], 'disk')
    src_disk = source.instance_disk_path(instance)
    from image import qemu_img
    assert qemu_img.info(made)['virtual-size'] == qemu_img.info(src_disk)['virtual-size']
    dest.rollback_live_migration_at_destination(instance, {'is_shared_instance_path': False})
    assert not os.path.exists(os.path.dirname(made))
    assert os.path.exists(src_disk)


def test_live_migration_on_the_test_driver_fails_cleanly(make_conf, instance, image,
                                                          base_image):
    """libvirt's test driver refuses migrateToURI3: the monitor reports it and the
    guest is still where it was."""
    source = _driver(make_conf, 'src', 'h1')
    source.spawn(instance, image, base_image)
    data = {'block_migration': True, 'dest_instances_path': '/srv/h2/instances',
            'dest_uri': 'test:///default', 'inbound_addr': '127.0.0.1', 'dest_host': 'h2'}
    with pytest.raises(exception.VirtError, match='live migration of .* failed'):
        source.live_migration(instance, data)
    assert source.instance_exists(instance)


def test_source_cleanup_keeps_shared_files_and_a_running_domain(make_conf, instance, image,
                                                                 base_image):
    source = _driver(make_conf, 'src', 'h1')
    source.spawn(instance, image, base_image)
    source.post_live_migration_source(instance, {'is_shared_instance_path': True})
    assert source.instance_exists(instance) and source.instance_disk_path(instance)
    source.destroy(instance)
    source.spawn(instance, image, base_image)
    source._conn().lookupByUUIDString(instance['uuid']).destroy()   # as after the move
    source.post_live_migration_source(instance, {'is_shared_instance_path': False})
    assert not source.instance_exists(instance)
    assert not os.path.exists(os.path.join(source.instances_path, instance['uuid']))
