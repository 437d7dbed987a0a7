"""Image service pieces: a local directory store for image bits and qemu-img helpers."""
