"""Migration views: /os-migrations and /servers/{id}/migrations, gated by microversion."""
from db import instance_migrations

TIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%f'  # as Nova prints a migration's times


def _time(value):
    return value.strftime(TIME_FORMAT) if value is not None else None


def _links(base, migration):
    href = f'{base}/v2.1/servers/{migration["instance_uuid"]}/migrations/{migration["id"]}'
    return [{'href': href, 'rel': 'self'},
            {'href': href.replace('/v2.1/', '/', 1), 'rel': 'bookmark'}]


def _common(migration, version, dest_ips):
    body = {'id': migration['id'], 'source_compute': migration['source_compute'],
            'dest_compute': migration['dest_compute'],
            'source_node': migration['source_node'], 'dest_node': migration['dest_node'],
            'dest_host': dest_ips.get(migration['dest_compute']) or '',
            'status': migration['status'], 'created_at': _time(migration['created_at']),
            'updated_at': _time(migration['updated_at'])}
    if version >= (2, 59):
        body['uuid'] = migration['uuid']
    if version >= (2, 80):
        body.update(user_id=migration['user_id'], project_id=migration['project_id'])
    return body


def migration(migration, version, dest_ips, base):
    """One entry of GET /os-migrations."""
    body = _common(migration, version, dest_ips)
    # A live migration keeps its flavor and names none.
    body.update(instance_uuid=migration['instance_uuid'],
                old_instance_type_id=(migration.get('old_flavor') or {}).get('id'),
                new_instance_type_id=(migration.get('new_flavor') or {}).get('id'))
    if version >= (2, 23):
        body['migration_type'] = migration['migration_type']
        if (migration['migration_type'] == 'live-migration'
                and migration['status'] in instance_migrations.IN_PROGRESS):
            body['links'] = _links(base, migration)
    return body


_HOST_FIELDS = ('source_compute', 'dest_compute', 'source_node', 'dest_node', 'dest_host')


def server_migration(migration, version, dest_ips, show_hosts=True):
    """One entry of GET /servers/{id}/migrations (a live migration under way); a project
    manager sees it without host names, as Nova shows it to non-admins."""
    body = _common(migration, version, dest_ips)
    if not show_hosts:
        body.update(dict.fromkeys(_HOST_FIELDS))
    # Progress is not tracked per migration yet: Nova's fields, without numbers.
    body.update(server_uuid=migration['instance_uuid'], memory_total_bytes=None,
                memory_processed_bytes=None, memory_remaining_bytes=None,
                disk_total_bytes=None, disk_processed_bytes=None,
                disk_remaining_bytes=None)
    return body
