"""Compute API version discovery: /compute/ and /compute/v2.1."""
from api import microversion
from api import router
from api import wsgi

_MEDIA = [{'base': 'application/json',
           'type': 'application/vnd.openstack.compute+json;version=2.1'}]


def _v21(base):
    return {'id': 'v2.1', 'status': 'CURRENT',
            'version': microversion.to_str(microversion.MAX_VERSION),
            'min_version': microversion.to_str(microversion.MIN_VERSION),
            'updated': '2013-07-23T11:33:21Z',
            'links': [{'rel': 'self', 'href': f'{base}/v2.1/'}],
            'media-types': _MEDIA}


def _v20(base):
    return {'id': 'v2.0', 'status': 'SUPPORTED', 'version': '', 'min_version': '',
            'updated': '2011-01-21T11:33:21Z',
            'links': [{'rel': 'self', 'href': f'{base}/v2/'}],
            'media-types': [{'base': 'application/json',
                             'type': 'application/vnd.openstack.compute+json;version=2'}]}


@router.public
def root(req, deps):
    base = deps.endpoint(req, '/compute')
    return wsgi.json_response({'versions': [_v20(base), _v21(base)]})


@router.public
def v21(req, deps):
    return wsgi.json_response({'version': _v21(deps.endpoint(req, '/compute'))})


@router.public
def v20(req, deps):
    return wsgi.json_response({'version': _v20(deps.endpoint(req, '/compute'))})


ROUTES = [
    ('GET', '/compute', root),
    ('GET', '/compute/v2', v20),
    ('GET', '/compute/v2.1', v21),
]
