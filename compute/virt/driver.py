"""The contract every virt driver fulfils; the compute manager talks only to this."""
import abc

from common import exception

INSTANCE_KEYS = ('uuid', 'display_name', 'memory_mb', 'vcpus', 'root_gb',
                 'ephemeral_gb', 'flavor', 'image_ref')


# -- resize and cold migration: the guest moves powered off, its disk as files ------------
class MoveMixin:
    """The contract of a driver that moves a stopped guest's disk between hosts; the
    compute carries the files (compute.disk_transfer) from the source's directory to
    the destination's inbox."""

    def migration_inbox(self, instance):
        """On the destination: an empty directory to receive the guest's files in."""
        raise _unsupported('resize or migrate', self)

    def migrate_disk_and_power_off(self, instance, timeout):
        """On the source: stop the guest (cleanly within ``timeout`` s) and set its files
        aside, kept for a revert; (directory, names of the files the move carries)."""
        raise _unsupported('resize or migrate', self)

    def finish_migration(self, instance, image, image_path, inbox, power_on):
        """On the destination: make the guest of ``instance`` (its new flavor) from the
        files in ``inbox`` and the image; start it when ``power_on``."""
        raise _unsupported('resize or migrate', self)

    def confirm_migration(self, instance):
        """On the source after confirm: remove what was kept for a revert."""

    def finish_revert_migration(self, instance, image, image_path, power_on):
        """On the source after a revert or a failed move: the guest as it was before,
        started when ``power_on``."""
        raise _unsupported('revert a resize', self)

    def cleanup_migration_destination(self, instance):
        """On the destination after a revert or a failure: nothing of the guest left."""
        self.destroy(instance)

    def remove_evacuated(self, instance, keep_disks):
        """Remove a guest that now runs elsewhere; with ``keep_disks`` (shared storage:
        they are the other host's now) only the hypervisor's definition goes."""
        if not keep_disks:
            self.destroy(instance)
            return
        raise _unsupported('remove a guest but keep its disks', self)


class ComputeDriver(MoveMixin, abc.ABC):
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

    # -- lifecycle actions: a driver without one refuses with NotSupported (409) --
    def power_off(self, instance, timeout):
        """Ask the guest to shut down, wait up to ``timeout`` s, then pull the plug."""
        raise _unsupported('power off', self)

    def power_on(self, instance, image, image_path):
        """Start a stopped guest, recreating its domain and missing disks from the image."""
        raise _unsupported('power on', self)

    def reboot(self, instance, image, image_path, reboot_type, soft_timeout):
        """SOFT: guest shutdown, wait, start (HARD when it does not stop in time).
        HARD: destroy, regenerate the domain, recreate missing disks, start."""
        raise _unsupported('reboot', self)

    def pause(self, instance):
        raise _unsupported('pause', self)

    def unpause(self, instance):
        raise _unsupported('unpause', self)

    def suspend(self, instance):
        """Save the guest's memory to disk and stop it (managed save)."""
        raise _unsupported('suspend', self)

    def resume(self, instance, image, image_path):
        """Start the guest from its saved memory."""
        raise _unsupported('resume', self)

    def rescue(self, instance, rescue_image, rescue_image_path):
        """Boot from a fresh disk made of the rescue image, the original disk second."""
        raise _unsupported('rescue', self)

    def unrescue(self, instance):
        """Boot the guest as it was before the rescue; drop the rescue disk."""
        raise _unsupported('unrescue', self)

    def snapshot(self, instance, target_path):
        """Write the guest's root disk as one standalone qcow2 file at ``target_path``."""
        raise _unsupported('snapshot', self)

    def get_console_output(self, instance):
        """Bytes of the guest's serial log (at most the last 100 KiB)."""
        raise _unsupported('read the console', self)

    def set_admin_password(self, instance, new_pass):
        """Set the admin password through the guest agent; NotSupported without one."""
        raise _unsupported('set the admin password', self)

    def get_host_uptime(self):
        """The host's `uptime` line (GET /os-hypervisors/{id}/uptime)."""
        raise _unsupported('report the host uptime', self)

    def get_instance_diagnostics(self, instance):
        """Nova's 2.48 diagnostics dict of the guest (state, driver, memory_details,
        cpu_details, disk_details, nic_details, ...)."""
        raise _unsupported('report diagnostics', self)

    def get_vnc_port(self, instance):
        """The TCP port of the running guest's VNC server (on [vnc] server_listen);
        ConsoleNotAvailable (409) when the guest is missing, not running or has none."""
        raise exception.ConsoleNotAvailable(
            reason=f'the {type(self).__name__} driver has no VNC consoles')

    # -- live migration (only when capabilities['live_migration']) ---------------
    # migrate_data is a plain dict that grows as the steps run: the destination's
    # check, the source's check (block_migration, is_shared_instance_path), then
    # what pre_live_migration answers (where the destination wants the guest).

    def capability_refusal(self, capability):
        """Why this hypervisor cannot do ``capability`` (ends 'host X cannot ...: ')."""
        return f'its hypervisor ({type(self).__name__}) does not support it'

    def check_can_live_migrate_destination(self, instance, block_migration):
        """On the destination: can it take the guest? Leaves a probe for the source's
        shared-storage check; returns the dest_check_data dict."""
        raise _unsupported('live-migrate', self)

    def cleanup_live_migration_destination_check(self, dest_check_data):
        """On the destination: remove what the check left (the probe)."""

    def check_can_live_migrate_source(self, instance, dest_check_data):
        """On the source: can the guest leave? Decides block_migration from the shared
        storage check; returns migrate_data."""
        raise _unsupported('live-migrate', self)

    def pre_live_migration(self, instance, image, image_path, migrate_data):
        """On the destination: instance directory, base image and empty disk (unless
        the storage is shared); returns what the source needs (dest_instances_path,
        dest_uri, inbound_addr)."""
        raise _unsupported('live-migrate', self)

    def live_migration(self, instance, migrate_data):
        """On the source: move the running guest; returns once it runs on the
        destination, raises (the guest still on the source) when it failed or was
        aborted after [libvirt] live_migration_completion_timeout."""
        raise _unsupported('live-migrate', self)

    def post_live_migration_source(self, instance, migrate_data):
        """On the source after success: remove what is left of the guest here."""

    def post_live_migration_at_destination(self, instance, migrate_data):
        """On the destination after success: the guest is ours (persist it)."""

    def rollback_live_migration_at_destination(self, instance, migrate_data):
        """On the destination after a failure: remove any leftover domain and files."""


def choose_block_migration(requested, shared):
    """Whether the disk must be copied, from the request (True, False or 'auto') and
    whether both hosts see the same instance storage; Invalid when they disagree."""
    if requested in (None, 'auto'):
        return not shared
    if requested and shared:
        raise exception.Invalid('Cannot block-migrate: the source and destination '
                                'share their instance storage.')
    if not requested and not shared:
        raise exception.Invalid('The source and destination do not share their instance '
                                'storage: block_migration must be true or auto.')
    return bool(requested)


def _unsupported(action, drv):
    return exception.NotSupported(action=action,
                                  reason=f'the {type(drv).__name__} driver cannot do it')


def missing_keys(instance):
    """The INSTANCE_KEYS absent from ``instance`` (to fail early with a clear message)."""
    return [key for key in INSTANCE_KEYS if key not in instance]
