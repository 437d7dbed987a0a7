"""Schema-driven fuzz of every gateway route over HTTP: no 5xx, and errors have a fault body.

Each handler module's ROUTES is one group. Hypothesis draws a route, path parameters
(unicode, very long, '..', '%00', invalid UTF-8, huge integers), a query string, a
microversion header and a body (random JSON, a mutated valid body, or raw bytes) and
sends it as admin and as demo. Ids of the resources the session relies on (seeded flavors,
services, the image, existing servers) are never used as path parameters, so the fuzz
cannot delete or change them; whatever it creates is removed at the end of the module.
"""
import json
import os
import re
import string
import time
import urllib.parse

import pytest
import requests
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from api import handlers
from db import actions as actions_db
from db import compute_nodes
from db import flavors as flavors_db
from db import images as images_db
from db import instances
from db import services as services_db

MODULES = {m.__name__.rsplit('.', 1)[-1]: m for m in handlers.ALL}
UNKNOWN_IMAGE = '0f0f0f0f-0000-4000-8000-00000000f00d'
PARAM = re.compile(r'\{(\w+)\}')
# Examples per route group; STRATUS_FUZZ_EXAMPLES=2000 for a deeper run.
EXAMPLES = int(os.environ.get('STRATUS_FUZZ_EXAMPLES', '150'))
STATS = {'requests': 0, 'seconds': 0.0, 'statuses': {}}

# --- strategies ----------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)

# Already percent-encoded segments that a text strategy would not produce.
RAW_SEGMENTS = ['..', '.', '%00', '%2e%2e', '%2E', '%2F', 'a%2Fb', '%FF', '%C0%AF', '%FF%FE',
                '%20', '%25', '%C2%B2', '%EF%BC%91', '99999999999999999999999', '-1', '0',
                '1.5', 'detail', 'statistics', 'action', 'null', 'None', '%E2%80%AE']


def _quote(text):
    return urllib.parse.quote(text, safe='')


SEGMENT = st.one_of(
    st.text(max_size=30).map(_quote),
    st.text(alphabet=string.ascii_letters + string.digits + '-_.:~', min_size=1,
            max_size=40),
    st.sampled_from(RAW_SEGMENTS),
    st.uuids().map(str),
    st.integers(-2 ** 80, 2 ** 80).map(str),
    st.integers(1000, 6000).map(lambda n: 'a' * n),
    st.just('req-' + '0' * 32),
)

QUERY_KEYS = ['limit', 'marker', 'name', 'status', 'all_tenants', 'host', 'node', 'tenant_id',
              'project_id', 'deleted', 'is_public', 'minRam', 'minDisk', 'image', 'flavor',
              'reservation_id', 'binary', 'hypervisor_hostname_pattern', 'visibility', 'id',
              'owner', 'sort_key', 'sort_dir', 'changes-since']
QUERY_VALUES = st.one_of(
    st.text(max_size=20), st.integers(-2 ** 70, 2 ** 70).map(str),
    st.sampled_from(['-1', '0', '1', 'abc', 'true', 'False', 'None', 'in:a,"b"', '',
                     '2.5', 'ACTIVE', 'public', UNKNOWN_IMAGE]))
QUERY = st.lists(st.tuples(st.sampled_from(QUERY_KEYS) | st.text(max_size=8), QUERY_VALUES),
                 max_size=4).map(lambda pairs: '&'.join(
                     f'{_quote(k)}={_quote(v)}' for k, v in pairs))
RAW_QUERIES = st.sampled_from(['name=%FF', 'limit=%FF', '%FF=1', 'a=%', '&&&', 'limit',
                               'marker=&limit=', 'limit=1e3'])

_PRINTABLE = ''.join(c for c in string.printable if c not in '\r\n\x0b\x0c')
VERSION_HEADERS = st.one_of(
    st.none(),
    st.integers(0, 120).map(lambda n: {'OpenStack-API-Version': f'compute 2.{n}'}),
    st.sampled_from(['compute latest', 'compute 3.0', 'compute 1.1', 'compute x', 'compute',
                     'image 2.1', 'compute 2.1, image 2.3', '', 'compute 2.', 'compute .5',
                     'compute 2.1.1']).map(lambda v: {'OpenStack-API-Version': v}),
    # requests refuses a header value with leading whitespace: lstrip.
    st.text(alphabet=_PRINTABLE, max_size=20).map(
        lambda v: {'OpenStack-API-Version': v.lstrip()}),
    st.one_of(st.integers(0, 120).map(lambda n: f'2.{n}'),
              st.text(alphabet=_PRINTABLE, max_size=10).map(str.lstrip)).map(
                  lambda v: {'OpenStack-API-Version': None, 'X-OpenStack-Nova-API-Version': v}),
)

# A valid body per route; the fuzz mutates it. POST /servers uses an unknown image.
VALID = {
    ('POST', '/compute/v2.1/servers'): {'server': {
        'name': 'fuzz', 'imageRef': UNKNOWN_IMAGE, 'flavorRef': '42', 'networks': 'none',
        'min_count': 1, 'max_count': 1, 'metadata': {'k': 'v'},
        'block_device_mapping_v2': [{'uuid': UNKNOWN_IMAGE, 'boot_index': 0,
                                     'source_type': 'image', 'destination_type': 'local'}]}},
    ('POST', '/compute/v2.1/flavors'): {'flavor': {
        'name': 'fuzz-flavor', 'id': 'fuzz-flavor', 'ram': 64, 'vcpus': 1, 'disk': 0,
        'swap': 0, 'OS-FLV-EXT-DATA:ephemeral': 0, 'rxtx_factor': 1.0,
        'os-flavor-access:is_public': False, 'description': 'fuzz'}},
    ('PUT', '/compute/v2.1/flavors/{flavor_id}'): {'flavor': {'description': 'd'}},
    ('POST', '/compute/v2.1/flavors/{flavor_id}/os-extra_specs'): {
        'extra_specs': {'hw:cpu_policy': 'shared', 'k': 1}},
    ('PUT', '/compute/v2.1/flavors/{flavor_id}/os-extra_specs/{key}'): {'k': 'v'},
    ('POST', '/compute/v2.1/flavors/{flavor_id}/action'): {
        'addTenantAccess': {'tenant': 'fuzz-project'}},
    ('PUT', '/compute/v2.1/os-services/{service_id}'): {
        'status': 'disabled', 'disabled_reason': 'fuzz', 'forced_down': True},
    ('POST', '/image/v2/images'): {
        'name': 'fuzz-image', 'disk_format': 'raw', 'container_format': 'bare',
        'visibility': 'private', 'min_ram': 0, 'tags': ['fuzz'], 'hw_disk_bus': 'virtio'},
    ('PATCH', '/image/v2/images/{image_id}'): [
        {'op': 'replace', 'path': '/name', 'value': 'x'},
        {'op': 'add', 'path': '/fuzz_prop', 'value': 'y'}],
    ('POST', '/identity/v3/auth/tokens'): {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': 'demo', 'domain': {'name': 'Default'}, 'password': 'demopw'}}},
        'scope': {'project': {'name': 'demo', 'domain': {'id': 'default'}}}}},
}


def _paths(value, prefix=()):
    """Every key path into nested dicts/lists of ``value`` (including the root)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _copy_and_parent(value, path):
    """A deep copy of ``value`` and the container in it that holds ``path``'s last key."""
    copy = json.loads(json.dumps(value))
    target = copy
    for key in path[:-1]:
        target = target[key]
    return copy, target


def _replace(value, path, new):
    if not path:
        return new
    copy, parent = _copy_and_parent(value, path)
    parent[path[-1]] = new
    return copy


def _remove(value, path):
    if not path:
        return value
    copy, parent = _copy_and_parent(value, path)
    del parent[path[-1]]
    return copy


def mutations(valid):
    paths = list(_paths(valid))
    inner = [p for p in paths if p]
    return st.one_of(
        st.just(valid),
        st.tuples(st.sampled_from(paths), JSON).map(lambda pv: _replace(valid, *pv)),
        st.sampled_from(inner or paths).map(lambda p: _remove(valid, p)),
        st.tuples(st.sampled_from(paths), st.text(max_size=10), JSON).map(
            lambda pkv: _add(valid, *pkv)),
    )


def _add(valid, path, key, new):
    copy = json.loads(json.dumps(valid))
    target = copy
    for step in path:
        target = target[step]
    if isinstance(target, dict):
        target[key] = new
    elif isinstance(target, list):
        target.append(new)
    return copy


def _encoded(value):
    return json.dumps(value).encode()


def bodies(method, template):
    raw = st.one_of(st.binary(max_size=64),
                    st.sampled_from([b'{', b'null', b'[]', b'""', b'{"a": NaN}',
                                     b'{"a": Infinity}', b'\xff\xfe', b'{}' * 3, b'1' * 5000]))
    choices = [st.none(), JSON.map(_encoded), raw]
    valid = VALID.get((method, template))
    if valid is not None:
        mutated = mutations(valid).map(_encoded)
        choices += [mutated, mutated]
    return st.one_of(*choices)


REAL_IMAGE_SERVER = mutations({'server': {'name': 'fuzz-real', 'flavorRef': '42',
                                          'networks': 'none'}})


def _content_type(method, template):
    if method == 'PATCH':
        return st.sampled_from(['application/openstack-images-v2.1-json-patch',
                                'application/json'])
    if template.endswith('/file'):
        return st.sampled_from(['application/octet-stream', '', 'text/plain'])
    return st.sampled_from(['application/json', 'application/json', '', 'text/plain'])


@st.composite
def requests_for(draw, group):
    """(method, template, url path, query, headers, body) for one route of ``group``."""
    method, template, _ = draw(st.sampled_from(MODULES[group].ROUTES))
    body = draw(bodies(method, template))
    if (method, template) == ('POST', '/compute/v2.1/servers') and draw(
            st.integers(0, 9)) == 0:
        # Now and then a body with the real image, one server at most (never a count).
        server = draw(REAL_IMAGE_SERVER)
        if isinstance(server, dict) and isinstance(server.get('server'), dict):
            server['server']['imageRef'] = _STATE['image_id']
            for key in ('min_count', 'max_count', 'return_reservation_id', 'host',
                        'hypervisor_hostname'):
                server['server'].pop(key, None)
        body = _encoded(server)
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']))
    path = template
    for name in PARAM.findall(template):
        if method == 'GET' and draw(st.integers(0, 3)) == 0:
            # Reads may name real resources: show views at every microversion.
            segment = draw(st.sampled_from(sorted(_STATE['known'])))
        else:
            segment = _safe(draw(SEGMENT))
        path = path.replace('{' + name + '}', segment, 1)
    if path.startswith('/compute/v2.1/') and draw(st.integers(0, 4)) == 0:
        project = _safe(draw(SEGMENT))
        if urllib.parse.unquote(project) not in _STATE['collections']:
            path = path.replace('/compute/v2.1/', f'/compute/v2.1/{project}/', 1)
    query = draw(st.one_of(st.just(''), QUERY, RAW_QUERIES))
    headers = dict(draw(VERSION_HEADERS) or {})
    headers['Content-Type'] = draw(_content_type(method, template))
    return method, template, path, query, headers, body


def _safe(segment):
    """``segment``, unless it would name (part of) a resource the session relies on."""
    parts = set(urllib.parse.unquote(segment).strip().split('/'))
    if parts & _STATE['protected']:
        return 'fz-' + segment
    return segment


# --- state, cleanup --------------------------------------------------------------------------

_STATE = {'protected': set(), 'known': set(), 'collections': set(), 'image_id': None}


def _snapshot(db):
    return {'servers': {i['uuid'] for i in instances.list_(db, {})},
            'flavors': {f['flavorid'] for f in flavors_db.list_(db, is_public=None)},
            'images': {i['id'] for i in images_db.list_(db)},
            'services': {(s['id'], s['host'], s['binary'], bool(s['disabled']),
                          bool(s['forced_down'])) for s in services_db.list_(db)}}


@pytest.fixture(scope='module')
def fuzz_env(cloud, admin, demo, image_id):
    from api import router
    # One real server of demo's for reads (and for writes to leave alone).
    resp = demo.create_server('fuzz-target', image_id)
    assert resp.status_code == 202, resp.text
    target = resp.json()['server']['id']
    demo.wait_status(target, {'ACTIVE', 'ERROR'})
    before = _snapshot(cloud.db)
    protected = set(before['servers']) | set(before['flavors']) | set(before['images'])
    for service in services_db.list_(cloud.db):
        protected |= {str(service['id']), service['uuid'], service['host']}
    for node in compute_nodes.list_(cloud.db):
        protected |= {str(node['id']), node['uuid']}
    known = {p for p in protected if p} | {'m1.nano', 'fuzz-target', 'compute-1'}
    for server_id in before['servers']:
        known |= {a['request_id'] for a in actions_db.list_(cloud.db, server_id)}
    _STATE.update(protected={p for p in protected if p}, known=known, image_id=image_id,
                  collections={p.split('/')[3] for m in MODULES.values()
                               for _, p, _ in m.ROUTES
                               if p.startswith(router.COMPUTE_PREFIX + '/')})
    anon = requests.Session()
    yield {'url': cloud.url, 'admin': admin.session, 'demo': demo.session, 'anon': anon}
    after = _snapshot(cloud.db)
    print(f"\nfuzz: {STATS['requests']} requests, {STATS['seconds']:.1f} s in HTTP, "
          f"statuses {dict(sorted(STATS['statuses'].items()))}")
    _cleanup(cloud, admin, before | {'servers': before['servers'] - {target}}, after)
    assert after['services'] == before['services'], 'the fuzz changed a service'


def _cleanup(cloud, admin, before, after):
    new_servers = after['servers'] - before['servers']
    for server_id in new_servers:
        admin.delete(f'/compute/v2.1/servers/{server_id}')
    for server_id in new_servers:
        admin.wait_status(server_id, {'DELETED'})
    for flavorid in after['flavors'] - before['flavors']:
        flavors_db.delete(cloud.db, flavorid)
    for image in after['images'] - before['images']:
        images_db.delete(cloud.db, image)  # never uploaded: the store holds no bits


# --- the property ----------------------------------------------------------------------------

def _send(env, who, method, path, query, headers, body):
    url = env['url'] + path + ('?' + query if query else '')
    started = time.monotonic()
    resp = env[who].request(method, url, data=body, headers=headers, timeout=60,
                            allow_redirects=False)
    STATS['requests'] += 1
    STATS['seconds'] += time.monotonic() - started
    STATS['statuses'][resp.status_code] = STATS['statuses'].get(resp.status_code, 0) + 1
    return resp


def check(resp, method, path, query, body):
    what = f'{method} {path[:200]}?{query[:200]} body={(body or b"")[:300]!r}'
    assert resp.status_code < 500, f'{what} -> {resp.status_code} {resp.text[:500]}'
    if resp.status_code < 400:
        return
    try:
        fault_body = resp.json()
    except ValueError:
        pytest.fail(f'{what} -> {resp.status_code} with a non-JSON body {resp.text[:300]!r}')
    assert isinstance(fault_body, dict) and len(fault_body) == 1, f'{what} -> {fault_body}'
    (key, fault), = fault_body.items()
    assert isinstance(fault, dict), f'{what} -> {fault_body}'
    assert isinstance(fault.get('message'), str), f'{what} -> {fault_body}'
    assert fault.get('code') == resp.status_code, f'{what} -> {fault_body}'
    if key == 'error':  # Keystone's shape (identity, and 401 from any service)
        assert fault.get('title'), f'{what} -> {fault_body}'


def _fuzz_group(group):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), print_blob=True)
    @given(request=requests_for(group))
    def run(fuzz_env, request):
        method, _, path, query, headers, body = request
        for who in ('admin', 'demo'):
            resp = _send(fuzz_env, who, method, path, query, headers, body)
            check(resp, method, path, query, body)
    return run


@pytest.mark.parametrize('group', sorted(MODULES))
def test_fuzz_routes(fuzz_env, group):
    _fuzz_group(group)(fuzz_env)


def test_fuzz_without_token(fuzz_env):
    """Unauthenticated requests to every route: 401 (or the public documents), never 5xx."""
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(request=st.sampled_from(sorted(MODULES)).flatmap(requests_for))
    def run(request):
        method, _, path, query, headers, body = request
        resp = _send(fuzz_env, 'anon', method, path, query, headers, body)
        check(resp, method, path, query, body)
    run()


def test_every_route_is_in_a_group(cloud):
    """The groups above cover exactly the routes the gateway serves."""
    import types
    from api import router
    grouped = {f'{m} {p}' for module in MODULES.values() for m, p, _ in module.ROUTES}
    app = router.App(types.SimpleNamespace(conf=cloud.conf), handlers.ALL)
    assert set(app._handlers) == grouped and len(grouped) >= 40
