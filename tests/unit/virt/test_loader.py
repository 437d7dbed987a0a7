"""load_driver picks the driver named by [libvirt] driver."""
from compute.virt import fake
from compute.virt import loader
from compute.virt.libvirt import driver as libvirt_driver


def test_default_is_libvirt(make_conf):
    drv = loader.load_driver(make_conf(), 'hostA')
    assert isinstance(drv, libvirt_driver.LibvirtDriver)
    assert drv.get_available_resource()['hypervisor_hostname'] == 'hostA'
    assert drv.image_store is not None


def test_fake_sized_like_test_node(make_conf):
    drv = loader.load_driver(make_conf(driver='fake', test_node_vcpus=6), 'hostB')
    assert isinstance(drv, fake.FakeDriver)
    res = drv.get_available_resource()
    assert (res['hypervisor_hostname'], res['vcpus']) == ('hostB', 6)
