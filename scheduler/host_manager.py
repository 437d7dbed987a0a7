"""Host states: a fresh view of every compute node and its service, read from the database."""
import dataclasses

from db import compute_nodes
from db import services

COMPUTE_BINARY = 'stratus-compute'


@dataclasses.dataclass
class HostState:
    """One compute node as the filters and weighers see it (plain data, no DB handle)."""

    host: str
    node: str
    node_id: int
    availability_zone: str
    vcpus: int
    vcpus_used: int
    memory_mb: int
    memory_mb_used: int
    local_gb: int
    local_gb_used: int
    reserved_host_memory_mb: int
    cpu_allocation_ratio: float
    ram_allocation_ratio: float
    disk_allocation_ratio: float
    running_vms: int
    free_vcpus: int
    free_ram_mb: int
    free_disk_gb: int
    service: dict | None = None
    service_up: bool = False
    service_disabled: bool = False

    @classmethod
    def from_db(cls, node, service, down_time):
        """Build from a compute_nodes row dict and its service row dict (or None)."""
        free_vcpus, free_ram_mb, free_disk_gb = compute_nodes.free(node)
        return cls(
            host=node['host'], node=node['hypervisor_hostname'], node_id=node['id'],
            availability_zone=node['availability_zone'],
            vcpus=node['vcpus'], vcpus_used=node['vcpus_used'],
            memory_mb=node['memory_mb'], memory_mb_used=node['memory_mb_used'],
            local_gb=node['local_gb'], local_gb_used=node['local_gb_used'],
            reserved_host_memory_mb=node['reserved_host_memory_mb'],
            cpu_allocation_ratio=node['cpu_allocation_ratio'],
            ram_allocation_ratio=node['ram_allocation_ratio'],
            disk_allocation_ratio=node['disk_allocation_ratio'],
            running_vms=node['running_vms'],
            free_vcpus=free_vcpus, free_ram_mb=free_ram_mb, free_disk_gb=free_disk_gb,
            service=service,
            service_up=bool(service) and services.is_up(service, down_time),
            service_disabled=bool(service) and bool(service['disabled']))

    def destination(self):
        """The wire shape select_destinations returns for this host."""
        return {'host': self.host, 'node': self.node, 'node_id': self.node_id}


class HostManager:
    """Reads host states on every call, so every scheduler process sees every claim."""

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    def get_host_states(self, ctxt=None):
        """A HostState per compute node, in node id order (two queries, no cache).

        No cache on purpose: several schedulers claim against the same rows, and
        a stale view only costs failed claims, never an overcommit.
        """
        nodes = compute_nodes.list_(self.db)
        by_host = {s['host']: s for s in services.list_(self.db, binary=COMPUTE_BINARY)}
        down_time = self.conf.service_down_time
        return [HostState.from_db(node, by_host.get(node['host']), down_time)
                for node in nodes]
