"""Client side of the scheduler RPC API.

1.0 - select_destinations
"""
from rpc import client as rpc_client

TOPIC = 'scheduler'
VERSION = '1.0'


class SchedulerAPI:
    def __init__(self, conf, transport):
        self.client = rpc_client.Client(conf, transport, TOPIC, VERSION, 'scheduler')

    def select_destinations(self, ctxt, request_spec, instance_uuids, return_alternates=True):
        """For each instance, a list of hosts: the first one claimed, the rest alternates.

        Each host is ``{'host', 'node', 'node_id'}``. Raises NoValidHost when an
        instance fits nowhere; claims made earlier in the same call are released (all or
        nothing).
        """
        return self.client.call(ctxt, 'select_destinations', request_spec=request_spec,
                                instance_uuids=instance_uuids,
                                return_alternates=return_alternates)
