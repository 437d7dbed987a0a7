"""Server group views: Nova's body, gated by microversion (2.13 owners, 2.64 policy/rules)."""


def show(group, members, version):
    """The server_group body for ``group`` with its live ``members`` at ``version``."""
    body = {'id': group['uuid'], 'name': group['name']}
    if version >= (2, 64):
        body['policy'] = group['policy']
        body['rules'] = dict(group.get('rules') or {})
    else:
        body['policies'] = [group['policy']]
        # Nova always showed an empty metadata before 2.64, and dropped it there.
        body['metadata'] = {}
    body['members'] = list(members)
    if version >= (2, 13):
        body['project_id'] = group['project_id']
        body['user_id'] = group['user_id']
    return body
