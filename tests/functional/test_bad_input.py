"""Bad input over HTTP: every refusal is a 4xx with Nova's (or Keystone's) error body.

Each case is (id, user, method, path, request kwargs, status). Paths and JSON bodies are
templates: {image}, {server}, {server_name}, {private} (a private flavor) and {unknown}
(a UUID nothing has) are filled in from the ``env`` fixture.
"""
import uuid

import pytest
import requests

S = '/compute/v2.1/servers'
F = '/compute/v2.1/flavors'
SVC = '/compute/v2.1/os-services'
HYP = '/compute/v2.1/os-hypervisors'
IMG = '/image/v2/images'
TOKENS = '/identity/v3/auth/tokens'
UNKNOWN = '5b0c0a0e-0000-4000-8000-00000000dead'

FAULT_KEYS = {400: 'badRequest', 401: 'error', 403: 'forbidden', 404: 'itemNotFound',
              405: 'badMethod', 406: 'computeFault', 409: 'conflictingRequest',
              415: 'badMediaType'}
DROP = object()


def boot(**changes):
    """A create-server body that would be valid, with ``changes`` (DROP removes a key)."""
    server = {'name': 'bad-input', 'imageRef': '{image}', 'flavorRef': '42',
              'networks': 'none'}
    for key, value in changes.items():
        if value is DROP:
            server.pop(key, None)
        else:
            server[key] = value
    return {'json': {'server': server}}


def flavor(**changes):
    body = {'name': 'bad-input-flavor', 'ram': 64, 'vcpus': 1, 'disk': 0}
    for key, value in changes.items():
        if value is DROP:
            body.pop(key, None)
        else:
            body[key] = value
    return {'json': {'flavor': body}}


def raw(data):
    return {'data': data, 'headers': {'Content-Type': 'application/json'}}


def mv(version, legacy=False):
    if legacy:
        return {'headers': {'OpenStack-API-Version': None,
                            'X-OpenStack-Nova-API-Version': version}}
    return {'headers': {'OpenStack-API-Version': f'compute {version}'}}


def auth(**user):
    user = dict({'name': 'demo', 'domain': {'name': 'Default'}, 'password': 'demopw'}, **user)
    return {'json': {'auth': {'identity': {'methods': ['password'],
                                           'password': {'user': user}}}}}


COMPUTE_CASES = [
    # --- POST /servers: body shape
    ('srv-malformed-json', 'demo', 'POST', S, raw(b'{"server": {"name": '), 400),
    ('srv-not-json', 'demo', 'POST', S, raw(b'name=vm'), 400),
    ('srv-empty-body', 'demo', 'POST', S, raw(b''), 400),
    ('srv-body-list', 'demo', 'POST', S, {'json': [{'server': {}}]}, 400),
    ('srv-body-string', 'demo', 'POST', S, {'json': 'server'}, 400),
    ('srv-body-null', 'demo', 'POST', S, raw(b'null'), 400),
    ('srv-nan', 'demo', 'POST', S, raw(b'{"server": {"name": "x", "flavorRef": NaN}}'), 400),
    ('srv-bad-utf8', 'demo', 'POST', S, raw(b'{"server": {"name": "\xff\xfe"}}'), 400),
    ('srv-no-server-key', 'demo', 'POST', S, {'json': {}}, 400),
    ('srv-server-not-object', 'demo', 'POST', S, {'json': {'server': 'vm'}}, 400),
    ('srv-unknown-top-key', 'demo', 'POST', S, {'json': {'server': {}, 'x': 1}}, 400),
    # --- POST /servers: fields
    ('srv-missing-name', 'demo', 'POST', S, boot(name=DROP), 400),
    ('srv-missing-flavor', 'demo', 'POST', S, boot(flavorRef=DROP), 400),
    ('srv-missing-image', 'demo', 'POST', S, boot(imageRef=DROP), 400),
    ('srv-name-int', 'demo', 'POST', S, boot(name=123), 400),
    ('srv-name-empty', 'demo', 'POST', S, boot(name=''), 400),
    ('srv-name-leading-space', 'demo', 'POST', S, boot(name=' vm'), 400),
    ('srv-name-too-long', 'demo', 'POST', S, boot(name='x' * 256), 400),
    ('srv-name-control-char', 'demo', 'POST', S, boot(name='a\nb'), 400),
    ('srv-flavor-empty', 'demo', 'POST', S, boot(flavorRef=''), 400),
    ('srv-flavor-object', 'demo', 'POST', S, boot(flavorRef={'id': '42'}), 400),
    ('srv-flavor-unknown', 'demo', 'POST', S, boot(flavorRef='no-such-flavor'), 400),
    ('srv-flavor-unknown-int', 'demo', 'POST', S, boot(flavorRef=987654), 400),
    ('srv-flavor-private', 'demo', 'POST', S, boot(flavorRef='{private}'), 400),
    ('srv-image-unknown', 'demo', 'POST', S, boot(imageRef=UNKNOWN), 400),
    ('srv-image-not-uuid', 'demo', 'POST', S, boot(imageRef='cirros'), 400),
    ('srv-image-int', 'demo', 'POST', S, boot(imageRef=7), 400),
    ('srv-image-null', 'demo', 'POST', S, boot(imageRef=None), 400),
    ('srv-min-count-zero', 'demo', 'POST', S, boot(min_count=0), 400),
    ('srv-min-count-zero-str', 'demo', 'POST', S, boot(min_count='0'), 400),
    ('srv-min-count-text', 'demo', 'POST', S, boot(min_count='two'), 400),
    ('srv-min-count-float', 'demo', 'POST', S, boot(min_count=1.5), 400),
    ('srv-min-over-max', 'demo', 'POST', S, boot(min_count=3, max_count=2), 400),
    ('srv-networks-bogus', 'demo', 'POST', S, boot(networks='some'), 400),
    ('srv-networks-unknown', 'demo', 'POST', S, boot(networks=[{'uuid': UNKNOWN}]), 400),
    ('srv-networks-bad-item', 'demo', 'POST', S, boot(networks=[{'bogus': 1}]), 400),
    ('srv-metadata-int-value', 'demo', 'POST', S, boot(metadata={'k': 1}), 400),
    ('srv-metadata-list', 'demo', 'POST', S, boot(metadata=['k']), 400),
    ('srv-metadata-empty-key', 'demo', 'POST', S, boot(metadata={'': 'v'}), 400),
    ('srv-metadata-bad-key', 'demo', 'POST', S, boot(metadata={'a/b': 'v'}), 400),
    ('srv-unknown-field', 'demo', 'POST', S, boot(colour='red'), 400),
    ('srv-zone-unknown', 'demo', 'POST', S, boot(availability_zone='nowhere'), 400),
    ('srv-key-unknown', 'demo', 'POST', S, boot(key_name='nokey'), 400),
    ('srv-bdm-not-list', 'demo', 'POST', S, boot(block_device_mapping_v2={}), 400),
    ('srv-bdm-bad-source', 'demo', 'POST', S,
     boot(imageRef=DROP, block_device_mapping_v2=[{'source_type': 'tape'}]), 400),
    ('srv-disk-config', 'demo', 'POST', S, boot(**{'OS-DCF:diskConfig': 'BEST'}), 400),
    ('srv-forced-host-member', 'demo', 'POST', S, boot(host='compute-1'), 403),
    # --- list
    ('list-limit-negative', 'demo', 'GET', S + '?limit=-1', {}, 400),
    ('list-limit-text', 'demo', 'GET', S + '?limit=abc', {}, 400),
    ('detail-limit-negative', 'demo', 'GET', S + '/detail?limit=-1', {}, 400),
    ('detail-limit-text', 'demo', 'GET', S + '/detail?limit=1.5', {}, 400),
    ('list-marker-unknown', 'demo', 'GET', S + '?marker=' + UNKNOWN, {}, 400),
    ('detail-marker-unknown', 'demo', 'GET', S + '/detail?marker=nope', {}, 400),
    ('list-all-tenants-member', 'demo', 'GET', S + '?all_tenants=1', {}, 403),
    ('detail-all-tenants-member', 'demo', 'GET', S + '/detail?all_tenants=True', {}, 403),
    ('list-bad-utf8-query', 'demo', 'GET', S + '?name=%FF', {}, 400),
    # --- show / delete
    ('show-unknown', 'demo', 'GET', S + '/' + UNKNOWN, {}, 404),
    ('show-not-uuid', 'demo', 'GET', S + '/12345', {}, 404),
    ('show-by-name', 'demo', 'GET', S + '/{server_name}', {}, 404),
    ('show-nul', 'demo', 'GET', S + '/%00', {}, 404),
    ('show-bad-utf8', 'demo', 'GET', S + '/%FF%FE', {}, 400),
    ('show-other-project', 'alt', 'GET', S + '/{server}', {}, 404),
    ('delete-unknown', 'demo', 'DELETE', S + '/' + UNKNOWN, {}, 404),
    ('delete-not-uuid', 'demo', 'DELETE', S + '/not-a-uuid', {}, 404),
    ('delete-by-name', 'demo', 'DELETE', S + '/{server_name}', {}, 404),
    ('delete-other-project', 'alt', 'DELETE', S + '/{server}', {}, 404),
    # --- instance actions
    ('actions-unknown-server', 'demo', 'GET', S + f'/{UNKNOWN}/os-instance-actions', {}, 404),
    ('actions-not-uuid', 'demo', 'GET', S + '/vm/os-instance-actions', {}, 404),
    ('actions-old-mv-unknown', 'demo', 'GET', S + f'/{UNKNOWN}/os-instance-actions',
     mv('2.1'), 404),
    ('actions-other-project', 'alt', 'GET', S + '/{server}/os-instance-actions', {}, 404),
    ('action-unknown-request', 'demo', 'GET',
     S + '/{server}/os-instance-actions/req-' + UNKNOWN, {}, 404),
    ('action-other-project', 'alt', 'GET', S + '/{server}/os-instance-actions/req-x', {}, 404),
    # --- flavors
    ('flv-show-unknown', 'demo', 'GET', F + '/no-such-flavor', {}, 404),
    ('flv-show-private-member', 'demo', 'GET', F + '/{private}', {}, 404),
    ('flv-list-limit-negative', 'demo', 'GET', F + '?limit=-1', {}, 400),
    ('flv-list-limit-text', 'demo', 'GET', F + '/detail?limit=x', {}, 400),
    ('flv-list-marker-unknown', 'demo', 'GET', F + '?marker=no-such-flavor', {}, 400),
    ('flv-list-minram-text', 'demo', 'GET', F + '/detail?minRam=lots', {}, 400),
    ('flv-list-mindisk-text', 'demo', 'GET', F + '/detail?minDisk=1.5', {}, 400),
    ('flv-list-is-public-bogus', 'admin', 'GET', F + '?is_public=maybe', {}, 400),
    ('flv-create-member', 'demo', 'POST', F, flavor(), 403),
    ('flv-create-malformed', 'admin', 'POST', F, raw(b'{"flavor": '), 400),
    ('flv-create-list', 'admin', 'POST', F, {'json': []}, 400),
    ('flv-create-no-flavor', 'admin', 'POST', F, {'json': {'name': 'x'}}, 400),
    ('flv-create-missing-ram', 'admin', 'POST', F, flavor(ram=DROP), 400),
    ('flv-create-missing-name', 'admin', 'POST', F, flavor(name=DROP), 400),
    ('flv-create-ram-text', 'admin', 'POST', F, flavor(ram='lots'), 400),
    ('flv-create-ram-zero', 'admin', 'POST', F, flavor(ram=0), 400),
    ('flv-create-ram-huge', 'admin', 'POST', F, flavor(ram=2 ** 40), 400),
    ('flv-create-vcpus-negative', 'admin', 'POST', F, flavor(vcpus=-1), 400),
    ('flv-create-disk-float', 'admin', 'POST', F, flavor(disk=1.5), 400),
    ('flv-create-name-empty', 'admin', 'POST', F, flavor(name=''), 400),
    ('flv-create-id-slash', 'admin', 'POST', F, flavor(id='a/b'), 400),
    ('flv-create-public-bogus', 'admin', 'POST', F,
     flavor(**{'os-flavor-access:is_public': 'maybe'}), 400),
    ('flv-create-unknown-field', 'admin', 'POST', F, flavor(colour='red'), 400),
    ('flv-create-rxtx-text', 'admin', 'POST', F, flavor(rxtx_factor='fast'), 400),
    ('flv-create-description-old-mv', 'admin', 'POST', F, dict(
        flavor(description='d'), **mv('2.54')), 400),
    ('flv-create-duplicate-id', 'admin', 'POST', F, flavor(id='42'), 409),
    ('flv-create-duplicate-name', 'admin', 'POST', F, flavor(name='m1.nano'), 409),
    ('flv-update-unknown', 'admin', 'PUT', F + '/no-such-flavor',
     {'json': {'flavor': {'description': 'd'}}}, 404),
    ('flv-update-missing-description', 'admin', 'PUT', F + '/42', {'json': {'flavor': {}}},
     400),
    ('flv-update-member', 'demo', 'PUT', F + '/42', {'json': {'flavor': {'description': 'd'}}},
     403),
    ('flv-delete-unknown', 'admin', 'DELETE', F + '/no-such-flavor', {}, 404),
    ('flv-delete-member', 'demo', 'DELETE', F + '/42', {}, 403),
    # --- os-extra_specs
    ('spec-list-unknown-flavor', 'demo', 'GET', F + '/no-such-flavor/os-extra_specs', {}, 404),
    ('spec-show-unknown-key', 'demo', 'GET', F + '/42/os-extra_specs/no:key', {}, 404),
    ('spec-create-member', 'demo', 'POST', F + '/42/os-extra_specs',
     {'json': {'extra_specs': {'k': 'v'}}}, 403),
    ('spec-create-malformed', 'admin', 'POST', F + '/{private}/os-extra_specs',
     raw(b'{"extra_specs": {'), 400),
    ('spec-create-missing', 'admin', 'POST', F + '/{private}/os-extra_specs',
     {'json': {'specs': {}}}, 400),
    ('spec-create-not-object', 'admin', 'POST', F + '/{private}/os-extra_specs',
     {'json': {'extra_specs': ['k']}}, 400),
    ('spec-create-bad-key', 'admin', 'POST', F + '/{private}/os-extra_specs',
     {'json': {'extra_specs': {'bad/key': 'v'}}}, 400),
    ('spec-create-empty-key', 'admin', 'POST', F + '/{private}/os-extra_specs',
     {'json': {'extra_specs': {'': 'v'}}}, 400),
    ('spec-update-bad-key', 'admin', 'PUT', F + '/{private}/os-extra_specs/a!b',
     {'json': {'a!b': 'v'}}, 400),
    ('spec-create-value-object', 'admin', 'POST', F + '/{private}/os-extra_specs',
     {'json': {'extra_specs': {'k': {'v': 1}}}}, 400),
    ('spec-create-unknown-flavor', 'admin', 'POST', F + '/no-such-flavor/os-extra_specs',
     {'json': {'extra_specs': {'k': 'v'}}}, 404),
    ('spec-update-mismatch', 'admin', 'PUT', F + '/{private}/os-extra_specs/k',
     {'json': {'other': 'v'}}, 400),
    ('spec-update-two-keys', 'admin', 'PUT', F + '/{private}/os-extra_specs/k',
     {'json': {'k': 'v', 'j': 'w'}}, 400),
    ('spec-update-member', 'demo', 'PUT', F + '/42/os-extra_specs/k', {'json': {'k': 'v'}},
     403),
    ('spec-delete-unknown-key', 'admin', 'DELETE', F + '/{private}/os-extra_specs/nokey', {},
     404),
    ('spec-delete-member', 'demo', 'DELETE', F + '/42/os-extra_specs/k', {}, 403),
    # --- os-flavor-access
    ('access-list-member', 'demo', 'GET', F + '/{private}/os-flavor-access', {}, 403),
    ('access-list-public', 'admin', 'GET', F + '/42/os-flavor-access', {}, 404),
    ('access-list-unknown', 'admin', 'GET', F + '/no-such-flavor/os-flavor-access', {}, 404),
    ('access-action-member', 'demo', 'POST', F + '/{private}/action',
     {'json': {'addTenantAccess': {'tenant': 'x'}}}, 403),
    ('access-action-malformed', 'admin', 'POST', F + '/{private}/action', raw(b'{'), 400),
    ('access-action-empty', 'admin', 'POST', F + '/{private}/action', {'json': {}}, 400),
    ('access-action-unknown', 'admin', 'POST', F + '/{private}/action',
     {'json': {'shareWith': {'tenant': 'x'}}}, 400),
    ('access-action-no-tenant', 'admin', 'POST', F + '/{private}/action',
     {'json': {'addTenantAccess': {}}}, 400),
    ('access-action-tenant-int', 'admin', 'POST', F + '/{private}/action',
     {'json': {'addTenantAccess': {'tenant': 5}}}, 400),
    ('access-action-two', 'admin', 'POST', F + '/{private}/action', {'json': {
        'addTenantAccess': {'tenant': 'x'}, 'removeTenantAccess': {'tenant': 'x'}}}, 400),
    ('access-action-unknown-flavor', 'admin', 'POST', F + '/no-such-flavor/action',
     {'json': {'addTenantAccess': {'tenant': 'x'}}}, 404),
    ('access-action-public-flavor', 'admin', 'POST', F + '/42/action',
     {'json': {'addTenantAccess': {'tenant': 'x'}}}, 409),
    ('access-remove-absent', 'admin', 'POST', F + '/{private}/action',
     {'json': {'removeTenantAccess': {'tenant': 'nobody'}}}, 404),
    # --- os-services
    ('svc-list-member', 'demo', 'GET', SVC, {}, 403),
    ('svc-update-member', 'demo', 'PUT', SVC + '/' + UNKNOWN,
     dict({'json': {'status': 'enabled'}}, **mv('2.53')), 403),
    ('svc-update-old-mv', 'admin', 'PUT', SVC + '/' + UNKNOWN,
     dict({'json': {'status': 'enabled'}}, **mv('2.52')), 404),
    ('svc-update-unknown', 'admin', 'PUT', SVC + '/' + UNKNOWN,
     dict({'json': {'status': 'enabled'}}, **mv('2.53')), 404),
    ('svc-update-huge-int', 'admin', 'PUT', SVC + '/99999999999999999999999',
     dict({'json': {'status': 'enabled'}}, **mv('2.53')), 404),
    ('svc-update-unicode-digit', 'admin', 'PUT', SVC + '/%C2%B2',
     dict({'json': {'status': 'enabled'}}, **mv('2.53')), 404),
    ('svc-update-bad-status', 'admin', 'PUT', SVC + '/' + UNKNOWN,
     dict({'json': {'status': 'sleeping'}}, **mv('2.53')), 400),
    ('svc-update-empty', 'admin', 'PUT', SVC + '/' + UNKNOWN, dict({'json': {}}, **mv('2.53')),
     400),
    ('svc-update-reason-alone', 'admin', 'PUT', SVC + '/' + UNKNOWN,
     dict({'json': {'disabled_reason': 'x'}}, **mv('2.53')), 400),
    ('svc-update-forced-down-bogus', 'admin', 'PUT', SVC + '/' + UNKNOWN,
     dict({'json': {'forced_down': 'perhaps'}}, **mv('2.53')), 400),
    ('svc-update-malformed', 'admin', 'PUT', SVC + '/' + UNKNOWN,
     dict(raw(b'{"status"'), **{'headers': {'Content-Type': 'application/json',
                                            'OpenStack-API-Version': 'compute 2.53'}}), 400),
    ('svc-delete-member', 'demo', 'DELETE', SVC + '/' + UNKNOWN, {}, 403),
    ('svc-delete-unknown', 'admin', 'DELETE', SVC + '/' + UNKNOWN, {}, 404),
    ('svc-delete-huge-int', 'admin', 'DELETE', SVC + '/99999999999999999999999', {}, 404),
    # --- os-hypervisors
    ('hyp-list-member', 'demo', 'GET', HYP, {}, 403),
    ('hyp-detail-member', 'demo', 'GET', HYP + '/detail', {}, 403),
    ('hyp-stats-member', 'demo', 'GET', HYP + '/statistics', {}, 403),
    ('hyp-show-member', 'demo', 'GET', HYP + '/1', {}, 403),
    ('hyp-show-unknown', 'admin', 'GET', HYP + '/' + UNKNOWN, {}, 404),
    ('hyp-show-unknown-int', 'admin', 'GET', HYP + '/424242', {}, 404),
    ('hyp-show-huge-int', 'admin', 'GET', HYP + '/99999999999999999999999', {}, 404),
    ('hyp-show-unicode-digit', 'admin', 'GET', HYP + '/%C2%B2', {}, 404),
    ('hyp-show-name', 'admin', 'GET', HYP + '/compute-1', {}, 404),
    # --- microversions
    ('mv-too-high', 'demo', 'GET', S, mv('2.97'), 406),
    ('mv-major-3', 'demo', 'GET', S, mv('3.0'), 406),
    ('mv-2-0', 'demo', 'GET', S, mv('2.0'), 406),
    ('mv-legacy-too-high', 'demo', 'GET', S, mv('2.200', legacy=True), 406),
    ('mv-garbage', 'demo', 'GET', S, mv('two'), 400),
    ('mv-three-parts', 'demo', 'GET', S, mv('2.1.1'), 400),
    ('mv-legacy-garbage', 'demo', 'GET', S, mv('v2', legacy=True), 400),
    # --- methods and routes
    ('method-put-servers', 'demo', 'PUT', S, {'json': {}}, 405),
    ('method-patch-server', 'demo', 'PATCH', S + '/' + UNKNOWN, {'json': {}}, 405),
    ('method-post-detail', 'demo', 'POST', S + '/detail', {'json': {}}, 405),
    ('method-delete-flavors', 'admin', 'DELETE', F, {}, 405),
    ('method-patch-flavor', 'admin', 'PATCH', F + '/42', {'json': {}}, 405),
    ('method-post-hypervisors', 'admin', 'POST', HYP, {'json': {}}, 405),
    ('method-put-services', 'admin', 'PUT', SVC, {'json': {}}, 405),
    ('method-post-actions', 'demo', 'POST', S + '/{server}/os-instance-actions', {'json': {}},
     405),
    ('route-unknown', 'demo', 'GET', '/compute/v2.1/x/os-nothing', {}, 404),
    ('route-unknown-deep', 'demo', 'GET', S + '/{server}/os-nothing', {}, 404),
    # --- no or bad token
    ('anon-list', 'anon', 'GET', S, {}, 401),
    ('anon-create', 'anon', 'POST', S, boot(), 401),
    ('anon-show', 'anon', 'GET', S + '/{server}', {}, 401),
    ('anon-delete', 'anon', 'DELETE', S + '/{server}', {}, 401),
    ('anon-flavors', 'anon', 'GET', F, {}, 401),
    ('anon-hypervisors', 'anon', 'GET', HYP, {}, 401),
    ('anon-services', 'anon', 'GET', SVC, {}, 401),
    ('bad-token', 'garbage', 'GET', S, {}, 401),
    ('forged-token', 'forged', 'GET', S, {}, 401),
]

IMAGE_CASES = [
    ('img-show-unknown', 'demo', 'GET', IMG + '/' + UNKNOWN, {}, 404),
    ('img-show-name', 'demo', 'GET', IMG + '/stratus-tiny', {}, 404),
    ('img-file-unknown', 'demo', 'GET', IMG + f'/{UNKNOWN}/file', {}, 404),
    ('img-delete-unknown', 'demo', 'DELETE', IMG + '/' + UNKNOWN, {}, 404),
    ('img-delete-public-member', 'demo', 'DELETE', IMG + '/{image}', {}, 403),
    ('img-patch-unknown', 'demo', 'PATCH', IMG + '/' + UNKNOWN, {'json': []}, 404),
    ('img-create-malformed', 'demo', 'POST', IMG, raw(b'{"name": '), 400),
    ('img-create-list', 'demo', 'POST', IMG, {'json': ['x']}, 400),
    ('img-create-disk-format', 'demo', 'POST', IMG, {'json': {'disk_format': 'floppy'}}, 400),
    ('img-create-min-ram-text', 'demo', 'POST', IMG, {'json': {'min_ram': 'lots'}}, 400),
    ('img-create-bad-id', 'demo', 'POST', IMG, {'json': {'id': 'not-a-uuid'}}, 400),
    ('img-create-read-only', 'demo', 'POST', IMG, {'json': {'status': 'active'}}, 403),
    ('img-create-public-member', 'demo', 'POST', IMG, {'json': {'visibility': 'public'}},
     403),
    ('img-list-limit-negative', 'demo', 'GET', IMG + '?limit=-1', {}, 400),
    ('img-list-limit-text', 'demo', 'GET', IMG + '?limit=abc', {}, 400),
    ('img-list-visibility', 'demo', 'GET', IMG + '?visibility=secret', {}, 400),
    ('img-anon', 'anon', 'GET', IMG, {}, 401),
    ('img-method', 'demo', 'PUT', IMG, {'json': {}}, 405),
]

IDENTITY_CASES = [
    ('id-token-malformed', 'anon', 'POST', TOKENS, raw(b'{"auth": '), 400),
    ('id-token-list', 'anon', 'POST', TOKENS, {'json': []}, 400),
    ('id-token-empty-object', 'anon', 'POST', TOKENS, {'json': {}}, 400),
    ('id-token-no-methods', 'anon', 'POST', TOKENS,
     {'json': {'auth': {'identity': {'methods': []}}}}, 400),
    ('id-token-no-user', 'anon', 'POST', TOKENS,
     {'json': {'auth': {'identity': {'methods': ['password'], 'password': {}}}}}, 400),
    ('id-token-wrong-password', 'anon', 'POST', TOKENS, auth(password='nope'), 401),
    ('id-token-unknown-user', 'anon', 'POST', TOKENS, auth(name='mallory'), 401),
    ('id-token-password-int', 'anon', 'POST', TOKENS, auth(password=5), 400),
    ('id-token-name-list', 'anon', 'POST', TOKENS, auth(name=['demo']), 400),
    ('id-token-password-string', 'anon', 'POST', TOKENS,
     {'json': {'auth': {'identity': {'methods': ['password'], 'password': 'pw'}}}}, 400),
    ('id-token-token-string', 'anon', 'POST', TOKENS,
     {'json': {'auth': {'identity': {'methods': ['token'], 'token': 'abc'}}}}, 401),
    ('id-token-other-domain', 'anon', 'POST', TOKENS, auth(domain={'name': 'Other'}), 401),
    ('id-token-bad-method', 'anon', 'POST', TOKENS,
     {'json': {'auth': {'identity': {'methods': ['totp']}}}}, 401),
    ('id-validate-unknown', 'demo', 'GET', TOKENS, {'headers': {'X-Subject-Token': 'x'}}, 404),
    ('id-validate-anon', 'anon', 'GET', TOKENS, {'headers': {'X-Subject-Token': 'x'}}, 401),
    ('id-projects-member', 'demo', 'GET', '/identity/v3/projects', {}, 403),
    ('id-project-unknown', 'admin', 'GET', '/identity/v3/projects/nope', {}, 404),
    ('id-project-other-member', 'demo', 'GET', '/identity/v3/projects/alt', {}, 403),
    ('id-projects-anon', 'anon', 'GET', '/identity/v3/projects', {}, 401),
]


@pytest.fixture(scope='module')
def env(cloud, admin, demo, image_id):
    """A demo server and a private flavor to aim bad requests at; both removed afterwards."""
    name = f'bad-input-{uuid.uuid4().hex[:6]}'
    resp = demo.create_server(name, image_id)
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    private = f'bad-input-private-{uuid.uuid4().hex[:6]}'
    resp = admin.post(F, json={'flavor': {'name': private, 'id': private, 'ram': 64,
                                          'vcpus': 1, 'disk': 0,
                                          'os-flavor-access:is_public': False}})
    assert resp.status_code == 200, resp.text
    demo.wait_status(server_id, {'ACTIVE', 'ERROR'})
    yield {'image': image_id, 'server': server_id, 'server_name': name, 'private': private,
           'unknown': UNKNOWN}
    assert admin.delete(f'{F}/{private}').status_code == 202
    assert demo.delete(f'{S}/{server_id}').status_code == 204
    demo.wait_status(server_id, {'DELETED'})


@pytest.fixture(scope='module')
def callers(cloud, admin, demo, alt):
    anon = requests.Session()
    garbage = requests.Session()
    garbage.headers['X-Auth-Token'] = 'not-a-token'
    forged = requests.Session()
    # A well-formed token whose signature is wrong.
    head, payload, _ = demo.token.split('.')
    forged.headers['X-Auth-Token'] = f'{head}.{payload}.AAAA'
    plain = {name: _Plain(cloud.url, s) for name, s in
             (('anon', anon), ('garbage', garbage), ('forged', forged))}
    return dict(plain, admin=admin, demo=demo, alt=alt)


class _Plain:
    """A caller without a valid token, with the Client's request() signature."""

    def __init__(self, base, session):
        self.base = base.rstrip('/')
        self.session = session

    def request(self, method, path, **kwargs):
        kwargs.setdefault('timeout', 60)
        return self.session.request(method, f'{self.base}{path}', **kwargs)


def _fill(value, env):
    if isinstance(value, str):
        return value.format_map(env)
    if isinstance(value, dict):
        return {_fill(k, env): _fill(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, env) for v in value]
    return value


def _send(callers, env, user, method, path, kwargs):
    kwargs = dict(kwargs)
    if 'json' in kwargs:
        kwargs['json'] = _fill(kwargs['json'], env)
    return callers[user].request(method, path.format_map(env), **kwargs)


def assert_nova_fault(resp, status):
    """``status`` and {"<name>": {"message": "...", "code": status}} with Nova's name."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert list(body) == [FAULT_KEYS[status]], body
    fault = body[FAULT_KEYS[status]]
    assert isinstance(fault['message'], str) and fault['message'].strip(), body
    assert fault['code'] == status, body
    if status == 401:
        assert fault['title'] == 'Unauthorized'
        assert resp.headers['WWW-Authenticate'].startswith('Keystone uri=')


def assert_keystone_error(resp, status):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert list(body) == ['error'], body
    assert body['error']['code'] == status
    assert body['error']['message'] and body['error']['title']


def _cleanup_if_created(callers, resp, method, path):
    if method == 'POST' and path == S and resp.status_code == 202:
        callers['admin'].delete(f"{S}/{resp.json()['server']['id']}")
    if method == 'POST' and path == F and resp.status_code == 200:
        callers['admin'].delete(f"{F}/{resp.json()['flavor']['id']}")
    if method == 'POST' and path == IMG and resp.status_code == 201:
        callers['admin'].delete(f"{IMG}/{resp.json()['id']}")


@pytest.mark.parametrize('user,method,path,kwargs,status',
                         [c[1:] for c in COMPUTE_CASES], ids=[c[0] for c in COMPUTE_CASES])
def test_compute_bad_input(callers, env, user, method, path, kwargs, status):
    resp = _send(callers, env, user, method, path, kwargs)
    _cleanup_if_created(callers, resp, method, path)
    assert_nova_fault(resp, status)


@pytest.mark.parametrize('user,method,path,kwargs,status',
                         [c[1:] for c in IMAGE_CASES], ids=[c[0] for c in IMAGE_CASES])
def test_image_bad_input(callers, env, user, method, path, kwargs, status):
    resp = _send(callers, env, user, method, path, kwargs)
    _cleanup_if_created(callers, resp, method, path)
    assert_nova_fault(resp, status)


@pytest.mark.parametrize('user,method,path,kwargs,status',
                         [c[1:] for c in IDENTITY_CASES], ids=[c[0] for c in IDENTITY_CASES])
def test_identity_bad_input(callers, env, user, method, path, kwargs, status):
    resp = _send(callers, env, user, method, path, kwargs)
    assert_keystone_error(resp, status)


def test_errors_carry_microversion_headers(callers, env):
    """A compute error still echoes the microversion (Nova's Fault sets the headers)."""
    resp = callers['demo'].request('GET', f'{S}/{UNKNOWN}', headers={
        'OpenStack-API-Version': 'compute 2.60'})
    assert_nova_fault(resp, 404)
    assert resp.headers['OpenStack-API-Version'] == 'compute 2.60'
    assert resp.headers['X-OpenStack-Nova-API-Version'] == '2.60'


def test_unsupported_version_names_the_range(callers):
    resp = callers['demo'].request('GET', S, headers={'OpenStack-API-Version': 'compute 2.99'})
    assert_nova_fault(resp, 406)
    message = resp.json()['computeFault']['message']
    assert '2.99' in message and '2.1' in message and '2.96' in message


def test_other_service_in_version_header_means_default(callers, env):
    """``OpenStack-API-Version: image 2.5`` names no compute version: 2.1 is used."""
    resp = callers['demo'].request('GET', f"{S}/{env['server']}", headers={
        'OpenStack-API-Version': 'image 2.5'})
    assert resp.status_code == 200
    assert resp.headers['OpenStack-API-Version'] == 'compute 2.1'


def test_rejected_create_leaves_nothing_behind(cloud, callers, env, demo):
    """Refused creates (bad flavor, image, count) make no instance rows."""
    from db import instances
    before = {i['uuid'] for i in instances.list_(cloud.db, {'project_id': demo.project_id})}
    for kwargs in (boot(flavorRef='nope'), boot(imageRef=UNKNOWN), boot(min_count=0),
                   boot(networks=[{'uuid': UNKNOWN}])):
        assert _send(callers, env, 'demo', 'POST', S, kwargs).status_code == 400
    after = {i['uuid'] for i in instances.list_(cloud.db, {'project_id': demo.project_id})}
    assert after == before

