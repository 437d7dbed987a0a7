"""[DEFAULT] options of the lifecycle actions: shutdown, soft delete, shelve, power sync."""
from oslo_config import cfg

OPTS = [
    cfg.IntOpt('shutdown_timeout', default=60, min=0,
               help='Seconds a guest gets to shut down cleanly (stop, shelve) before '
                    'it is powered off.'),
    cfg.IntOpt('reclaim_instance_interval', default=0, min=0,
               help='When > 0, DELETE soft-deletes an instance (restorable) and a '
                    'periodic task deletes it for good after this many seconds.'),
    cfg.IntOpt('shelved_offload_time', default=0, min=-1,
               help='Seconds a SHELVED instance keeps its host before it is offloaded; '
                    '0 offloads at once, -1 never.'),
    cfg.IntOpt('shelved_poll_interval', default=3600, min=1,
               help='Seconds between runs of the periodic shelved offload.'),
    cfg.IntOpt('reclaim_poll_interval', default=60, min=1,
               help='Seconds between runs of the periodic reclaim of soft-deleted '
                    'instances.'),
    cfg.IntOpt('sync_power_state_interval', default=600, min=-1,
               help='Seconds between power-state syncs with the hypervisor; -1 turns '
                    'the sync off.'),
]

LIBVIRT_OPTS = [
    cfg.IntOpt('wait_soft_reboot_seconds', default=120, min=0,
               help='Seconds a soft reboot waits for the guest to stop before it '
                    'falls back to a hard reboot.'),
    cfg.StrOpt('rescue_image_id',
               help='Image to rescue from when the request names none (default: '
                    'the instance\'s own image).'),
]


def register(conf):
    conf.register_opts(OPTS)
    conf.register_opts(LIBVIRT_OPTS, group='libvirt')


def list_opts():
    return [(None, OPTS), ('libvirt', LIBVIRT_OPTS)]
