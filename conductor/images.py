"""Conductor endpoint: the checked gateway through which compute hosts write snapshot images.

A host may only touch an image made from one of its own instances (the image's
``instance_uuid`` property names it), and only its upload fields.
"""
import logging

from common import exception
from db import images
from db import instances

LOG = logging.getLogger(__name__)
HOST_WRITABLE = {'status', 'size', 'checksum', 'os_hash_algo', 'os_hash_value',
                 'virtual_size', 'disk_format', 'container_format'}


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

    def image_delete(self, ctxt, host, image_id):
        try:
            self._check_owner(host, image_id)
        except exception.ImageNotFound:
            return None
        images.delete(self.db, image_id)
        self.image_store.delete(image_id)
        LOG.info('image %s deleted for %s', image_id, host)
        return None

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
