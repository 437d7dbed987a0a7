"""Client side of the conductor RPC API: its topic, version cap, and call-or-cast per method.

1.0 - build_instances, instance_update, build_failed, instance_destroyed,
      service_heartbeat, compute_node_report, instances_on_host
1.1 - unshelve_instance (api); image_update, image_delete, rotate_backups,
      instance_offloaded (compute)
1.2 - live_migrate_instance (api); migration_update, live_migration_landed,
      live_migration_finished, live_migration_abandoned (compute)
1.3 - migrate_server, resize_decided, evacuate_server (api); resize_reached,
      resize_in_progress, moves_to, evacuation_reached, evacuated_from, evacuation_cleaned
      (compute)
"""
from rpc import client as rpc_client

TOPIC = 'conductor'
VERSION = '1.3'
RESIZE_VERSION = '1.3'
LIVE_MIGRATION_VERSION = '1.2'
UNSET = '__unset__'


class ConductorAPI:
    def __init__(self, conf, transport):
        self.client = rpc_client.Client(conf, transport, TOPIC, VERSION, 'conductor')

    def wait_until_ready(self, ctxt, deadline=None):
        return self.client.wait_until_ready(ctxt, deadline)

    # -- api -> conductor ------------------------------------------------
    def build_instances(self, ctxt, instance_uuids, request_spec):
        """Schedule and start building the instances (cast: state reports the outcome)."""
        self.client.cast(ctxt, 'build_instances', instance_uuids=instance_uuids,
                         request_spec=request_spec)

    # -- compute -> conductor (each checks that ``host`` owns the row) ---
    def instance_update(self, ctxt, host, instance_uuid, updates,
                        expected_task_state=UNSET, event=None, fault=None):
        """Compare-and-swap update of the host's instance, optionally finishing an
        action event and recording a fault in the same call; returns the instance."""
        return self.client.call(ctxt, 'instance_update', host=host,
                                instance_uuid=instance_uuid, updates=updates,
                                expected_task_state=expected_task_state,
                                event=event, fault=fault)

    def build_failed(self, ctxt, host, instance_uuid, reason, details=None):
        """A build failed on ``host``: reschedule to an alternate or put it in ERROR."""
        self.client.cast(ctxt, 'build_failed', host=host, instance_uuid=instance_uuid,
                         reason=reason, details=details)

    def instance_destroyed(self, ctxt, host, instance_uuid, event=None):
        """The host has removed the guest: free its claim and mark the row deleted."""
        return self.client.call(ctxt, 'instance_destroyed', host=host,
                                instance_uuid=instance_uuid, event=event)

    def service_heartbeat(self, ctxt, host, binary, topic):
        self.client.call(ctxt, 'service_heartbeat', host=host, binary=binary, topic=topic)

    def compute_node_report(self, ctxt, host, node, inventory):
        return self.client.call(ctxt, 'compute_node_report', host=host, node=node,
                                inventory=inventory)

    def instances_on_host(self, ctxt, host):
        return self.client.call(ctxt, 'instances_on_host', host=host)

    # -- 1.1: lifecycle actions ----------------------------------------------
    def unshelve_instance(self, ctxt, instance_uuid):
        """Schedule an offloaded instance again and cast its spawn to the chosen host."""
        self.client.cast(ctxt, 'unshelve_instance', version='1.1',
                         instance_uuid=instance_uuid)

    def image_update(self, ctxt, host, image_id, values):
        """Update a snapshot image of one of ``host``'s instances (status, size, checksums)."""
        return self.client.call(ctxt, 'image_update', version='1.1', host=host,
                                image_id=image_id, values=values)

    def image_delete(self, ctxt, host, image_id, unfinished_only=False):
        """Delete a snapshot image of one of ``host``'s instances (record and file);
        with ``unfinished_only``, only while it is still queued or saving."""
        return self.client.call(ctxt, 'image_delete', version='1.1', host=host,
                                image_id=image_id, unfinished_only=unfinished_only)

    def rotate_backups(self, ctxt, host, instance_uuid, backup_type, rotation):
        """Delete the oldest ``backup_type`` backups of the instance beyond ``rotation``."""
        return self.client.call(ctxt, 'rotate_backups', version='1.1', host=host,
                                instance_uuid=instance_uuid, backup_type=backup_type,
                                rotation=rotation)

    def instance_offloaded(self, ctxt, host, instance_uuid, event=None):
        """The host removed a shelved guest: SHELVED_OFFLOADED, no host, claim freed."""
        return self.client.call(ctxt, 'instance_offloaded', version='1.1', host=host,
                                instance_uuid=instance_uuid, event=event)

    # -- 1.2: live migration -------------------------------------------------
    def can_live_migrate(self):
        """False while [upgrade_levels] conductor caps this client below 1.2."""
        return self.client.can_send_version(LIVE_MIGRATION_VERSION)

    def live_migrate_instance(self, ctxt, instance_uuid, migration_uuid, host,
                              block_migration, force=False):
        """Check the source and a destination (``host``, or one the scheduler picks),
        then cast the migration to the source (cast: the migration record tells)."""
        self.client.cast(ctxt, 'live_migrate_instance', version=LIVE_MIGRATION_VERSION,
                         instance_uuid=instance_uuid, migration_uuid=migration_uuid,
                         host=host, block_migration=block_migration, force=force)

    def migration_update(self, ctxt, host, migration_uuid, status, expected_status,
                         event=None):
        """Move a migration that ``host`` takes part in from ``expected_status`` to
        ``status``, optionally finishing an action event; returns the migration."""
        return self.client.call(ctxt, 'migration_update', version=LIVE_MIGRATION_VERSION,
                                host=host, migration_uuid=migration_uuid, status=status,
                                expected_status=expected_status, event=event)

    def live_migration_landed(self, ctxt, host, instance_uuid, migration_uuid,
                              power_state, event=None):
        """The destination ``host`` runs the guest now: the instance's host and node
        become it, its claim moves there; returns the instance."""
        return self.client.call(ctxt, 'live_migration_landed', version=LIVE_MIGRATION_VERSION,
                                host=host, instance_uuid=instance_uuid,
                                migration_uuid=migration_uuid, power_state=power_state,
                                event=event)

    def live_migration_finished(self, ctxt, host, instance_uuid, migration_uuid, status,
                                event=None, fault=None, updates=None):
        """The source ``host`` ends the migration: 'completed', or 'failed'/'error'
        (the destination's claim is given back unless the guest moved); the instance
        gets task_state None plus ``updates`` (vm_state, power_state); returns it."""
        return self.client.call(ctxt, 'live_migration_finished',
                                version=LIVE_MIGRATION_VERSION, host=host,
                                instance_uuid=instance_uuid, migration_uuid=migration_uuid,
                                status=status, event=event, fault=fault, updates=updates)

    def live_migration_abandoned(self, ctxt, host, instance_uuid, reason):
        """A restarted ``host`` (source or destination) ends the instance's unfinished
        migration with 'error'; returns that migration with the status it had before
        as ``previous_status`` (None when there was none)."""
        return self.client.call(ctxt, 'live_migration_abandoned',
                                version=LIVE_MIGRATION_VERSION, host=host,
                                instance_uuid=instance_uuid, reason=reason)

    # -- 1.3: resize and cold migration -----------------------------------------
    def can_resize(self):
        """False while [upgrade_levels] conductor caps this client below 1.3."""
        return self.client.can_send_version(RESIZE_VERSION)

    def migrate_server(self, ctxt, instance_uuid, migration_uuid, host=None):
        """Schedule (``host`` when named) and claim a destination, then start the move
        at the source (cast: the migration record tells how it went)."""
        self.client.cast(ctxt, 'migrate_server', version=RESIZE_VERSION,
                         instance_uuid=instance_uuid, migration_uuid=migration_uuid, host=host)

    def resize_decided(self, ctxt, instance_uuid, decision):
        """'confirm' or 'revert' the move waiting in VERIFY_RESIZE (cast)."""
        self.client.cast(ctxt, 'resize_decided', version=RESIZE_VERSION,
                         instance_uuid=instance_uuid, decision=decision)

    def resize_reached(self, ctxt, host, migration_uuid, status, event=None, fault=None,
                       power_state=None):
        """``host`` reports that the move reached ``status`` (migrating, post-migrating,
        finished, confirmed, reverted or error); returns the instance."""
        return self.client.call(ctxt, 'resize_reached', version=RESIZE_VERSION, host=host,
                                migration_uuid=migration_uuid, status=status, event=event,
                                fault=fault, power_state=power_state)

    def resize_in_progress(self, ctxt, host, instance_uuid):
        """The unfinished resize or cold migration of the instance that ``host`` takes
        part in (with the instance's image under 'image'), or None."""
        return self.client.call(ctxt, 'resize_in_progress', version=RESIZE_VERSION,
                                host=host, instance_uuid=instance_uuid)

    def evacuate_server(self, ctxt, instance_uuid, migration_uuid, host, force, shared,
                        stop):
        """Schedule (``host`` when named; ``force`` skips the filters) and claim a host for
        the server of a dead host, and have it rebuilt there (cast)."""
        self.client.cast(ctxt, 'evacuate_server', version=RESIZE_VERSION,
                         instance_uuid=instance_uuid, migration_uuid=migration_uuid, host=host,
                         force=force, shared=shared, stop=stop)

    def evacuation_reached(self, ctxt, host, migration_uuid, status, event=None, fault=None,
                           power_state=None, shared=None):
        """The destination ``host`` ends the evacuation: 'done' or 'failed'."""
        return self.client.call(ctxt, 'evacuation_reached', version=RESIZE_VERSION, host=host,
                                migration_uuid=migration_uuid, status=status, event=event,
                                fault=fault, power_state=power_state, shared=shared)

    def evacuated_from(self, ctxt, host):
        """Evacuations from ``host`` whose leftovers are still there (for init_host)."""
        return self.client.call(ctxt, 'evacuated_from', version=RESIZE_VERSION, host=host)

    def evacuation_cleaned(self, ctxt, host, migration_uuid):
        """The source ``host`` removed the evacuated guest: the migration is 'completed'."""
        return self.client.call(ctxt, 'evacuation_cleaned', version=RESIZE_VERSION,
                                host=host, migration_uuid=migration_uuid)

    def moves_to(self, ctxt, host):
        """Resizes and cold migrations whose destination ``host`` had not finished them
        ([{'migration', 'instance', 'image'}]), for its init_host."""
        return self.client.call(ctxt, 'moves_to', version=RESIZE_VERSION, host=host)
