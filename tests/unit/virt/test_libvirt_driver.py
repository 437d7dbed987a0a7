"""LibvirtDriver against the real libvirt test driver and real qemu-img."""
import os

import libvirt
import pytest

from common import exception
from compute.virt import power_state
from compute.virt.libvirt import config
from compute.virt.libvirt import driver as libvirt_driver
from compute.virt.libvirt import host as libvirt_host
from image import qemu_img
from image import store

GiB = 1024 ** 3


def test_default_uri_is_per_host_node_file(drv, tmp_path):
    node = tmp_path / 'state' / 'libvirt' / 'host1-node.xml'
    assert drv.uri == 'test://' + str(node)
    assert node.exists()
    assert drv.domain_type == 'test'


def test_spawn_runs_domain_with_instance_shape(drv, instance, image, base_image):
    drv.spawn(instance, image, base_image)
    dom = drv._conn().lookupByUUIDString(instance['uuid'])
    state, max_mem_kib, _mem, vcpus, _cpu = dom.info()
    assert state == libvirt.VIR_DOMAIN_RUNNING
    assert (max_mem_kib, vcpus) == (512 * 1024, 2)
    assert dom.name() == config.domain_name(instance['uuid'])
    assert drv.get_power_state(instance) == power_state.RUNNING
    assert drv.instance_exists(instance)
    assert drv.list_instance_uuids() == [instance['uuid']]


def test_spawn_disk_is_overlay_on_cached_base(drv, instance, image, base_image):
    drv.spawn(instance, image, base_image)
    disk_path = drv.instance_disk_path(instance)
    inst_dir = os.path.join(drv.instances_path, instance['uuid'])
    assert disk_path == os.path.join(inst_dir, 'disk')
    info = qemu_img.info(disk_path)
    base = drv.image_cache.base_path(image['id'])
    assert info['format'] == 'qcow2'
    assert info['backing-filename'] == base
    assert info['backing-filename-format'] == 'qcow2'
    assert info['virtual-size'] == 1 * GiB   # root_gb=1 is bigger than the 16 MiB base
    assert os.path.dirname(base) == os.path.join(drv.instances_path, '_base')
    xml = drv.get_domain_xml(instance)
    assert config.console_log_path(xml) == os.path.join(inst_dir, 'console.log')
    assert config.disk_paths(xml) == [disk_path]
    # The test driver never assigns a port: the host gave the guest a fixed one.
    assert config.vnc_address(xml) == ('127.0.0.1', drv._vnc_ports.start)


def test_root_gb_zero_keeps_base_size(drv, make_instance, image, base_image):
    inst = make_instance(root_gb=0)
    drv.spawn(inst, image, base_image)
    assert qemu_img.info(drv.instance_disk_path(inst))['virtual-size'] == 16 * 1024 ** 2


def test_base_is_copied_once_and_shared(drv, make_instance, image, base_image):
    first, second = make_instance(), make_instance()
    drv.spawn(first, image, base_image)
    base = drv.image_cache.base_path(image['id'])
    mtime = os.stat(base).st_mtime_ns
    drv.spawn(second, image, base_image)
    assert os.stat(base).st_mtime_ns == mtime
    assert sorted(drv.list_instance_uuids()) == sorted([first['uuid'], second['uuid']])


def test_raw_image_is_used_as_raw_backing(drv, instance, tmp_path):
    raw = tmp_path / 'img.raw'
    qemu_img.create_blank(str(raw), 8 * 1024 ** 2, fmt='raw')
    image = {'id': 'raw-image', 'disk_format': 'raw'}
    drv.spawn(instance, image, str(raw))
    info = qemu_img.info(drv.instance_disk_path(instance))
    assert info['backing-filename-format'] == 'raw'


def test_destroy_removes_domain_and_dir_and_is_idempotent(drv, instance, image, base_image):
    drv.spawn(instance, image, base_image)
    inst_dir = os.path.join(drv.instances_path, instance['uuid'])
    drv.destroy(instance)
    assert not drv.instance_exists(instance)
    assert not os.path.exists(inst_dir)
    assert drv.get_power_state(instance) == power_state.NOSTATE
    assert drv.instance_disk_path(instance) is None
    drv.destroy(instance)
    assert drv.list_instance_uuids() == []
    # The cache outlives the instance.
    assert os.path.exists(drv.image_cache.base_path(image['id']))


def test_destroy_stopped_and_managed_saved_domains(drv, make_instance, image, base_image):
    stopped, saved = make_instance(), make_instance()
    for inst in (stopped, saved):
        drv.spawn(inst, image, base_image)
    conn = drv._conn()
    conn.lookupByUUIDString(stopped['uuid']).destroy()
    assert drv.get_power_state(stopped) == power_state.SHUTDOWN
    conn.lookupByUUIDString(saved['uuid']).managedSave(0)
    for inst in (stopped, saved):
        drv.destroy(inst)
        assert not drv.instance_exists(inst)


def test_two_hosts_report_their_own_nodes(make_conf):
    d1 = libvirt_driver.LibvirtDriver(make_conf(test_node_vcpus=4, test_node_memory_mb=4096),
                                      'host1')
    d2 = libvirt_driver.LibvirtDriver(make_conf(test_node_vcpus=16, test_node_memory_mb=32768),
                                      'host2')
    r1, r2 = d1.get_available_resource(), d2.get_available_resource()
    assert (r1['hypervisor_hostname'], r1['vcpus'], r1['memory_mb']) == ('host1', 4, 4096)
    assert (r2['hypervisor_hostname'], r2['vcpus'], r2['memory_mb']) == ('host2', 16, 32768)
    assert r1['hypervisor_type'] == 'test'
    assert isinstance(r1['hypervisor_version'], int)
    assert r1['host_ip'] == '127.0.0.1'
    assert r1['local_gb'] > 0


def test_domains_are_private_to_each_host(make_conf, instance, image, base_image):
    d1 = libvirt_driver.LibvirtDriver(make_conf(), 'host1')
    d2 = libvirt_driver.LibvirtDriver(make_conf(), 'host2')
    d1.spawn(instance, image, base_image)
    assert d1.instance_exists(instance)
    assert not d2.instance_exists(instance)


def test_local_gb_override(make_conf):
    cfg = make_conf()
    cfg.set_override('local_gb', 42, group='compute')
    assert libvirt_driver.LibvirtDriver(cfg, 'h').get_available_resource()['local_gb'] == 42


def test_missing_image_leaves_nothing(drv, instance, image, tmp_path):
    with pytest.raises(exception.VirtError):
        drv.spawn(instance, image, str(tmp_path / 'nope.qcow2'))
    assert not drv.instance_exists(instance)
    assert not os.path.exists(os.path.join(drv.instances_path, instance['uuid']))


def test_failure_after_define_undefines_and_removes_files(make_conf, instance, image,
                                                         base_image):
    class FailingStart(libvirt_driver.LibvirtDriver):
        def _start_domain(self, dom):
            # A second start is a genuine libvirt error, raised with the domain running.
            dom.createWithFlags(0)
            dom.createWithFlags(0)

    drv = FailingStart(make_conf(), 'host1')
    with pytest.raises(exception.VirtError, match='already running'):
        drv.spawn(instance, image, base_image)
    assert drv._conn().listAllDomains() == []
    assert not os.path.exists(os.path.join(drv.instances_path, instance['uuid']))


def test_define_failure_keeps_foreign_domain(drv, instance, make_instance, image, base_image):
    squatter = config.GuestConfig(uuid=make_instance()['uuid'], memory_mb=64, vcpus=1,
                                  disk_path='/x', console_log='/y', domain_type='test',
                                  arch='x86_64')
    xml = squatter.to_xml().replace(squatter.name, config.domain_name(instance['uuid']))
    drv._conn().defineXML(xml)
    with pytest.raises(exception.VirtError):
        drv.spawn(instance, image, base_image)
    assert len(drv._conn().listAllDomains()) == 1
    assert not os.path.exists(os.path.join(drv.instances_path, instance['uuid']))


def test_spawn_refuses_existing_domain_and_keeps_its_disk(drv, instance, image, base_image):
    drv.spawn(instance, image, base_image)
    disk_path = drv.instance_disk_path(instance)
    with pytest.raises(exception.VirtError, match='already exists'):
        drv.spawn(instance, image, base_image)
    assert os.path.exists(disk_path)
    assert drv.get_power_state(instance) == power_state.RUNNING


def test_checksum_mismatch_fails_cleanly(drv, instance, image, base_image):
    image = dict(image, checksum='0' * 32)
    with pytest.raises(exception.VirtError, match='checksum'):
        drv.spawn(instance, image, base_image)
    assert not os.path.exists(drv.image_cache.base_path(image['id']))
    assert os.listdir(drv.image_cache.base_dir) == []


def test_declared_format_must_match_content(drv, instance, image, base_image):
    with pytest.raises(exception.VirtError, match='declared raw'):
        drv.spawn(instance, dict(image, disk_format='raw'), base_image)
    assert not drv.instance_exists(instance)


def test_invalid_uuid_is_rejected(drv, make_instance, image, base_image):
    with pytest.raises(exception.Invalid):
        drv.spawn(make_instance(uuid='../../etc'), image, base_image)


def test_missing_instance_keys(drv, image, base_image):
    with pytest.raises(exception.VirtError, match='lacks'):
        drv.spawn({'uuid': 'x'}, image, base_image)


def test_kernel_from_store_and_cmdline(make_conf, instance, image, base_image, tmp_path):
    image_store = store.LocalStore(str(tmp_path / 'images'))
    kernel_id = '5d2c1a8e-3c34-4c5c-9a55-0000000000aa'
    image_store.put(kernel_id, b'kernel bits')
    drv = libvirt_driver.LibvirtDriver(make_conf(), 'host1', image_store=image_store)
    props = {'kernel_id': kernel_id, 'ramdisk_file': '/boot/initrd',
             'os_command_line': 'console=ttyS0'}
    drv.spawn(instance, dict(image, properties=props), base_image)
    xml = drv.get_domain_xml(instance)
    assert '<kernel>%s</kernel>' % image_store.path(kernel_id) in xml
    assert '<initrd>/boot/initrd</initrd>' in xml
    assert '<cmdline>console=ttyS0</cmdline>' in xml


def test_get_domain_xml_of_missing_instance(drv, instance):
    with pytest.raises(exception.InstanceNotFound):
        drv.get_domain_xml(instance)


def test_host_reopens_closed_connection(drv):
    first = drv._conn()
    drv.cleanup_host()
    assert drv._conn() is not first


def test_unreachable_uri_raises_virt_error_after_retries():
    host = libvirt_host.Host('qemu+unix:///system?socket=/nonexistent/sock',
                             connect_attempts=2)
    with pytest.raises(exception.VirtError, match='cannot connect'):
        host.get_connection()
