"""[compute] and [libvirt] options for compute workers."""
from oslo_config import cfg

OPTS = [
    cfg.StrOpt('availability_zone', default='nova', help='Zone this host belongs to.'),
    cfg.FloatOpt('cpu_allocation_ratio', default=16.0, min=0.0,
                 help='Virtual CPUs offered per physical CPU.'),
    cfg.FloatOpt('ram_allocation_ratio', default=1.5, min=0.0,
                 help='Virtual RAM offered per MB of physical RAM.'),
    cfg.FloatOpt('disk_allocation_ratio', default=1.0, min=0.0,
                 help='Virtual disk offered per GB of local disk.'),
    cfg.IntOpt('reserved_host_memory_mb', default=0, min=0,
               help='Memory (MB) kept back for the host and not offered to guests.'),
    cfg.IntOpt('local_gb', min=0,
               help='Disk capacity to report; default: the size of instances_path.'),
    cfg.StrOpt('instances_path', help='Instance directories (default <state_path>/instances).'),
    cfg.IntOpt('build_timeout', default=600, min=0,
               help='Seconds a build may stay in a transient state before it is put in ERROR.'),
    cfg.IntOpt('stuck_task_timeout', default=600, min=0,
               help='Seconds a lifecycle action may stay in its transient task_state with '
                    'no worker on it (a lost message) before it is ended with a fault; '
                    '0 turns the check off.'),
    cfg.IntOpt('resource_report_interval', default=60, min=1,
               help='Seconds between inventory reports.'),
    cfg.FloatOpt('debug_action_pause', default=0.0, min=0.0,
                 help='Testing only: seconds every lifecycle action waits after entering '
                      'its transient task_state, and a snapshot after its image turns '
                      '"saving", so crash tests can kill a compute mid-action. Leave 0.'),
]

LIBVIRT_OPTS = [
    cfg.StrOpt('connection_uri',
               help='libvirt URI; default a per-host test:/// node file under state_path.'),
    cfg.StrOpt('virt_type', default='qemu', choices=['qemu', 'kvm', 'test'],
               help='Domain type written into the domain XML.'),
    cfg.IntOpt('test_node_vcpus', default=8, min=1,
               help='vCPUs of the generated test:/// node file.'),
    cfg.IntOpt('test_node_memory_mb', default=16384, min=64,
               help='Memory of the generated test:/// node file.'),
    cfg.StrOpt('driver', default='libvirt', choices=['libvirt', 'fake'],
               help='Virt driver: libvirt (real libvirt, test:/// by default) or fake.'),
]

LIVE_MIGRATION_OPTS = [
    cfg.StrOpt('live_migration_uri',
               help='URI by which the libvirtd of other hosts reaches this host\'s '
                    'libvirtd for a peer-to-peer live migration to this host '
                    '(default: [libvirt] connection_uri).'),
    cfg.StrOpt('live_migration_inbound_addr', default='127.0.0.1',
               help='Address of this host that the migration data stream (tcp://) '
                    'connects to when this host is the destination of a live migration.'),
    cfg.IntOpt('live_migration_completion_timeout', default=800, min=0,
               help='Seconds a live migration may run per GiB of data it moves (the '
                    'guest\'s RAM, at least 2 GiB, plus its disk when the disk is '
                    'copied) before it is aborted and the guest stays on its source; '
                    '0 never aborts.'),
    cfg.FloatOpt('live_migration_poll_interval', default=0.5, min=0.01,
                 help='Seconds between two looks at the progress of a running live '
                      'migration.'),
]

# In [DEFAULT], where Nova keeps them.
MOVE_OPTS = [
    cfg.BoolOpt('allow_resize_to_same_host', default=False,
                help='Let a resize pick the host the server runs on (a cold migration '
                     'never does).'),
    cfg.IntOpt('resize_confirm_window', default=0, min=0,
               help='Seconds after which a resize or cold migration waiting in '
                    'VERIFY_RESIZE is confirmed automatically; 0 never.'),
]

TRANSFER_OPTS = [
    cfg.HostAddressOpt('disk_transfer_listen', default='127.0.0.1',
                       help='Address this compute serves the disks of its outgoing '
                            'resizes and cold migrations on (HTTP, one secret per move).'),
    cfg.PortOpt('disk_transfer_port', default=0,
                help='Port for those transfers; 0 picks a free one when the first '
                     'move starts.'),
    cfg.HostAddressOpt('disk_transfer_address',
                       help='Address other compute hosts reach this one\'s disk '
                            'transfers at (default: disk_transfer_listen).'),
]

RPC_OPTS = [
    cfg.IntOpt('long_rpc_timeout', default=1800, min=1,
               help='Seconds to wait for the answer of RPC calls known to be slow '
                    '(pre_live_migration copies the base image to the destination; '
                    'post_live_migration_at_destination), instead of rpc_response_timeout.'),
]


def register(conf):
    conf.register_opts(OPTS + TRANSFER_OPTS, group='compute')
    conf.register_opts(LIBVIRT_OPTS + LIVE_MIGRATION_OPTS, group='libvirt')
    conf.register_opts(RPC_OPTS + MOVE_OPTS)


def list_opts():
    return [(None, RPC_OPTS + MOVE_OPTS), ('compute', OPTS + TRANSFER_OPTS),
            ('libvirt', LIBVIRT_OPTS + LIVE_MIGRATION_OPTS)]
