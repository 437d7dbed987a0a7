"""Client side of the compute RPC API; each message goes to compute.<host>.

1.0 - build_and_run_instance, terminate_instance, list_guests
"""
from rpc import client as rpc_client

TOPIC = 'compute'
VERSION = '1.0'


class ComputeAPI:
    def __init__(self, conf, transport):
        self.client = rpc_client.Client(conf, transport, TOPIC, VERSION, 'compute')

    def build_and_run_instance(self, ctxt, host, instance, image, request_spec, alternates):
        self.client.cast(ctxt, 'build_and_run_instance', server=host, instance=instance,
                         image=image, request_spec=request_spec, alternates=alternates)

    def terminate_instance(self, ctxt, host, instance):
        self.client.cast(ctxt, 'terminate_instance', server=host, instance=instance)

    def list_guests(self, ctxt, host):
        """What the hypervisor on ``host`` runs: [{'uuid', 'power_state'}] (operators, tests)."""
        return self.client.call(ctxt, 'list_guests', server=host)
