"""Flavor views, gated by microversion."""


def links(base, flavorid):
    return [{'rel': 'self', 'href': f'{base}/v2.1/flavors/{flavorid}'},
            {'rel': 'bookmark', 'href': f'{base}/flavors/{flavorid}'}]


def basic(flavor, base, version):
    body = {'id': flavor['flavorid'], 'name': flavor['name'],
            'links': links(base, flavor['flavorid'])}
    if version >= (2, 55):
        body['description'] = flavor.get('description')
    return body


def detail(flavor, base, version):
    body = basic(flavor, base, version)
    swap = flavor['swap']
    body.update({
        'ram': flavor['memory_mb'], 'disk': flavor['root_gb'], 'vcpus': flavor['vcpus'],
        'OS-FLV-EXT-DATA:ephemeral': flavor['ephemeral_gb'],
        'OS-FLV-DISABLED:disabled': bool(flavor['disabled']),
        'swap': swap if (swap or version >= (2, 75)) else '',
        'rxtx_factor': flavor['rxtx_factor'],
        'os-flavor-access:is_public': bool(flavor['is_public']),
    })
    if version >= (2, 61):
        body['extra_specs'] = flavor.get('extra_specs') or {}
    return body
