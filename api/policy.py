"""Policy: Nova's defaults (owner-or-admin for servers, admin for operators' APIs)."""
from common import exception

ADMIN = 'admin'
MANAGER = 'manager'
MEMBER = 'member'
READER = 'reader'
# Keystone's default implied roles, as Nova's defaults assume them: an admin is also a
# manager, a manager a member, a member a reader.
IMPLIES = {ADMIN: (MANAGER, MEMBER, READER), MANAGER: (MEMBER, READER), MEMBER: (READER,)}

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
    'os-shelve:unshelve_to_host': (ADMIN,),
    'os-deferred-delete:restore': (MEMBER, ADMIN),
    'os-deferred-delete:force': (MEMBER, ADMIN),
    'os-admin-password': (MEMBER, ADMIN),
    'os-console-output': (MEMBER, ADMIN),
    'os-remote-consoles': (MEMBER, ADMIN),
    'os-console-auth-tokens': (ADMIN,),
    'os-admin-actions:reset_state': (ADMIN,),
    # Nova's project-manager defaults: a manager moves its project's servers, and only an
    # admin names the host or sees host names.
    'os-migrate-server:migrate_live': (MANAGER, ADMIN),
    'os-migrate-server:migrate_live:host': (ADMIN,),
    'os-migrate-server:migrate': (MANAGER, ADMIN),
    'os-migrate-server:migrate:host': (ADMIN,),
    'servers:resize': (MEMBER, ADMIN),
    'os-evacuate': (ADMIN,),
    'servers:confirm_resize': (MEMBER, ADMIN),
    'servers:revert_resize': (MEMBER, ADMIN),
    'os-migrations:index': (ADMIN,),
    'servers:migrations:index': (MANAGER, ADMIN),
    'servers:migrations:show': (MANAGER, ADMIN),
    'flavors:index': None,
    'flavors:manage': (ADMIN,),
    'flavors:extra_specs:index': None,
    'flavors:extra_specs:manage': (ADMIN,),
    'flavors:access': (ADMIN,),
    'os-services': (ADMIN,),
    'os-hypervisors': (ADMIN,),
    # Nova: aggregates, hosts and the usage audit log are admin-only.
    'os-aggregates:index': (ADMIN,),
    'os-aggregates:create': (ADMIN,),
    'os-aggregates:show': (ADMIN,),
    'os-aggregates:update': (ADMIN,),
    'os-aggregates:delete': (ADMIN,),
    'os-aggregates:add_host': (ADMIN,),
    'os-aggregates:remove_host': (ADMIN,),
    'os-aggregates:set_metadata': (ADMIN,),
    'os-hosts:list': (ADMIN,),
    'os-hosts:show': (ADMIN,),
    'os-hosts:update': (ADMIN,),
    'os-hosts:reboot': (ADMIN,),
    'os-hosts:shutdown': (ADMIN,),
    'os-hosts:start': (ADMIN,),
    'os-instance-usage-audit-log:list': (ADMIN,),
    'os-instance-usage-audit-log:show': (ADMIN,),
    'images:manage': (MEMBER, ADMIN),
    # Nova: a project's readers see its quotas and limits; only admins change them.
    'os-quota-sets:show': (READER, MEMBER, ADMIN),
    'os-quota-sets:detail': (READER, MEMBER, ADMIN),
    'os-quota-sets:defaults': None,
    'os-quota-sets:update': (ADMIN,),
    'os-quota-sets:delete': (ADMIN,),
    'os-quota-class-sets:show': (ADMIN,),
    'os-quota-class-sets:update': (ADMIN,),
    'limits': None,
    'limits:other_project': (ADMIN,),
    'os-availability-zone:list': (READER, MEMBER, ADMIN),
    'os-availability-zone:detail': (ADMIN,),
    'os-simple-tenant-usage:list': (ADMIN,),
    'os-simple-tenant-usage:show': (READER, MEMBER, ADMIN),
    'os-server-diagnostics': (ADMIN,),
    'images:publicize': (ADMIN,),
    # Nova: keypairs are the owner's (or an admin's); the handler checks the user.
    'os-keypairs:index': None,
    'os-keypairs:show': None,
    'os-keypairs:create': None,
    'os-keypairs:delete': None,
    'servers:update': (MEMBER, ADMIN),
    'server-metadata:index': (READER, MEMBER, ADMIN),
    'server-metadata:show': (READER, MEMBER, ADMIN),
    'server-metadata:create': (MEMBER, ADMIN),
    'server-metadata:update': (MEMBER, ADMIN),
    'server-metadata:update_all': (MEMBER, ADMIN),
    'server-metadata:delete': (MEMBER, ADMIN),
    'image-metadata:manage': (MEMBER, ADMIN),
    'os-server-groups:create': (MEMBER, ADMIN),
    'os-server-groups:delete': (MEMBER, ADMIN),
    'os-server-groups:index': (READER, MEMBER, ADMIN),
    'os-server-groups:index:all_projects': (ADMIN,),
    'os-server-groups:show': (READER, MEMBER, ADMIN),
    'os-server-tags:index': (READER, MEMBER, ADMIN),
    'os-server-tags:show': (READER, MEMBER, ADMIN),
    'os-server-tags:update': (MEMBER, ADMIN),
    'os-server-tags:update_all': (MEMBER, ADMIN),
    'os-server-tags:delete': (MEMBER, ADMIN),
    'os-server-tags:delete_all': (MEMBER, ADMIN),
    'os-server-password:show': (READER, MEMBER, ADMIN),
    'os-server-password:clear': (MEMBER, ADMIN),
}


def authorize(ctxt, rule):
    """Raise Forbidden unless ``ctxt`` holds a role the rule accepts."""
    allowed = RULES[rule]
    roles = effective_roles(ctxt.roles)
    if allowed is None or ADMIN in roles or any(r in roles for r in allowed):
        return
    raise exception.Forbidden(f'Policy does not allow {rule} to be performed.')


def effective_roles(roles):
    """``roles`` with the roles they imply (a manager may do what a member may)."""
    found = set(roles)
    for role in roles:
        found.update(IMPLIES.get(role, ()))
    return found


def check_owner(ctxt, resource_project_id, not_found):
    """Another project's resource does not exist for a non-admin: raise ``not_found``."""
    if ADMIN in ctxt.roles or ctxt.project_id == resource_project_id:
        return
    raise not_found
