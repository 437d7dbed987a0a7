"""Compute endpoints that talk to the guest: its console log and its admin password."""
import logging

from common import exception

LOG = logging.getLogger(__name__)


def tail(text, length):
    """The last ``length`` lines of ``text`` (all of it when None)."""
    if length is None:
        return text
    if length <= 0:
        return ''
    # As Nova counts them: what follows the last newline (often '') is a line too, so
    # 3 lines of "a\nb\nc\n" are "b\nc\n" and split('\n') gives 3 items, as tempest checks.
    return '\n'.join(text.split('\n')[-length:])


class GuestEndpoint:
    """Calls: the API waits for the answer."""

    def __init__(self, runner):
        self.runner = runner
        self.driver = runner.driver

    def get_console_output(self, ctxt, instance, length):
        try:
            data = self.driver.get_console_output(instance)
        except exception.InstanceNotFound as exc:
            raise exception.Conflict(f'Instance {instance["uuid"]} is not ready: it has no '
                                     f'guest on {self.runner.host}.') from exc
        return tail(data.decode('utf-8', 'replace'), length)

    def set_admin_password(self, ctxt, instance, new_pass):
        """Set it through the guest agent; a refusal or failure goes back to the caller as
        a 409 (the instance stays as it was, the event and fault record why)."""
        failures = []

        def work(inst):
            try:
                self.driver.set_admin_password(inst, new_pass)
            except Exception as exc:
                failures.append(exc)
                raise

        self.runner.run(ctxt, instance, 'changePassword', method='set_admin_password',
                        notify='set_admin_password', work=work)
        if failures:
            raise _refusal(instance, failures[0])


def _refusal(instance, exc):
    if isinstance(exc, exception.Conflict):
        return exc
    if isinstance(exc, exception.InstanceNotFound):
        return exception.Conflict(f'Instance {instance["uuid"]} is not ready: it has no '
                                  'guest.')
    # As Nova: the caller learns only that it failed; the host log and the event say why.
    return exception.Conflict(f'Failed to set admin password on {instance["uuid"]} '
                              'because error setting admin password')
