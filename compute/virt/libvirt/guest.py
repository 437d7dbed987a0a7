"""Talking to the guest in the libvirt driver: its serial log, and its agent for passwords."""
import logging
import os

import libvirt

from common import exception
from compute.virt.libvirt import config

LOG = logging.getLogger(__name__)
MAX_CONSOLE_BYTES = 100 * 1024  # as Nova: a log can grow without bound; send its tail
DEFAULT_ADMIN_USER = 'root'


class GuestMixin:
    """Needs the driver's get_domain_xml and _domain."""

    def get_console_output(self, instance):
        path = config.console_log_path(self.get_domain_xml(instance))
        if not path or not os.path.exists(path):
            # Nothing written yet (or a console that is not a file): an empty log.
            LOG.info('%s has no console log file yet', instance['uuid'])
            return b''
        try:
            with open(path, 'rb') as log:
                size = log.seek(0, os.SEEK_END)
                log.seek(max(0, size - MAX_CONSOLE_BYTES))
                return log.read(MAX_CONSOLE_BYTES)
        except OSError as exc:
            raise exception.VirtError(reason='reading the console log of %s: %s'
                                             % (instance['uuid'], exc)) from exc

    def set_admin_password(self, instance, new_pass):
        xml = self.get_domain_xml(instance)
        if not config.has_guest_agent(xml):
            raise exception.NotSupported(
                action='set the admin password',
                reason='the guest has no QEMU guest agent (boot it from an image with the '
                       'property hw_qemu_guest_agent=yes)')
        user = config.admin_user(xml) or DEFAULT_ADMIN_USER
        dom = self._domain(instance)
        try:
            dom.setUserPassword(user, new_pass, 0)
        except libvirt.libvirtError as exc:
            # libvirt's message names the user and the agent's error, never the password.
            raise exception.VirtError(reason='setting the password of %s in %s: %s'
                                             % (user, instance['uuid'], exc)) from exc
        LOG.info('password of %s set in %s', user, instance['uuid'])
