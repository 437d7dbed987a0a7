"""Resize and cold migration in the libvirt driver: a powered-off guest's disk moves as files.

The source stops the guest, undefines its domain and renames its directory to
``<uuid>_resize``; the compute sends the disk to the destination, which points the
qcow2 overlay at its own cached copy of the base image, grows it to the new flavor
and defines the guest afresh. Confirm removes ``<uuid>_resize``; revert brings it
back and defines the guest again from the old flavor (a fresh VNC port included:
the old one may belong to another guest by then).
"""
import logging
import os
import shutil

from common import exception
from compute.virt.libvirt import disk
from image import qemu_img

LOG = logging.getLogger(__name__)
RESIZE_SUFFIX = '_resize'
INBOX_SUFFIX = '_inbox'
# The files a move carries: the root disk (the console log and XML stay behind).
MOVED_FILES = ('disk',)


class ResizeMixin:
    """Methods of LibvirtDriver; ``self`` is the driver."""

    def _resize_dir(self, uuid):
        return self._instance_dir(uuid) + RESIZE_SUFFIX

    def migration_inbox(self, instance):
        """Where the destination receives a moving guest's files (emptied first)."""
        inbox = self._instance_dir(instance['uuid']) + INBOX_SUFFIX
        shutil.rmtree(inbox, ignore_errors=True)
        os.makedirs(inbox)
        return inbox

    def migrate_disk_and_power_off(self, instance, timeout):
        """On the source: stop the guest (cleanly within ``timeout`` s), undefine it and
        set its files aside; (directory, file names) for the destination to pull."""
        uuid = instance['uuid']
        inst_dir, kept = self._instance_dir(uuid), self._resize_dir(uuid)
        if os.path.isdir(kept) and not os.path.isdir(inst_dir):
            return kept, self._moved_files(kept)      # a repeated message: already done
        self.power_off(instance, timeout)
        dom = self._lookup(uuid)
        with self._virt('setting %s aside for its move' % uuid):
            shutil.rmtree(kept, ignore_errors=True)
            os.rename(inst_dir, kept)
        if dom is not None:
            self._remove_domain(dom)
        self._release_vnc_port(uuid)
        return kept, self._moved_files(kept)

    @staticmethod
    def _moved_files(directory):
        return [name for name in MOVED_FILES if os.path.isfile(os.path.join(directory, name))]

    def finish_migration(self, instance, image, image_path, inbox, power_on):
        """On the destination: the received disk becomes the guest's, on this host's base
        image and at least the new flavor's size; defined, and started if ``power_on``."""
        uuid = instance['uuid']
        inst_dir = self._instance_dir(uuid)
        if self._lookup(uuid) is not None:
            raise exception.VirtError(reason='domain for %s already exists here' % uuid)
        try:
            shutil.rmtree(inst_dir, ignore_errors=True)
            os.rename(inbox, inst_dir)
            disk_path = os.path.join(inst_dir, 'disk')
            self._adopt_disk(instance, image or {}, image_path, disk_path)
            xml = self._guest_config(instance, image or {}, disk_path, inst_dir).to_xml()
            with self._virt('defining %s' % uuid):
                dom = self._conn().defineXML(xml)
                if power_on:
                    self._start_domain(dom)
        except Exception as exc:
            self.destroy(instance)
            if isinstance(exc, exception.VirtError):
                raise
            raise exception.VirtError(reason='finishing the move of %s failed: %s'
                                             % (uuid, exc)) from exc

    def _adopt_disk(self, instance, image, image_path, disk_path):
        info = qemu_img.info(disk_path, fmt='qcow2')
        if info.get('backing-filename'):
            image_id = str(image.get('id') or instance['image_ref'] or image_path)
            base, base_format, _size = self.image_cache.fetch(
                image_id, image_path, checksum=image.get('checksum'),
                disk_format=image.get('disk_format'))
            qemu_img.rebase_unsafe(disk_path, base, base_format)
        wanted = int(instance.get('root_gb') or 0) * disk.GiB
        if wanted > info['virtual-size']:
            qemu_img.grow(disk_path, wanted)

    def confirm_migration(self, instance):
        """On the source after confirm: nothing of the guest stays here."""
        shutil.rmtree(self._resize_dir(instance['uuid']), ignore_errors=True)

    def finish_revert_migration(self, instance, image, image_path, power_on):
        """On the source after a revert (or a failed move): the guest as it was (``instance``
        carries the old flavor), started when ``power_on``."""
        uuid = instance['uuid']
        inst_dir, kept = self._instance_dir(uuid), self._resize_dir(uuid)
        if os.path.isdir(kept):
            shutil.rmtree(inst_dir, ignore_errors=True)
            os.rename(kept, inst_dir)
        disk_path = os.path.join(inst_dir, 'disk')
        if not os.path.isfile(disk_path):
            raise exception.VirtError(reason='the disk of %s is no longer here' % uuid)
        dom = self._lookup(uuid)
        if dom is None:
            xml = self._guest_config(instance, image or {}, disk_path, inst_dir).to_xml()
            with self._virt('defining %s again' % uuid):
                dom = self._conn().defineXML(xml)
        if power_on and not dom.isActive():
            with self._virt('starting %s' % uuid):
                dom.createWithFlags(0)

    def remove_evacuated(self, instance, keep_disks):
        """Remove a guest that runs elsewhere now; its files too unless ``keep_disks``."""
        if not keep_disks:
            self.destroy(instance)
            return
        dom = self._lookup(instance['uuid'])
        if dom is not None:
            self._remove_domain(dom)
        self._release_vnc_port(instance['uuid'])

    def cleanup_migration_destination(self, instance):
        """On the destination after a revert or a failure: the guest and every file it
        had or was receiving here are gone (its kept files, on a same-host move, stay)."""
        self.destroy(instance)
        shutil.rmtree(self._instance_dir(instance['uuid']) + INBOX_SUFFIX, ignore_errors=True)
