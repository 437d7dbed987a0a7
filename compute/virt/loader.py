"""Picks the virt driver named by [libvirt] driver; the one module that knows every driver."""
from compute.virt import fake
from compute.virt.libvirt import driver as libvirt_driver
from image import store


def load_driver(conf, host):
    """A LibvirtDriver (default) or a FakeDriver sized like the test node, for ``host``."""
    if conf.libvirt.driver == 'fake':
        return fake.FakeDriver(host=host, vcpus=conf.libvirt.test_node_vcpus,
                               memory_mb=conf.libvirt.test_node_memory_mb,
                               local_gb=conf.compute.local_gb or 1024)
    return libvirt_driver.LibvirtDriver(conf, host, image_store=store.LocalStore.from_conf(conf))
