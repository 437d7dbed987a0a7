"""[quota] options: per-project limits checked when servers are created."""
from oslo_config import cfg

OPTS = [
    cfg.IntOpt('instances', default=10, min=-1,
               help='Servers a project may have; -1 means no limit.'),
    cfg.IntOpt('cores', default=20, min=-1,
               help='vCPUs a project\'s servers may use together; -1 means no limit.'),
    cfg.IntOpt('ram', default=51200, min=-1,
               help='MB of RAM a project\'s servers may use together; -1 means no limit.'),
    # Nova's defaults for the rest; the "default" quota class in the database overrides all.
    cfg.IntOpt('metadata_items', default=128, min=-1,
               help='Metadata items a server may carry; -1 means no limit.'),
    cfg.IntOpt('key_pairs', default=100, min=-1,
               help='Keypairs a user may have; -1 means no limit.'),
    cfg.IntOpt('server_groups', default=10, min=-1,
               help='Server groups a project may have; -1 means no limit.'),
    cfg.IntOpt('server_group_members', default=10, min=-1,
               help='Servers one server group may hold; -1 means no limit.'),
    cfg.IntOpt('injected_files', default=5, min=-1,
               help='Files a server may be given at boot; -1 means no limit.'),
    cfg.IntOpt('injected_file_content_bytes', default=10240, min=-1,
               help='Bytes of one injected file; -1 means no limit.'),
    cfg.IntOpt('injected_file_path_bytes', default=255, min=-1,
               help='Bytes of an injected file\'s path; -1 means no limit.'),
    cfg.IntOpt('fixed_ips', default=-1, min=-1,
               help='Fixed IPs a project may hold (shown before 2.36); -1 means no limit.'),
    cfg.IntOpt('floating_ips', default=10, min=-1,
               help='Floating IPs a project may hold (shown before 2.36); -1 means no limit.'),
    cfg.IntOpt('security_groups', default=10, min=-1,
               help='Security groups a project may have (shown before 2.36).'),
    cfg.IntOpt('security_group_rules', default=20, min=-1,
               help='Rules one security group may have (shown before 2.36).'),
    cfg.IntOpt('networks', default=3, min=-1,
               help='Networks a project may have (settable before 2.36, never shown).'),
]


def register(conf):
    conf.register_opts(OPTS, group='quota')


def list_opts():
    return [('quota', OPTS)]
