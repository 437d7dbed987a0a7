"""The gateway's side of console tokens: minting a console's URL, forgetting an instance's."""
import logging
import urllib.parse

from common import exception
from rpc import client as rpc_client

LOG = logging.getLogger(__name__)
TOKEN_PATH = 'os-console-auth-tokens/'


def vnc_console_url(req, deps, instance, console_type):
    """Ask the instance's host where its VNC server is, have consoleauth mint a token for
    it, and answer the noVNC URL that carries the token. 409 without a host or console,
    503 when the host, consoleauth or its token store does not answer."""
    ctxt = req.context
    if not instance.get('host'):
        raise exception.ConsoleNotAvailable(
            reason=f'instance {instance["uuid"]} is not on any host')
    if deps.consoleauth_api is None:
        raise exception.ServiceUnavailable(what='The console authentication service',
                                           reason='it is not configured')
    try:
        where = deps.compute_api.get_vnc_console(ctxt, instance['host'], instance)
    except rpc_client.CallTimeout as exc:
        raise exception.ServiceUnavailable(
            what=f'The compute service on {instance["host"]}',
            reason='it did not answer in time') from exc
    base = deps.conf.vnc.novncproxy_base_url
    try:
        # compute_host: the host consoleauth asks to re-validate the port at each check.
        minted = deps.consoleauth_api.authorize_console(
            ctxt, instance['uuid'], console_type, where['host'], where['port'],
            internal_access_path=where.get('internal_access_path'), access_url_base=base,
            compute_host=instance['host'])
    except rpc_client.CallTimeout as exc:
        raise exception.ServiceUnavailable(what='The console authentication service',
                                           reason='it did not answer in time') from exc
    return access_url(base, minted['token'])


def access_url(base, token):
    """``base`` plus noVNC's ``path`` parameter: the websocket path with the token, the
    vnc_lite.html convention (``?path=%3Ftoken%3D...``); a query in ``base`` is kept."""
    param = 'path=' + urllib.parse.quote('?token=' + token, safe='')
    parts = urllib.parse.urlsplit(base)
    query = f'{parts.query}&{param}' if parts.query else param
    return urllib.parse.urlunsplit(parts._replace(query=query))


def forget_tokens(deps, ctxt, instance_uuid):
    """Drop every console token of the instance (deleted, rebuilt, shelved); a failed
    cast must not fail the action: the tokens still die with their TTL."""
    if deps.consoleauth_api is None:
        return
    try:
        deps.consoleauth_api.delete_tokens_for_instance(ctxt, instance_uuid)
    except Exception:  # noqa: BLE001 - best effort, as said above
        LOG.warning('could not drop the console tokens of %s; they expire with their TTL',
                    instance_uuid, exc_info=True)


def redact(path):
    """``path`` with a console token in it replaced, so request logs never hold one."""
    head, found, _token = path.partition(TOKEN_PATH)
    return head + found + '***' if found else path
