"""libvirt driver: real libvirt, the test:/// driver by default, QEMU/KVM when configured."""
