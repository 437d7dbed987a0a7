"""Client side of the consoleauth RPC API (topic 'consoleauth'); every method is declared here.

1.0 - authorize_console (call), check_token (call), delete_tokens_for_instance (cast);
      authorize_console's compute_host (the instance's compute service host, which
      check_token asks to re-validate the port) was added before the first release
"""
from rpc import client as rpc_client

TOPIC = 'consoleauth'
VERSION = '1.0'


class ConsoleAuthAPI:
    def __init__(self, conf, transport):
        self.client = rpc_client.Client(conf, transport, TOPIC, VERSION, 'consoleauth')
        # A browser is waiting on a check: refuse in seconds, not rpc_response_timeout.
        self.check_timeout = conf.consoleauth.check_timeout

    def authorize_console(self, ctxt, instance_uuid, console_type, host, port,
                          internal_access_path=None, access_url_base=None,
                          compute_host=None):
        """Mint a token for the console at host:port of the instance; returns
        {'token', 'expires'} (expires: epoch seconds). The plain token exists only in
        this answer; the store keeps its SHA-256. ``host`` is the address the proxy
        connects to ([vnc] server_proxyclient_address); ``compute_host`` is the
        instance's compute service host (instance['host']), whose compute check_token
        asks to confirm the port: a token minted without it is never accepted.
        Raises ServiceUnavailable when the token store is down."""
        return self.client.call(ctxt, 'authorize_console', instance_uuid=instance_uuid,
                                console_type=console_type, host=host, port=port,
                                internal_access_path=internal_access_path,
                                access_url_base=access_url_base, compute_host=compute_host)

    def check_token(self, ctxt, token):
        """The connection info of a valid token whose port the instance's compute still
        confirms ({'instance_uuid', 'console_type', 'host', 'port',
        'internal_access_path', 'access_url_base', 'expires'}), or None. Raises
        ServiceUnavailable when the token store is down (refuse the session too)."""
        return self.client.call(ctxt, 'check_token', timeout=self.check_timeout, token=token)

    def delete_tokens_for_instance(self, ctxt, instance_uuid):
        """Forget every token of the instance (deleted, rebuilt, moved, shelved)."""
        self.client.cast(ctxt, 'delete_tokens_for_instance', instance_uuid=instance_uuid)
