"""/extensions: Nova's fixed list of v2.1 extension entries, and one entry by alias."""
from api import extension_list
from api import wsgi
from common import exception

PREFIX = '/compute/v2.1/extensions'


def _entry(alias, name, description):
    return {'alias': alias, 'name': name, 'description': description, 'links': [],
            'namespace': 'http://docs.openstack.org/compute/ext/fake_xml',
            'updated': '2014-12-03T00:00:00Z'}


def _all(req):
    entries = list(extension_list.ENTRIES)
    if getattr(req, 'legacy_v2', False):
        entries = sorted(entries + [extension_list.LEGACY_EXTRA], key=lambda e: e[0])
    return [_entry(*e) for e in entries]


def index(req, deps):
    return wsgi.json_response({'extensions': _all(req)})


def show(req, deps, alias):
    for entry in _all(req):
        if entry['alias'] == alias:
            return wsgi.json_response({'extension': entry})
    raise exception.NotFound('The resource could not be found.')


ROUTES = [('GET', PREFIX, index), ('GET', PREFIX + '/{alias}', show)]
