"""Keypair views: Nova's list, show and create bodies, gated by microversion."""


def _time(value):
    # Nova prints keypair times as its JSON serializer does: microseconds, no zone.
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f') if value is not None else None


def _typed(body, row, version):
    if version >= (2, 2):
        body['type'] = row['type']
    return body


def item(row, version):
    """One entry of the list: {"keypair": {name, public_key, fingerprint[, type]}}."""
    return {'keypair': _typed({'name': row['name'], 'public_key': row['public_key'],
                               'fingerprint': row['fingerprint']}, row, version)}


def show(row, version):
    return _typed({'name': row['name'], 'public_key': row['public_key'],
                   'fingerprint': row['fingerprint'], 'user_id': row['user_id'],
                   'id': row['id'], 'deleted': False, 'created_at': _time(row['created_at']),
                   'updated_at': _time(row.get('updated_at')), 'deleted_at': None},
                  row, version)


def created(row, version, private_key=None):
    """The create body; a generated key's private half is shown this once only."""
    body = _typed({'name': row['name'], 'public_key': row['public_key'],
                   'fingerprint': row['fingerprint'], 'user_id': row['user_id']}, row, version)
    if private_key is not None:
        body['private_key'] = private_key
    return body
