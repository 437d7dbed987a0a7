"""The libvirt driver's power operations against the real libvirt test driver and qemu-img."""
import os

import libvirt
import pytest

from common import exception
from compute.virt import power_state
from compute.virt.libvirt import driver as libvirt_driver


class GuestIgnoresShutdown(libvirt_driver.LibvirtDriver):
    """A guest without ACPI handling: asked to shut down, it keeps running."""

    def _clean_shutdown(self, dom, timeout):
        return False


def _driver(make_conf, cls=libvirt_driver.LibvirtDriver):
    drv = cls(make_conf(), 'host1')
    drv.init_host('host1')
    return drv


@pytest.fixture
def drv(make_conf):
    d = _driver(make_conf)
    yield d
    d.cleanup_host()


@pytest.fixture
def running(drv, instance, image, base_image):
    drv.spawn(instance, image, base_image)
    return instance


def _dom(drv, instance):
    return drv._conn().lookupByUUIDString(instance['uuid'])


def test_power_off_then_on(drv, running, image, base_image):
    drv.power_off(running, 5)
    assert drv.get_power_state(running) == power_state.SHUTDOWN
    drv.power_off(running, 5)  # already off: nothing to do
    drv.power_on(running, image, base_image)
    assert drv.get_power_state(running) == power_state.RUNNING


def test_power_off_without_clean_shutdown_destroys(drv, running):
    drv.power_off(running, 0)
    assert drv.get_power_state(running) == power_state.SHUTDOWN


def test_power_off_of_a_missing_guest_is_a_no_op(drv, instance):
    drv.power_off(instance, 5)
    assert drv.get_power_state(instance) == power_state.NOSTATE


def test_power_on_rewrites_a_missing_domain_and_disk(drv, running, image, base_image):
    disk = drv.instance_disk_path(running)
    dom = _dom(drv, running)
    dom.destroy()
    dom.undefine()
    os.unlink(disk)
    drv.power_on(running, image, base_image)
    assert drv.get_power_state(running) == power_state.RUNNING
    assert os.path.exists(disk)


def test_soft_reboot_keeps_the_domain_and_does_not_touch_disks(drv, running, image,
                                                                base_image):
    disk = drv.instance_disk_path(running)
    os.unlink(disk)
    drv.reboot(running, image, base_image, 'SOFT', 5)
    assert drv.get_power_state(running) == power_state.RUNNING
    assert not os.path.exists(disk)  # only a hard reboot recreates disks


def test_soft_reboot_falls_back_to_hard_when_the_guest_does_not_stop(make_conf, instance,
                                                                     image, base_image):
    drv = _driver(make_conf, GuestIgnoresShutdown)
    try:
        drv.spawn(instance, image, base_image)
        disk = drv.instance_disk_path(instance)
        os.unlink(disk)
        drv.reboot(instance, image, base_image, 'SOFT', 0)
        assert drv.get_power_state(instance) == power_state.RUNNING
        assert os.path.exists(disk)  # the hard path ran
    finally:
        drv.cleanup_host()


def test_soft_reboot_of_a_guest_that_is_not_running_is_hard(drv, running, image, base_image):
    _dom(drv, running).destroy()
    drv.reboot(running, image, base_image, 'SOFT', 5)
    assert drv.get_power_state(running) == power_state.RUNNING


def test_hard_reboot_without_disk_or_image_fails_cleanly(drv, running):
    os.unlink(drv.instance_disk_path(running))
    with pytest.raises(exception.VirtError, match='missing'):
        drv.reboot(running, None, None, 'HARD', 0)


def test_pause_and_unpause(drv, running):
    drv.pause(running)
    assert drv.get_power_state(running) == power_state.PAUSED
    drv.unpause(running)
    assert drv.get_power_state(running) == power_state.RUNNING


def test_suspend_saves_memory_and_resume_restores_it(drv, running, image, base_image):
    drv.suspend(running)
    dom = _dom(drv, running)
    assert drv.get_power_state(running) == power_state.SHUTDOWN
    assert dom.hasManagedSaveImage(0)
    drv.resume(running, image, base_image)
    assert drv.get_power_state(running) == power_state.RUNNING
    assert not dom.hasManagedSaveImage(0)


def test_hard_reboot_of_a_suspended_guest_drops_its_saved_memory(drv, running, image,
                                                                  base_image):
    drv.suspend(running)
    # Stop the reboot after the old guest is gone but before anything starts: a
    # start would consume the saved memory either way and hide whether it was dropped.
    os.unlink(drv.instance_disk_path(running))
    with pytest.raises(exception.VirtError, match='missing'):
        drv.reboot(running, None, None, 'HARD', 0)
    assert not _dom(drv, running).hasManagedSaveImage(0)
    drv.reboot(running, image, base_image, 'HARD', 0)
    assert _dom(drv, running).state()[0] == libvirt.VIR_DOMAIN_RUNNING


class _DeafAtFirst:
    """A domain whose guest misses the first ``deaf`` power-button presses (still booting)."""

    def __init__(self, deaf):
        self.deaf = deaf
        self.presses = 0
        self.off = False

    def state(self):
        return [libvirt.VIR_DOMAIN_SHUTOFF if self.off else libvirt.VIR_DOMAIN_RUNNING, 1]

    def shutdown(self):
        self.presses += 1
        self.off = self.presses > self.deaf

    def UUIDString(self):
        return 'deaf-guest'


def test_clean_shutdown_presses_the_power_button_again(drv, monkeypatch):
    from compute.virt.libvirt import power
    monkeypatch.setattr(power, 'SHUTDOWN_RETRY', 0.2)
    dom = _DeafAtFirst(deaf=2)
    assert drv._clean_shutdown(dom, 5)
    assert dom.presses == 3


def test_clean_shutdown_gives_up_at_the_timeout(drv, monkeypatch):
    from compute.virt.libvirt import power
    monkeypatch.setattr(power, 'SHUTDOWN_RETRY', 0.2)
    dom = _DeafAtFirst(deaf=100)
    assert not drv._clean_shutdown(dom, 0.7)
    assert 3 <= dom.presses <= 5
