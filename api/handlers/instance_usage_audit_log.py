"""/os-instance_usage_audit_log: the usage audit of the last completed month per compute host.

Stratus runs no instance-usage audit task (Nova's default, instance_usage_audit=False),
so no host has a task log for any period: every compute service's host, enabled or not,
is reported as not run, with no instances counted and no errors, as Nova reports it then.
"""
import datetime

from api import policy
from api import wsgi
from api.views import services as service_views
from common import exception
from common import timeutils
from db import services

PREFIX = '/compute/v2.1/os-instance_usage_audit_log'


def audit_period(before):
    """(begin, end) of the last month completed before ``before`` (Nova's default unit)."""
    end = datetime.datetime(before.year, before.month, 1)
    if end >= before:
        end = _month_before(end)
    return _month_before(end), end


def _month_before(day):
    return (datetime.datetime(day.year - 1, 12, 1) if day.month == 1
            else datetime.datetime(day.year, day.month - 1, 1))


def _parse(raw):
    """'YYYY-mm-dd HH:MM:SS[.ffffff]' as Nova takes it; anything else is a 400."""
    fmt = '%Y-%m-%d %H:%M:%S.%f' if '.' in raw else '%Y-%m-%d %H:%M:%S'
    try:
        return datetime.datetime.strptime(raw, fmt)
    except ValueError:
        raise exception.Invalid(f'Invalid timestamp for date {raw}') from None


def audit_log(deps, before):
    """Nova's report for the period: no host has a task log, so every compute host is not run."""
    begin, end = audit_period(before)
    hosts = sorted({s['host'] for s in services.list_(deps.db, binary=service_views.COMPUTE)})
    done = 'ALL' if not hosts else f'0 of {len(hosts)}'
    return {'period_beginning': str(begin), 'period_ending': str(end),
            'num_hosts': len(hosts), 'num_hosts_done': 0, 'num_hosts_running': 0,
            'hosts_not_run': hosts, 'num_hosts_not_run': len(hosts),
            'total_errors': 0, 'total_instances': 0,
            'overall_status': f'{done} hosts done. 0 errors.', 'log': {}}


def index(req, deps):
    policy.authorize(req.context, 'os-instance-usage-audit-log:list')
    return wsgi.json_response({'instance_usage_audit_logs': audit_log(
        deps, timeutils.utcnow())})


def show(req, deps, before):
    policy.authorize(req.context, 'os-instance-usage-audit-log:show')
    return wsgi.json_response({'instance_usage_audit_log': audit_log(deps, _parse(before))})


ROUTES = [
    ('GET', PREFIX, index),
    ('GET', PREFIX + '/{before}', show),
]
