"""The contract every virt driver fulfils; the compute manager talks only to this."""
import abc

INSTANCE_KEYS = ('uuid', 'display_name', 'memory_mb', 'vcpus', 'root_gb',
                 'ephemeral_gb', 'flavor', 'image_ref')


class ComputeDriver(abc.ABC):
    """Abstract hypervisor driver.

    ``instance`` arguments are plain dicts with at least INSTANCE_KEYS
    (``flavor`` is a dict that includes ``extra_specs``); ``image`` is the
    image record as a dict (id, disk_format, checksum, properties, ...).
    """

    #: What this driver can do beyond the basics; the manager checks before acting.
    capabilities = {'live_migration': False}

    @abc.abstractmethod
    def init_host(self, host):
        """Prepare the hypervisor for ``host`` (connect, create directories)."""

    def cleanup_host(self):
        """Release connections at service stop; drivers without any need nothing."""

    @abc.abstractmethod
    def get_available_resource(self):
        """Node inventory: dict(hypervisor_hostname, hypervisor_type,
        hypervisor_version (int), vcpus, memory_mb, local_gb, host_ip, cpu_info?)."""

    @abc.abstractmethod
    def spawn(self, instance, image, image_path):
        """Create and start a guest from the image file at ``image_path``.

        Raises VirtError on failure after removing everything it created.
        """

    @abc.abstractmethod
    def destroy(self, instance):
        """Stop and remove the guest and its files; a missing guest is fine."""

    @abc.abstractmethod
    def list_instance_uuids(self):
        """UUIDs of every guest this driver manages on the node."""

    @abc.abstractmethod
    def get_power_state(self, instance):
        """A compute.virt.power_state constant; NOSTATE when the guest is missing."""

    @abc.abstractmethod
    def instance_exists(self, instance):
        """True when the hypervisor knows the guest."""

    @abc.abstractmethod
    def instance_disk_path(self, instance):
        """Path of the guest's root disk file, or None if it has none."""


def missing_keys(instance):
    """The INSTANCE_KEYS absent from ``instance`` (to fail early with a clear message)."""
    return [key for key in INSTANCE_KEYS if key not in instance]
