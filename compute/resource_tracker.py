"""Resource tracker: this host's inventory, reported to the conductor."""
import logging

LOG = logging.getLogger(__name__)


class ResourceTracker:
    def __init__(self, conf, host, driver, conductor_api):
        self.conf = conf
        self.host = host
        self.driver = driver
        self.conductor_api = conductor_api
        self.node = None

    def inventory(self):
        res = self.driver.get_available_resource()
        c = self.conf.compute
        return {
            'hypervisor_type': res['hypervisor_type'],
            'hypervisor_version': res.get('hypervisor_version', 0),
            'host_ip': res.get('host_ip'),
            'availability_zone': c.availability_zone,
            'vcpus': res['vcpus'],
            'memory_mb': res['memory_mb'],
            'local_gb': res['local_gb'],
            'reserved_host_memory_mb': c.reserved_host_memory_mb,
            'cpu_allocation_ratio': c.cpu_allocation_ratio,
            'ram_allocation_ratio': c.ram_allocation_ratio,
            'disk_allocation_ratio': c.disk_allocation_ratio,
            'capabilities': self.capabilities(),
        }, res['hypervisor_hostname']

    def capabilities(self):
        """The driver's capabilities, each refused one with the driver's reason, so the
        API can refuse an action this host cannot do with a message that says why."""
        caps = dict(getattr(self.driver, 'capabilities', None) or {})
        for name, able in list(caps.items()):
            if not able:
                caps[f'{name}_refusal'] = self.driver.capability_refusal(name)
        return caps

    def report(self, ctxt):
        """Send the inventory; the conductor checks the node belongs to this host."""
        inventory, node = self.inventory()
        self.node = node
        self.conductor_api.compute_node_report(ctxt, self.host, node, inventory)
        LOG.debug('reported inventory of %s: %s', node, inventory)
        return node
