"""First-start defaults for an empty cloud: the usual flavors and a small blank image."""
import logging
import os

from db import flavors
from db import images

LOG = logging.getLogger(__name__)

FLAVORS = (('42', 'm1.nano', 128, 1, 1), ('1', 'm1.tiny', 512, 1, 1),
           ('2', 'm1.small', 2048, 1, 20))
IMAGE_NAME = 'stratus-tiny'


def seed_defaults(conf, db, store):
    """Create the default flavors and image when the cloud has none (idempotent)."""
    if not flavors.list_(db, is_public=None):
        for flavorid, name, ram, vcpus, disk in FLAVORS:
            flavors.create(db, {'flavorid': flavorid, 'name': name, 'memory_mb': ram,
                                'vcpus': vcpus, 'root_gb': disk})
        LOG.info('created the default flavors %s', ', '.join(f[1] for f in FLAVORS))
    if not images.list_(db, {}):
        from image import importer
        from image import qemu_img
        path = os.path.join(conf.state_path, f'{IMAGE_NAME}.qcow2')
        qemu_img.create_blank(path, 64 * 2 ** 20)
        image = importer.import_file(db, store, path, IMAGE_NAME, visibility='public')
        os.unlink(path)
        LOG.info('imported the default image %s (%s)', IMAGE_NAME, image['id'])
