"""Compute endpoints for remote consoles: where a guest's VNC server answers, and checking it."""
import logging

from common import exception

LOG = logging.getLogger(__name__)
VNC_TYPES = ('novnc',)


class ConsoleEndpoint:
    """Calls from the API (get_vnc_console) and consoleauth (validate_console_port)."""

    def __init__(self, conf, driver):
        self.conf = conf
        self.driver = driver

    def get_vnc_console(self, ctxt, instance):
        """{'host', 'port', 'internal_access_path'} of the guest's VNC server, as the
        console proxy reaches it; ConsoleNotAvailable when there is none."""
        if not self.conf.vnc.enabled:
            raise exception.ConsoleNotAvailable(reason='VNC consoles are disabled on this '
                                                       'host')
        port = self.driver.get_vnc_port(instance)
        return {'host': self.conf.vnc.server_proxyclient_address, 'port': port,
                'internal_access_path': None}

    def validate_console_port(self, ctxt, instance, port, console_type):
        """True when ``port`` is still this guest's console (a token minted for a port
        that another guest has since taken must not reach that guest)."""
        if console_type not in VNC_TYPES or not self.conf.vnc.enabled:
            return False
        try:
            current = self.driver.get_vnc_port(instance)
        except (exception.ConsoleNotAvailable, exception.InstanceNotFound):
            return False
        try:
            return int(port) == current
        except (TypeError, ValueError):
            return False


def forget_tokens(consoleauth_api, ctxt, uuid):
    """The guest's console moved or went: no old token may reach this host's port."""
    if consoleauth_api is None:
        return
    try:
        consoleauth_api.delete_tokens_for_instance(ctxt, uuid)
    except Exception:  # noqa: BLE001 - the tokens still die with their TTL
        LOG.warning('could not drop the console tokens of %s', uuid, exc_info=True)
