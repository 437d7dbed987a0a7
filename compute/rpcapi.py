"""Client side of the compute RPC API; each message goes to compute.<host>.

Every compute RPC is declared here, in one place. Casts unless marked call.

1.0 - build_and_run_instance, terminate_instance, list_guests
1.1 - the lifecycle actions: reboot, stop/start, pause/unpause, suspend/resume,
      rescue/unrescue, rebuild, snapshot/backup, shelve/offload/unshelve,
      soft delete/restore, console output (call), set_admin_password (call)
1.2 - get_vnc_console (call), validate_console_port (call)
1.3 - live migration: check_can_live_migrate_destination (call, conductor -> dest),
      check_can_live_migrate_source (call, dest -> source), live_migration (cast,
      conductor -> source), pre_live_migration and post_live_migration_at_destination
      (calls, source -> dest, [DEFAULT] long_rpc_timeout), rollback_live_migration_at_
      destination (cast, source -> dest)
1.4 - get_host_uptime (call), get_instance_diagnostics (call)
1.5 - resize and cold migration: resize_instance (conductor -> source),
      finish_resize (source -> dest, with the disk offer), confirm_resize
      (conductor -> source), revert_resize (conductor -> dest), finish_revert_resize
      (dest -> source), rebuild_evacuated (conductor -> dest); all casts
"""
from rpc import client as rpc_client

TOPIC = 'compute'
VERSION = '1.5'
RESIZE_VERSION = '1.5'
DIAGNOSTICS_VERSION = '1.4'
LIVE_MIGRATION_VERSION = '1.3'


class ComputeAPI:
    def __init__(self, conf, transport):
        self.client = rpc_client.Client(conf, transport, TOPIC, VERSION, 'compute')
        # consoleauth asks while a browser waits: a dead compute must not hold it long.
        self.console_check_timeout = conf.consoleauth.check_timeout
        # Calls that copy images or wait on a hypervisor: not rpc_response_timeout.
        self.long_timeout = conf.long_rpc_timeout

    def _cast(self, ctxt, host, method, **kwargs):
        self.client.cast(ctxt, method, server=host, version=self._version(method), **kwargs)

    @staticmethod
    def _version(method):
        return '1.0' if method in _V1_0 else '1.1'

    def build_and_run_instance(self, ctxt, host, instance, image, request_spec, alternates):
        self._cast(ctxt, host, 'build_and_run_instance', instance=instance, image=image,
                   request_spec=request_spec, alternates=alternates)

    def terminate_instance(self, ctxt, host, instance):
        self._cast(ctxt, host, 'terminate_instance', instance=instance)

    def list_guests(self, ctxt, host):
        """What the hypervisor on ``host`` runs: [{'uuid', 'power_state'}] (operators, tests)."""
        return self.client.call(ctxt, 'list_guests', server=host)

    # -- 1.1: power --------------------------------------------------------
    def reboot_instance(self, ctxt, host, instance, image, reboot_type):
        """``reboot_type`` SOFT or HARD; a hard reboot rebuilds missing disks from ``image``."""
        self._cast(ctxt, host, 'reboot_instance', instance=instance, image=image,
                   reboot_type=reboot_type)

    def stop_instance(self, ctxt, host, instance):
        self._cast(ctxt, host, 'stop_instance', instance=instance)

    def start_instance(self, ctxt, host, instance, image):
        self._cast(ctxt, host, 'start_instance', instance=instance, image=image)

    def pause_instance(self, ctxt, host, instance):
        self._cast(ctxt, host, 'pause_instance', instance=instance)

    def unpause_instance(self, ctxt, host, instance):
        self._cast(ctxt, host, 'unpause_instance', instance=instance)

    def suspend_instance(self, ctxt, host, instance):
        self._cast(ctxt, host, 'suspend_instance', instance=instance)

    def resume_instance(self, ctxt, host, instance, image):
        self._cast(ctxt, host, 'resume_instance', instance=instance, image=image)

    def soft_delete_instance(self, ctxt, host, instance):
        self._cast(ctxt, host, 'soft_delete_instance', instance=instance)

    def restore_instance(self, ctxt, host, instance, image):
        self._cast(ctxt, host, 'restore_instance', instance=instance, image=image)

    # -- 1.1: disks and images ----------------------------------------------
    def rescue_instance(self, ctxt, host, instance, image, rescue_image):
        self._cast(ctxt, host, 'rescue_instance', instance=instance, image=image,
                   rescue_image=rescue_image)

    def unrescue_instance(self, ctxt, host, instance):
        self._cast(ctxt, host, 'unrescue_instance', instance=instance)

    def rebuild_instance(self, ctxt, host, instance, image, started_from):
        """Fresh disk from ``image`` on the same host; ends in ``started_from``'s power."""
        self._cast(ctxt, host, 'rebuild_instance', instance=instance, image=image,
                   started_from=started_from)

    def snapshot_instance(self, ctxt, host, instance, image_id):
        """Write the disk into image ``image_id`` (already created, status queued)."""
        self._cast(ctxt, host, 'snapshot_instance', instance=instance, image_id=image_id)

    def backup_instance(self, ctxt, host, instance, image_id, backup_type, rotation):
        """A snapshot, then the conductor keeps only ``rotation`` backups of this type."""
        self._cast(ctxt, host, 'backup_instance', instance=instance, image_id=image_id,
                   backup_type=backup_type, rotation=rotation)

    def shelve_instance(self, ctxt, host, instance, image_id, offload):
        self._cast(ctxt, host, 'shelve_instance', instance=instance, image_id=image_id,
                   offload=offload)

    def shelve_offload_instance(self, ctxt, host, instance):
        self._cast(ctxt, host, 'shelve_offload_instance', instance=instance)

    def unshelve_instance(self, ctxt, host, instance, image):
        """Spawn an offloaded instance from its shelved ``image`` (sent by the conductor),
        or power on a SHELVED one (``image``: the same snapshot, for its boot properties)."""
        self._cast(ctxt, host, 'unshelve_instance', instance=instance, image=image)

    # -- 1.1: calls ------------------------------------------------------
    def get_console_output(self, ctxt, host, instance, length):
        """The last ``length`` lines (all when None) of the guest's serial log."""
        return self.client.call(ctxt, 'get_console_output', server=host, version='1.1',
                                instance=instance, length=length)

    def set_admin_password(self, ctxt, host, instance, new_pass):
        """Set the guest's admin password through its agent; raises when it cannot."""
        return self.client.call(ctxt, 'set_admin_password', server=host, version='1.1',
                                instance=instance, new_pass=new_pass)

    # -- 1.2: consoles ------------------------------------------------------
    def get_vnc_console(self, ctxt, host, instance):
        """Where the guest's VNC server answers: {'host', 'port',
        'internal_access_path'}; ConsoleNotAvailable when it has none."""
        return self.client.call(ctxt, 'get_vnc_console', server=host, version='1.2',
                                instance=instance)

    def validate_console_port(self, ctxt, host, instance, port, console_type):
        """True when the guest's console still listens on ``port`` (not another guest's)."""
        return self.client.call(ctxt, 'validate_console_port', server=host, version='1.2',
                                timeout=self.console_check_timeout, instance=instance,
                                port=port, console_type=console_type)

    # -- 1.4: operators' questions -------------------------------------------
    def can_diagnose(self):
        """False while [upgrade_levels] compute caps this client below 1.4."""
        return self.client.can_send_version(DIAGNOSTICS_VERSION)

    def get_host_uptime(self, ctxt, host):
        """The `uptime` line of ``host`` (the compute host itself, not the API's)."""
        return self.client.call(ctxt, 'get_host_uptime', server=host,
                                version=DIAGNOSTICS_VERSION)

    def get_instance_diagnostics(self, ctxt, host, instance):
        """Nova's 2.48 diagnostics dict of the guest, from its hypervisor."""
        return self.client.call(ctxt, 'get_instance_diagnostics', server=host,
                                version=DIAGNOSTICS_VERSION, instance=instance)

    # -- 1.3: live migration ------------------------------------------------
    def can_live_migrate(self):
        """False while [upgrade_levels] compute caps this client below 1.3."""
        return self.client.can_send_version(LIVE_MIGRATION_VERSION)

    def _lm_call(self, ctxt, host, method, timeout=None, **kwargs):
        return self.client.call(ctxt, method, server=host, version=LIVE_MIGRATION_VERSION,
                                timeout=timeout, **kwargs)

    def check_can_live_migrate_destination(self, ctxt, host, instance, block_migration,
                                           migration):
        """On the destination ``host``: can it take the guest? It asks the source in
        turn; returns migrate_data (block_migration decided, shared storage known)."""
        return self._lm_call(ctxt, host, 'check_can_live_migrate_destination',
                             instance=instance, block_migration=block_migration,
                             migration=migration)

    def check_can_live_migrate_source(self, ctxt, host, instance, dest_check_data):
        """On the source ``host``: can the guest leave for the destination that sent
        ``dest_check_data``? Returns migrate_data."""
        return self._lm_call(ctxt, host, 'check_can_live_migrate_source', instance=instance,
                             dest_check_data=dest_check_data)

    def live_migration(self, ctxt, host, instance, migration, migrate_data, image):
        """On the source ``host``: prepare the destination, move the guest, finish."""
        self.client.cast(ctxt, 'live_migration', server=host, version=LIVE_MIGRATION_VERSION,
                         instance=instance, migration=migration, migrate_data=migrate_data,
                         image=image)

    def pre_live_migration(self, ctxt, host, instance, migration, migrate_data, image):
        """On the destination ``host``: directory, base image, empty disk; returns where
        the source sends the guest (dest_instances_path, dest_uri, inbound_addr)."""
        return self._lm_call(ctxt, host, 'pre_live_migration', timeout=self.long_timeout,
                             instance=instance, migration=migration,
                             migrate_data=migrate_data, image=image)

    def post_live_migration_at_destination(self, ctxt, host, instance, migration,
                                           migrate_data):
        """On the destination ``host``: take the guest over (host, node, claim move with
        it through the conductor); returns the instance."""
        return self._lm_call(ctxt, host, 'post_live_migration_at_destination',
                             timeout=self.long_timeout, instance=instance,
                             migration=migration, migrate_data=migrate_data)

    def rollback_live_migration_at_destination(self, ctxt, host, instance, migration,
                                               migrate_data):
        """On the destination ``host``: remove what a failed migration left there."""
        self.client.cast(ctxt, 'rollback_live_migration_at_destination', server=host,
                         version=LIVE_MIGRATION_VERSION, instance=instance,
                         migration=migration, migrate_data=migrate_data)


    # -- 1.5: resize and cold migration ---------------------------------------
    def can_resize(self):
        """False while [upgrade_levels] compute caps this client below 1.5."""
        return self.client.can_send_version(RESIZE_VERSION)

    def _resize_cast(self, ctxt, host, method, **kwargs):
        self.client.cast(ctxt, method, server=host, version=RESIZE_VERSION, **kwargs)

    def resize_instance(self, ctxt, host, instance, migration, image):
        """On the source ``host``: stop the guest, set its disk aside, offer it to the
        migration's destination and have that finish the move."""
        self._resize_cast(ctxt, host, 'resize_instance', instance=instance,
                          migration=migration, image=image)

    def finish_resize(self, ctxt, host, instance, migration, image, offer):
        """On the destination ``host``: pull the disk of ``offer`` and start the guest."""
        self._resize_cast(ctxt, host, 'finish_resize', instance=instance,
                          migration=migration, image=image, offer=offer)

    def confirm_resize(self, ctxt, host, instance, migration):
        """On the source ``host``: remove what was kept for a revert."""
        self._resize_cast(ctxt, host, 'confirm_resize', instance=instance,
                          migration=migration)

    def revert_resize(self, ctxt, host, instance, migration, image):
        """On the destination ``host``: remove the guest; the source takes it back."""
        self._resize_cast(ctxt, host, 'revert_resize', instance=instance,
                          migration=migration, image=image)

    def finish_revert_resize(self, ctxt, host, instance, migration, image, fault=None):
        """On the source ``host``: the guest as it was, after a revert, or with ``fault``
        after the destination failed."""
        self._resize_cast(ctxt, host, 'finish_revert_resize', instance=instance,
                          migration=migration, image=image, fault=fault)

    def rebuild_evacuated(self, ctxt, host, instance, migration, image, shared, stop):
        """On ``host``: build the server of a dead host again (from its disk when ``host``
        sees it on shared storage), stopped when ``stop``."""
        self._resize_cast(ctxt, host, 'rebuild_evacuated', instance=instance,
                          migration=migration, image=image, shared=shared, stop=stop)


_V1_0 = frozenset({'build_and_run_instance', 'terminate_instance', 'list_guests'})
