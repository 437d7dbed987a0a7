"""Nova's default roles: implied roles and the project-manager rules."""
import types

import pytest

from api import policy
from api.views import migrations as views
from common import exception


def ctxt(*roles):
    return types.SimpleNamespace(roles=list(roles))


@pytest.mark.parametrize('roles,rule,allowed', [
    (('manager',), 'servers:create', True),             # manager implies member
    (('manager',), 'os-migrate-server:migrate_live', True),
    (('member',), 'os-migrate-server:migrate_live', False),
    (('manager',), 'os-migrate-server:migrate_live:host', False),
    (('admin',), 'os-migrate-server:migrate_live:host', True),
    (('reader',), 'servers:create', False),
    (('member',), 'servers:index', True),
])
def test_roles_imply_the_ones_below(roles, rule, allowed):
    if allowed:
        policy.authorize(ctxt(*roles), rule)
    else:
        with pytest.raises(exception.Forbidden):
            policy.authorize(ctxt(*roles), rule)


def test_migration_view_hides_hosts_from_non_admins():
    import datetime
    now = datetime.datetime(2026, 1, 1)
    row = {'id': 1, 'uuid': 'u', 'instance_uuid': 'i', 'source_compute': 'h1',
           'dest_compute': 'h2', 'source_node': 'h1', 'dest_node': 'h2', 'status': 'running',
           'created_at': now, 'updated_at': None, 'user_id': 'x', 'project_id': 'p'}
    shown = views.server_migration(row, (2, 80), {'h2': '10.0.0.2'})
    hidden = views.server_migration(row, (2, 80), {'h2': '10.0.0.2'}, show_hosts=False)
    assert shown['dest_compute'] == 'h2' and shown['dest_host'] == '10.0.0.2'
    assert all(hidden[k] is None for k in ('source_compute', 'dest_compute', 'source_node',
                                           'dest_node', 'dest_host'))
    assert hidden['status'] == 'running'
