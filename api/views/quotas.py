"""Quota-set bodies as Nova shows them at a microversion."""
from api import quota


def quota_set(limits, version, ident=None, resources=None):
    """{resource: limit} for the resources shown at ``version`` (plus 'id' when given)."""
    body = {r: limits[r] for r in (resources or quota.shown(version))}
    if ident is not None:
        body['id'] = ident
    return body


def detail(limits, used, version, ident):
    """{resource: {limit, in_use, reserved}} ('reserved' is always 0: no reservations)."""
    body = {r: {'limit': limits[r], 'in_use': used[r], 'reserved': 0}
            for r in quota.shown(version)}
    body['id'] = ident
    return body
