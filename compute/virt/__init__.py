"""Virt drivers: the ComputeDriver contract, the libvirt driver and one configurable fake."""
