"""Rescue in the libvirt driver: boot from a fresh disk.rescue, the root disk attached second."""
import logging
import os

import libvirt

from common import exception
from compute.virt.libvirt import config
from compute.virt.libvirt import disk

LOG = logging.getLogger(__name__)
RESCUE_DISK = 'disk.rescue'
UNRESCUE_XML = 'unrescue.xml'


class RescueMixin:
    """Needs the driver's _lookup, _domain, _conn, _virt, _hard_stop, _instance_dir,
    _guest_config and image_cache."""

    def rescue(self, instance, rescue_image, rescue_image_path):
        uuid = instance['uuid']
        dom = self._domain(instance)
        inst_dir = self._instance_dir(uuid)
        disk_path = os.path.join(inst_dir, 'disk')
        if not os.path.exists(disk_path):
            raise exception.VirtError(reason='%s has no root disk to rescue' % uuid)
        rescue_path = os.path.join(inst_dir, RESCUE_DISK)
        with self._virt('saving the domain of %s' % uuid):
            was_running = bool(dom.isActive())
            original = self._original_xml(inst_dir, rescue_path, self._inactive_xml(dom))
            _write(os.path.join(inst_dir, UNRESCUE_XML), original)
        try:
            self._create_rescue_disk(instance, rescue_image, rescue_image_path, rescue_path)
            xml = self._guest_config(instance, rescue_image, disk_path, inst_dir,
                                     rescue_disk=rescue_path).to_xml()
            self._hard_stop(dom)
            with self._virt('booting %s from its rescue disk' % uuid):
                self._conn().defineXML(xml).createWithFlags(0)
        except Exception:
            # Put the guest back as it was, so a failed rescue leaves it usable.
            self._restore_after_failed_rescue(uuid, original, inst_dir, was_running)
            raise
        LOG.info('%s boots from %s', uuid, rescue_path)

    def unrescue(self, instance):
        uuid = instance['uuid']
        inst_dir = self._instance_dir(uuid)
        dom = self._lookup(uuid)
        with self._virt('reading the domain of %s' % uuid):
            current = self._inactive_xml(dom) if dom is not None else None
            original = self._original_xml(inst_dir, os.path.join(inst_dir, RESCUE_DISK),
                                          current)
        if dom is not None:
            self._hard_stop(dom)
        with self._virt('booting %s from its own disk again' % uuid):
            self._conn().defineXML(original).createWithFlags(0)
        _remove_rescue_files(inst_dir)
        LOG.info('%s left rescue', uuid)

    @staticmethod
    def _inactive_xml(dom):
        # The persistent definition (no runtime ids or assigned ports) is what to redefine.
        return dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)

    @staticmethod
    def _original_xml(inst_dir, rescue_path, current):
        """The domain to go back to: ``current`` unless it is still a rescue domain
        (a rescue interrupted earlier), then the saved unrescue.xml, or ``current``
        without the rescue disk when that file is lost."""
        if current is not None and rescue_path not in config.disk_paths(current):
            return current
        saved = os.path.join(inst_dir, UNRESCUE_XML)
        if os.path.exists(saved):
            with open(saved, encoding='utf-8') as src:
                return src.read()
        if current is None:
            raise exception.VirtError(reason='no domain and no saved definition in %s'
                                             % inst_dir)
        LOG.warning('%s is lost; dropping the rescue disk from the domain instead', saved)
        return config.without_disk(current, rescue_path)

    def _create_rescue_disk(self, instance, image, image_path, path):
        """A qcow2 overlay on the cached rescue image, as big as the root disk."""
        base, base_format, base_size = self.image_cache.fetch(
            str(image['id']), image_path, checksum=image.get('checksum'),
            disk_format=image.get('disk_format'))
        if os.path.exists(path):
            os.unlink(path)  # left by an earlier rescue: never boot a used one
        self.image_cache.new_overlay(base, base_format,
                                     disk.overlay_size(instance['root_gb'], base_size), path)

    def _restore_after_failed_rescue(self, uuid, original, inst_dir, start):
        try:
            dom = self._lookup(uuid)
            if dom is not None:
                self._hard_stop(dom)
            with self._virt('restoring %s after a failed rescue' % uuid):
                dom = self._conn().defineXML(original)
                if start:
                    dom.createWithFlags(0)
        except exception.StratusError:
            LOG.exception('could not restore %s after a failed rescue', uuid)
            return
        _remove_rescue_files(inst_dir)


def _write(path, text):
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as out:
        out.write(text)
    os.replace(tmp, path)


def _remove_rescue_files(inst_dir):
    for name in (RESCUE_DISK, UNRESCUE_XML):
        try:
            os.unlink(os.path.join(inst_dir, name))
        except FileNotFoundError:
            pass
