"""Quota limits (config < "default" class < project < user rows) and their enforcement."""
import sqlalchemy as sa

from common import exception
from db import models
from db import quotas as quota_rows
from db import server_groups

# Every resource Nova knows, in its order; which ones a microversion shows is below.
RESOURCES = ('instances', 'cores', 'ram', 'floating_ips', 'fixed_ips', 'metadata_items',
             'injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes',
             'key_pairs', 'security_groups', 'security_group_rules', 'server_groups',
             'server_group_members', 'networks')
# Nova-network's resources: gone from the API at 2.36 ('networks' was never shown).
NETWORK_RESOURCES = ('floating_ips', 'fixed_ips', 'security_groups', 'security_group_rules',
                     'networks')
# Personality (file injection) went at 2.57.
INJECTED_RESOURCES = ('injected_files', 'injected_file_content_bytes',
                      'injected_file_path_bytes')
DEFAULT_CLASS = 'default'


class QuotaExceeded(exception.Forbidden):
    message = 'Quota exceeded for %(resources)s: Requested %(req)s, but already used ' \
              '%(used)s of %(allowed)s %(resources)s'


def settable(version):
    """Resources a PUT at ``version`` may set."""
    hidden = set()
    if version >= (2, 36):
        hidden.update(NETWORK_RESOURCES)
    if version >= (2, 57):
        hidden.update(INJECTED_RESOURCES)
    return [r for r in RESOURCES if r not in hidden]


def shown(version):
    """Resources a quota-set body at ``version`` shows."""
    return [r for r in settable(version) if r != 'networks']


def defaults(conf, db, class_name=DEFAULT_CLASS):
    """{resource: limit} of a quota class: its rows over the "default" class over config."""
    limits = {r: getattr(conf.quota, r) for r in RESOURCES}
    limits.update(quota_rows.class_limits(db, DEFAULT_CLASS))
    if class_name != DEFAULT_CLASS:
        limits.update(quota_rows.class_limits(db, class_name))
    return limits


def limits_for(conf, db, project_id, user_id=None):
    """The project's {resource: limit}; with ``user_id``, that user's rows override it."""
    limits = defaults(conf, db)
    limits.update(quota_rows.project_limits(db, project_id))
    if user_id:
        limits.update(quota_rows.project_limits(db, project_id, user_id))
    return limits


def usage(db, project_id, user_id=None):
    """(instances, cores, ram) the project's (or one user's) live servers hold."""
    t = models.Instance
    where = [t.project_id == project_id, t.deleted == 0]
    if user_id:
        where.append(t.user_id == user_id)
    with db.read() as conn:
        row = conn.execute(sa.select(sa.func.count(t.id),
                                     sa.func.coalesce(sa.func.sum(t.vcpus), 0),
                                     sa.func.coalesce(sa.func.sum(t.memory_mb), 0)).where(
            *where)).one()
    return int(row[0]), int(row[1]), int(row[2])


def in_use(db, project_id, user_id=None):
    """{resource: count} for every resource (0 where nothing is counted)."""
    used = dict.fromkeys(RESOURCES, 0)
    used.update(zip(('instances', 'cores', 'ram'), usage(db, project_id, user_id)))
    groups = {'project_id': project_id}
    if user_id:
        groups['user_id'] = user_id
        # Keypairs belong to users, not projects: only a user's view counts them.
        used['key_pairs'] = quota_rows.count_rows(db, models.KeyPair, user_id=user_id)
    used['server_groups'] = quota_rows.count_rows(db, models.ServerGroup, **groups)
    return used


def check_count(conf, db, project_id, resource, used, requested=1, user_id=None):
    """Raise QuotaExceeded (403) unless ``used + requested`` fits ``resource``'s limit."""
    limit = limits_for(conf, db, project_id, user_id)[resource]
    if 0 <= limit < used + requested:
        raise QuotaExceeded(resources=resource, req=requested, used=used, allowed=limit)


def check_group_members(conf, db, project_id, group, count):
    """A server group may not grow past server_group_members (403); no group, no check."""
    if not group:
        return
    row = server_groups.get(db, group['uuid'])
    used = len(server_groups.members(db, [row['id']])[row['id']])
    check_count(conf, db, project_id, 'server_group_members', used, count)


def check_metadata(conf, db, project_id, metadata, user_id=None):
    """A server's metadata may not have more items than metadata_items (403)."""
    check_count(conf, db, project_id, 'metadata_items', 0, len(metadata or {}), user_id)


def allowed_count(conf, db, project_id, flavor, min_count, max_count, user_id=None):
    """How many servers (<= max_count) fit the project's quota; 403 if not even min_count."""
    per_server = {'instances': 1, 'cores': flavor['vcpus'], 'ram': flavor['memory_mb']}
    count = max_count
    scopes = [(limits_for(conf, db, project_id), usage(db, project_id))]
    if user_id and quota_rows.project_limits(db, project_id, user_id):
        scopes.append((limits_for(conf, db, project_id, user_id),
                       usage(db, project_id, user_id)))
    for limits, counts in scopes:
        used = dict(zip(('instances', 'cores', 'ram'), counts))
        for resource, each in per_server.items():
            limit = limits[resource]
            if limit < 0 or each == 0:
                continue
            fits = max(0, (limit - used[resource]) // each)
            if fits < min_count:
                raise QuotaExceeded(resources=resource, req=each * min_count,
                                    used=used[resource], allowed=limit)
            count = min(count, fits)
    return count
