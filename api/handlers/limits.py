"""/limits: the project's absolute quota limits and what it uses of them (no rate limits)."""
from api import policy
from api import quota
from api import wsgi
from common import exception

PREFIX = '/compute/v2.1/limits'

# absolute-limit name -> quota resource, with the microversion that dropped it (if any).
_MAX = (('maxTotalInstances', 'instances', None), ('maxTotalCores', 'cores', None),
        ('maxTotalRAMSize', 'ram', None), ('maxServerMeta', 'metadata_items', None),
        ('maxTotalKeypairs', 'key_pairs', None), ('maxServerGroups', 'server_groups', None),
        ('maxServerGroupMembers', 'server_group_members', None),
        ('maxImageMeta', 'metadata_items', (2, 39)),
        ('maxPersonality', 'injected_files', (2, 57)),
        ('maxPersonalitySize', 'injected_file_content_bytes', (2, 57)),
        ('maxTotalFloatingIps', 'floating_ips', (2, 36)),
        ('maxSecurityGroups', 'security_groups', (2, 36)),
        ('maxSecurityGroupRules', 'security_group_rules', (2, 36)))
_USED = (('totalInstancesUsed', 'instances', None), ('totalCoresUsed', 'cores', None),
         ('totalRAMUsed', 'ram', None), ('totalServerGroupsUsed', 'server_groups', None),
         ('totalFloatingIpsUsed', 'floating_ips', (2, 36)),
         ('totalSecurityGroupsUsed', 'security_groups', (2, 36)))


def absolute(limits, used, version):
    body = {name: limits[res] for name, res, gone in _MAX if not gone or version < gone}
    body.update({name: used[res] for name, res, gone in _USED
                 if not gone or version < gone})
    return body


def index(req, deps):
    ctxt = req.context
    policy.authorize(ctxt, 'limits')
    project_id = req.GET.get('tenant_id') or ctxt.project_id
    if project_id != ctxt.project_id:
        policy.authorize(ctxt, 'limits:other_project')
    if not project_id:
        raise exception.Invalid('No project to show the limits of.')
    limits = quota.limits_for(deps.conf, deps.db, project_id)
    used = quota.in_use(deps.db, project_id)
    return wsgi.json_response({'limits': {'absolute': absolute(limits, used, req.api_version),
                                          'rate': []}})


ROUTES = [('GET', PREFIX, index)]
