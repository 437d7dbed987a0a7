"""Policy: Nova's defaults (owner-or-admin for servers, admin for operators' APIs)."""
from common import exception

ADMIN = 'admin'
MEMBER = 'member'
READER = 'reader'

# rule -> the roles any of which is enough; None means "any authenticated caller"
RULES = {
    'servers:create': (MEMBER, ADMIN),
    'servers:index': None,
    'servers:show': None,
    'servers:delete': (MEMBER, ADMIN),
    'servers:index:get_all_tenants': (ADMIN,),
    'servers:show:host_status': (ADMIN,),
    'servers:create:forced_host': (ADMIN,),
    'servers:instance_actions': None,
    'os-lock-server:lock': (MEMBER, ADMIN),
    'os-lock-server:unlock': (MEMBER, ADMIN),
    'os-lock-server:unlock:unlock_override': (ADMIN,),
    'servers:instance_actions:events:details': (ADMIN,),
    'servers:reboot': (MEMBER, ADMIN),
    'servers:start': (MEMBER, ADMIN),
    'servers:stop': (MEMBER, ADMIN),
    'servers:rebuild': (MEMBER, ADMIN),
    'servers:create_image': (MEMBER, ADMIN),
    'os-pause-server:pause': (MEMBER, ADMIN),
    'os-pause-server:unpause': (MEMBER, ADMIN),
    'os-suspend-server:suspend': (MEMBER, ADMIN),
    'os-suspend-server:resume': (MEMBER, ADMIN),
    'os-rescue': (MEMBER, ADMIN),
    'os-unrescue': (MEMBER, ADMIN),
    'os-create-backup': (MEMBER, ADMIN),
    'os-shelve:shelve': (MEMBER, ADMIN),
    'os-shelve:unshelve': (MEMBER, ADMIN),
    'os-shelve:shelve_offload': (ADMIN,),
    'os-deferred-delete:restore': (MEMBER, ADMIN),
    'os-deferred-delete:force': (MEMBER, ADMIN),
    'os-admin-password': (MEMBER, ADMIN),
    'os-console-output': (MEMBER, ADMIN),
    'os-remote-consoles': (MEMBER, ADMIN),
    'os-console-auth-tokens': (ADMIN,),
    'os-admin-actions:reset_state': (ADMIN,),
    'os-migrate-server:migrate_live': (ADMIN,),
    'os-migrations:index': (ADMIN,),
    'servers:migrations:index': (ADMIN,),
    'servers:migrations:show': (ADMIN,),
    'flavors:index': None,
    'flavors:manage': (ADMIN,),
    'flavors:extra_specs:index': None,
    'flavors:extra_specs:manage': (ADMIN,),
    'flavors:access': (ADMIN,),
    'os-services': (ADMIN,),
    'os-hypervisors': (ADMIN,),
    'images:manage': (MEMBER, ADMIN),
    'images:publicize': (ADMIN,),
}


def authorize(ctxt, rule):
    """Raise Forbidden unless ``ctxt`` holds a role the rule accepts."""
    allowed = RULES[rule]
    if allowed is None or ADMIN in ctxt.roles or any(r in ctxt.roles for r in allowed):
        return
    raise exception.Forbidden(f'Policy does not allow {rule} to be performed.')


def check_owner(ctxt, resource_project_id, not_found):
    """Another project's resource does not exist for a non-admin: raise ``not_found``."""
    if ADMIN in ctxt.roles or ctxt.project_id == resource_project_id:
        return
    raise not_found
