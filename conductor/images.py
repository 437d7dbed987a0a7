"""Conductor endpoint: the checked gateway through which compute hosts write snapshot images.

A host may only touch an image made from one of its own instances (the image's
``instance_uuid`` property names it), and only its upload fields. Backup
rotation and the repair of snapshot images left unfinished by a crash live here
too, beside the same checks.
"""
import datetime
import logging

from common import exception
from common import timeutils
from conductor import shelve
from compute import states
from db import images
from db import instances

LOG = logging.getLogger(__name__)
HOST_WRITABLE = {'status', 'size', 'checksum', 'os_hash_algo', 'os_hash_value',
                 'virtual_size', 'disk_format', 'container_format'}
UNFINISHED = ('queued', 'saving')
# While its instance is in one of these, a queued/saving snapshot image is being worked on.
_SNAPSHOT_TASKS = frozenset({states.IMAGE_SNAPSHOT_PENDING, states.IMAGE_BACKUP,
                             states.IMAGE_UPLOADING, states.SHELVING,
                             states.SHELVING_IMAGE_UPLOADING})
REPAIR_INTERVAL = 60


class ImageGateway:
    def __init__(self, db, image_store):
        self.db = db
        self.image_store = image_store

    def image_update(self, ctxt, host, image_id, values):
        bad = set(values) - HOST_WRITABLE
        if bad:
            raise exception.HostMismatch(host=host, what=f'image fields {sorted(bad)}',
                                         owner='the image service')
        self._check_owner(host, image_id)
        return images.update(self.db, image_id, values)

    def image_delete(self, ctxt, host, image_id, unfinished_only=False):
        try:
            image = self._check_owner(host, image_id)
        except exception.ImageNotFound:
            return None
        if unfinished_only and image['status'] not in UNFINISHED:
            return None
        self._delete(image_id)
        shelve.forget_shelved_image(self.db, image)
        LOG.info('image %s deleted for %s', image_id, host)
        return None

    def rotate_backups(self, ctxt, host, instance_uuid, backup_type, rotation):
        """Keep the newest ``rotation`` backups of this type of the host's instance.

        Only images owned by the instance's project count, so nobody can get
        another project's image rotated away by copying the properties onto it.
        Returns the ids deleted.
        """
        instance = instances.get(self.db, instance_uuid)
        if instance['host'] != host:
            raise exception.HostMismatch(host=host, what=f'instance {instance_uuid}',
                                         owner=instance['host'] or 'nobody')
        backups = [image for image in images.list_(self.db, owner=instance['project_id'])
                   if _is_backup_of(image, instance_uuid, backup_type)]
        # list_ is newest first: everything past the first ``rotation`` goes.
        doomed = [image['id'] for image in backups[max(int(rotation), 0):]]
        for image_id in doomed:
            self._delete(image_id)
        LOG.info('rotated %s backups of %s (keep %s): deleted %s', backup_type,
                 instance_uuid, rotation, doomed or 'none')
        return doomed

    def repair_stuck(self, ctxt, grace_seconds):
        """Delete snapshot images left queued/saving by a snapshot that no longer runs.

        A compute that crashed mid-snapshot gets its instance's task_state reset
        on restart, but the image record would stay 'saving' for ever. An image
        counts as abandoned once it has not changed for ``grace_seconds`` and its
        instance (if any is left) is not in a snapshot, backup or shelve step.
        Returns the ids deleted.
        """
        cutoff = timeutils.utcnow() - datetime.timedelta(seconds=grace_seconds)
        deleted = []
        for image in images.list_(self.db, status=list(UNFINISHED)):
            uuid = (image.get('properties') or {}).get('instance_uuid')
            changed = image.get('updated_at') or image['created_at']
            if not uuid or changed > cutoff or self._snapshot_running(uuid):
                continue
            LOG.warning('snapshot image %s of instance %s stayed %s since %s with no '
                        'snapshot running; deleting it', image['id'], uuid, image['status'],
                        changed)
            self._delete(image['id'])
            deleted.append(image['id'])
        return deleted

    def _snapshot_running(self, instance_uuid):
        try:
            instance = instances.get(self.db, instance_uuid)
        except exception.InstanceNotFound:
            return False
        return instance['task_state'] in _SNAPSHOT_TASKS

    def _delete(self, image_id):
        # The row goes first, so nobody starts reading bits that are about to vanish.
        try:
            images.delete(self.db, image_id)
        except exception.ImageNotFound:
            pass
        self.image_store.delete(image_id)

    def _check_owner(self, host, image_id):
        image = images.get(self.db, image_id)
        uuid = (image.get('properties') or {}).get('instance_uuid')
        owner = None
        if uuid:
            try:
                owner = instances.get(self.db, uuid, read_deleted=True)['host']
            except exception.InstanceNotFound:
                owner = None
        if owner != host:
            raise exception.HostMismatch(host=host, what=f'image {image_id}',
                                         owner=owner or 'nobody')
        return image


def _is_backup_of(image, instance_uuid, backup_type):
    props = image.get('properties') or {}
    return (props.get('instance_uuid') == instance_uuid
            and props.get('image_type') == 'backup'
            and props.get('backup_type') == backup_type)


def periodic_task(conf, manager, ctxt):
    """The conductor's (interval, name, callable) entry repairing stuck snapshot images."""
    gateway = next(e for e in manager.endpoints if isinstance(e, ImageGateway))
    return (REPAIR_INTERVAL, 'repair_stuck_images',
            lambda: gateway.repair_stuck(ctxt, conf.image.stuck_snapshot_timeout))
