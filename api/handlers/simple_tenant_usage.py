"""/os-simple-tenant-usage: server hours per project in a window, from launch/terminate times."""
import datetime
import urllib.parse

from api import policy
from api import wsgi
from common import exception
from common import timeutils
from db import tenant_usage

PREFIX = '/compute/v2.1/os-simple-tenant-usage'
_FORMATS = ('%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d %H:%M:%S.%f')


def _parse_time(raw):
    if not raw:
        return timeutils.utcnow()
    for fmt in _FORMATS:
        try:
            return datetime.datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise exception.Invalid(f'Datetime is in invalid format: {raw}')


def _window(params):
    start, stop = _parse_time(params.get('start')), _parse_time(params.get('end'))
    if not start < stop:
        raise exception.Invalid('Invalid start time. The start time cannot occur after the '
                                'end time.')
    return start, stop


def _paging(req, deps):
    """(limit, marker): both only from 2.40; limit capped by [api] max_limit."""
    if req.api_version < (2, 40):
        return None, None
    raw = req.GET.get('limit')
    limit = None
    if raw is not None:
        if not raw.isdigit():
            raise exception.Invalid('limit param must be a non-negative integer')
        limit = min(int(raw), deps.conf.api.max_limit)
    return limit, req.GET.get('marker') or None


def _hours(inst, start, stop):
    """Hours of the window the instance ran (Nova's _hours_for)."""
    launched, ended = inst['launched_at'], inst['terminated_at']
    if not launched or (ended and ended < start) or launched > stop:
        return 0
    until = min(stop, ended) if ended else stop
    return (until - max(launched, start)).total_seconds() / 3600.0


def _server_usage(inst, start, stop, now):
    flavor = inst['flavor'] or {}
    ended = inst['terminated_at']
    return {
        'hours': _hours(inst, start, stop), 'flavor': flavor.get('name') or '',
        'instance_id': inst['uuid'], 'name': inst['display_name'],
        'tenant_id': inst['project_id'], 'memory_mb': inst['memory_mb'],
        'local_gb': inst['root_gb'] + inst['ephemeral_gb'], 'vcpus': inst['vcpus'],
        'started_at': inst['launched_at'].isoformat(),
        'ended_at': ended.isoformat() if ended else None,
        'state': 'terminated' if ended else inst['vm_state'],
        'uptime': int(((ended or now) - inst['launched_at']).total_seconds()),
    }


def _summaries(found, start, stop, detailed):
    """([per-project summary], [every server usage]) in the order projects first appear."""
    now = timeutils.utcnow()
    by_project, every = {}, []
    for inst in found:
        usage = _server_usage(inst, start, stop, now)
        every.append(usage)
        summary = by_project.setdefault(usage['tenant_id'], dict(
            {'server_usages': []} if detailed else {}, tenant_id=usage['tenant_id'],
            total_local_gb_usage=0, total_vcpus_usage=0, total_memory_mb_usage=0,
            total_hours=0, start=start.isoformat(), stop=stop.isoformat()))
        for total, key in (('total_local_gb_usage', 'local_gb'),
                           ('total_vcpus_usage', 'vcpus'),
                           ('total_memory_mb_usage', 'memory_mb')):
            summary[total] += usage[key] * usage['hours']
        summary['total_hours'] += usage['hours']
        if detailed:
            summary['server_usages'].append(usage)
    return list(by_project.values()), every


def _links(req, deps, every, limit, key):
    """A next link when a full page was returned (2.40)."""
    if limit is None or not every or len(every) < limit:
        return {}
    kept = [(k, v) for k, v in req.GET.items() if k not in ('limit', 'marker')]
    query = urllib.parse.urlencode(kept + [('limit', limit),
                                           ('marker', every[-1]['instance_id'])])
    href = deps.endpoint(req, req.path_info.rstrip('/'))
    return {key: [{'rel': 'next', 'href': f'{href}?{query}'}]}


def index(req, deps):
    policy.authorize(req.context, 'os-simple-tenant-usage:list')
    if req.path_info.endswith('/'):
        # GET .../os-simple-tenant-usage/ names an empty tenant id: Nova's 404.
        raise exception.NotFound('The resource could not be found.')
    start, stop = _window(req.GET)
    limit, marker = _paging(req, deps)
    found = tenant_usage.active_in_window(deps.db, start, stop, limit=limit, marker=marker)
    detailed = req.GET.get('detailed', '0') == '1'
    summaries, every = _summaries(found, start, stop, detailed)
    body = {'tenant_usages': summaries}
    body.update(_links(req, deps, every, limit, 'tenant_usages_links'))
    return wsgi.json_response(body)


def show(req, deps, tenant_id):
    ctxt = req.context
    policy.authorize(ctxt, 'os-simple-tenant-usage:show')
    if not ctxt.is_admin and ctxt.project_id != tenant_id:
        raise exception.Forbidden('Policy does not allow os-simple-tenant-usage:show to be '
                                  'performed.')
    start, stop = _window(req.GET)
    limit, marker = _paging(req, deps)
    found = tenant_usage.active_in_window(deps.db, start, stop, tenant_id, limit, marker)
    summaries, every = _summaries(found, start, stop, True)
    body = {'tenant_usage': summaries[0] if summaries else {}}
    body.update(_links(req, deps, every, limit, 'tenant_usage_links'))
    return wsgi.json_response(body)


ROUTES = [
    ('GET', PREFIX, index),
    ('GET', PREFIX + '/{tenant_id}', show),
]
