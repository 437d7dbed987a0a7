"""Conductor endpoint of resize and cold migration: the API's casts, the auto-confirm, and
the checked gateway through which the two compute hosts report each step.

Each report names the migration status it reaches; the conductor knows what that
step may change (host, node and flavor move only at 'finished' and 'reverted')
and which host may report it, and makes the claims follow.
"""
import logging

from common import exception
from common import timeutils
from compute import states
from compute.virt import power_state as power
from conductor.tasks import migrate
from conductor.tasks import moves
from db import compute_nodes
from db import instance_migrations
from db import instances
from scheduler import claims

LOG = logging.getLogger(__name__)
# status reached -> (the statuses it follows, who reports it, instance task_states before)
STEPS = {
    'migrating': (('pre-migrating',), 'source_compute', (states.RESIZE_PREP,)),
    'post-migrating': (('migrating',), 'source_compute', (states.RESIZE_MIGRATING,)),
    'finished': (('post-migrating',), 'dest_compute', (states.RESIZE_MIGRATED,)),
    'confirmed': (('confirming',), 'source_compute', (states.RESIZE_CONFIRMING,)),
    'reverted': (('reverting',), 'source_compute', (states.RESIZE_REVERTING,)),
    'error': (('pre-migrating', 'migrating', 'post-migrating', 'confirming', 'reverting'),
              None, (*states.RESIZE_STEPS, states.RESIZE_CONFIRMING,
                     states.RESIZE_REVERTING)),
}
_NEXT_TASK = {'migrating': states.RESIZE_MIGRATING, 'post-migrating': states.RESIZE_MIGRATED}
_SIZES = ('memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb')


def flavor_values(flavor):
    """The instance columns that carry ``flavor``."""
    return {'flavor': flavor, 'flavor_id': flavor['flavorid'],
            **{k: flavor.get(k) or 0 for k in _SIZES}}


class ResizeEndpoint:
    def __init__(self, conf, db, scheduler_api, compute_api):
        self.conf = conf
        self.db = db
        self.compute_api = compute_api
        self.task = migrate.MigrateTask(conf, db, scheduler_api, compute_api)

    # -- api -> conductor ---------------------------------------------------------
    def migrate_server(self, ctxt, instance_uuid, migration_uuid, host=None):
        self.task.execute(ctxt, instance_uuid, migration_uuid, host)

    def resize_decided(self, ctxt, instance_uuid, decision):
        """The API moved the instance to resize_confirming or resize_reverting: the
        migration follows, and the host that does the work is told."""
        migration = self._waiting(instance_uuid)
        if migration is None:
            LOG.warning('%s of %s: no resize waits for it', decision, instance_uuid)
            return
        status = 'confirming' if decision == 'confirm' else 'reverting'
        migration = instance_migrations.update(self.db, migration['uuid'],
                                               {'status': status}, expected_status='finished')
        instance = instances.get(self.db, instance_uuid)
        if decision == 'confirm':
            self.compute_api.confirm_resize(ctxt, migration['source_compute'], instance,
                                            migration)
        else:
            self.compute_api.revert_resize(ctxt, migration['dest_compute'], instance,
                                           migration, self.task.image(instance))

    def resize_in_progress(self, ctxt, host, instance_uuid):
        found = instance_migrations.list_(self.db, instance_uuid=instance_uuid,
                                          status=list(instance_migrations.RESIZE_OPEN),
                                          migration_type=['resize', 'migration'], limit=1)
        if found and host in (found[0]['source_compute'], found[0]['dest_compute']):
            # With the image, which a host that repairs the move defines the guest from.
            instance = instances.get(self.db, instance_uuid)
            return dict(found[0], image=self.task.image(instance))
        return None

    def moves_to(self, ctxt, host):
        """Moves whose destination ``host`` had not finished them ('post-migrating'), each
        as {'migration', 'instance', 'image'}: a restarted destination gives them back."""
        found = []
        for migration in instance_migrations.list_(
                self.db, status='post-migrating', migration_type=['resize', 'migration']):
            if migration['dest_compute'] != host:
                continue
            instance = instances.get(self.db, migration['instance_uuid'])
            found.append({'migration': migration, 'instance': instance,
                          'image': self.task.image(instance)})
        return found

    def _waiting(self, instance_uuid):
        found = instance_migrations.list_(self.db, instance_uuid=instance_uuid,
                                          status='finished', limit=1)
        return found[0] if found else None

    # -- compute -> conductor -------------------------------------------------------
    def resize_reached(self, ctxt, host, migration_uuid, status, event=None, fault=None,
                       power_state=None):
        """``host`` reports that the move reached ``status``; returns the instance."""
        if status not in STEPS:
            raise exception.HostMismatch(host=host, what=f'migration status {status}',
                                         owner='the conductor')
        after, reporter, tasks = STEPS[status]
        migration = instance_migrations.get(self.db, migration_uuid)
        allowed = ((migration[reporter],) if reporter else
                   (migration['source_compute'], migration['dest_compute']))
        if host not in allowed:
            raise exception.HostMismatch(host=host, what=f'migration {migration_uuid}',
                                         owner=' and '.join(str(a) for a in allowed))
        kwargs = {'expected_task_state': list(tasks)}
        if fault:
            kwargs['fault'] = dict(fault, host=host)
        values = self._instance_values(migration, status, power_state)
        instance = instances.update(self.db, migration['instance_uuid'], values, **kwargs)
        instance_migrations.update(self.db, migration_uuid, {'status': status},
                                   expected_status=list(after))
        self._claims_follow(migration, status)
        self._event(ctxt, migration, host, event)
        return instance

    def _instance_values(self, migration, status, power_state):
        if status in _NEXT_TASK:
            return {'task_state': _NEXT_TASK[status]}
        values = {'task_state': None, 'task_deadline': None}
        if power_state is not None:
            values['power_state'] = power_state
        running = power_state == power.RUNNING
        if status == 'finished':
            values.update(self._placed(migration['dest_compute'], migration['dest_node']),
                          vm_state=states.RESIZED, **flavor_values(migration['new_flavor']))
        elif status == 'reverted':
            values.update(self._placed(migration['source_compute'], migration['source_node']),
                          vm_state=states.ACTIVE if running else states.STOPPED,
                          **flavor_values(migration['old_flavor']))
        elif status == 'confirmed':
            # The guest runs on the destination, which reported its power at 'finished'.
            kept = instances.get(self.db, migration['instance_uuid'])['power_state']
            values['vm_state'] = states.ACTIVE if kept == power.RUNNING else states.STOPPED
        else:   # error: the reporter put the guest back on the instance's host, or could not
            restored = power_state not in (None, power.NOSTATE)
            values['vm_state'] = ((states.ACTIVE if running else states.STOPPED) if restored
                                  else states.ERROR)
        return values

    def _placed(self, host, node):
        values = {'host': host, 'node': node}
        try:
            values['availability_zone'] = compute_nodes.get_by_host_node(
                self.db, host, node)['availability_zone']
        except exception.ComputeHostNotFound:
            pass
        return values

    def _claims_follow(self, migration, status):
        """finished: the instance owns the destination's claim, the migration the source's;
        confirmed drops the source's, reverted the destination's; an error before the
        landing drops the destination's."""
        instance_uuid, migration_uuid = migration['instance_uuid'], migration['uuid']
        if status == 'finished':
            claims.hold_source(self.db, instance_uuid, migration_uuid)
        elif status == 'reverted':
            claims.give_back_source(self.db, instance_uuid, migration_uuid)
        elif status in ('confirmed', 'error'):
            claims.release(self.db, migration_uuid)

    def _event(self, ctxt, migration, host, event):
        moves.record_event(self.db, ctxt, migration, host, event)

    # -- periodic -----------------------------------------------------------------
    def confirm_old_resizes(self, ctxt, window):
        """Resizes left in VERIFY_RESIZE longer than ``window`` seconds are confirmed."""
        if not window:
            return
        now = timeutils.utcnow()
        for migration in instance_migrations.list_(self.db, status='finished'):
            changed = migration['updated_at'] or migration['created_at']
            if (now - changed).total_seconds() < window:
                continue
            try:
                instances.update(self.db, migration['instance_uuid'],
                                 {'task_state': states.RESIZE_CONFIRMING},
                                 expected_task_state=None, expected_vm_state=states.RESIZED)
            except (exception.InstanceNotFound, exception.UnexpectedTaskState):
                continue
            LOG.info('confirming the resize of %s after %d s', migration['instance_uuid'],
                     window)
            self.resize_decided(ctxt, migration['instance_uuid'], 'confirm')
