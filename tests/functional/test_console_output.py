"""os-getConsoleOutput through the API: the tail of the guest's serial log file."""
import os

import pytest

from compute.virt.libvirt import config
from db import instances
from tests.functional.actions import driver_of
from tests.functional.client import SERVERS as S

LINES = [f'line {n}' for n in range(1, 11)]


@pytest.fixture(scope='module')
def server(demo, image_id):
    server_id = demo.boot('console', image_id)
    yield server_id
    demo.delete_all([server_id])


@pytest.fixture(scope='module')
def log_path(cloud, server):
    xml = driver_of(cloud, server).get_domain_xml({'uuid': server})
    return config.console_log_path(xml)


def _write(path, text):
    with open(path, 'w', encoding='utf-8') as log:
        log.write(text)


def _output(client, server_id, length='absent'):
    args = {} if length == 'absent' else {'length': length}
    return client.act(server_id, {'os-getConsoleOutput': args}, expect=200).json()['output']


def test_the_last_lines_of_the_log(demo, server, log_path):
    _write(log_path, '\n'.join(LINES) + '\n')
    # Nova's count (and tempest's): the empty text after the final newline is a line.
    assert _output(demo, server, 3) == 'line 9\nline 10\n'
    assert len(_output(demo, server, 3).split('\n')) == 3
    assert _output(demo, server, '2') == 'line 10\n'
    assert _output(demo, server, 0) == ''
    everything = '\n'.join(LINES) + '\n'
    for length in ('absent', None, -1, '-1', 500):
        assert _output(demo, server, length) == everything, length
    _write(log_path, 'no newline\nat the end')
    assert _output(demo, server, 1) == 'at the end'


def test_control_characters_are_dropped_and_the_size_is_capped(demo, server, log_path):
    _write(log_path, 'bell\x07 and\x1b[0m escape\r\n')
    assert _output(demo, server) == 'bell and[0m escape\n'
    big = ''.join(f'{n:09d}\n' for n in range(20000))  # 200 KB
    _write(log_path, big)
    out = _output(demo, server)
    assert len(out.encode()) <= 100 * 1024 and big.endswith(out)
    assert out.endswith('000019999\n')


def test_no_log_yet_is_an_empty_output(demo, server, log_path):
    _write(log_path, 'soon gone\n')
    os.unlink(log_path)
    assert _output(demo, server) == ''


def test_bad_lengths_are_refused(demo, server):
    for body in ({'length': -2}, {'length': '-5'}, {'length': 'ten'}, {'length': 1.5},
                 {'length': True}, {'lines': 3}):
        resp = demo.action(server, {'os-getConsoleOutput': body})
        assert resp.status_code == 400, (body, resp.text)
    assert demo.action(server, {'os-getConsoleOutput': None}).status_code == 400


def test_other_project_404_and_no_action_recorded_even_when_locked(demo, alt, server):
    assert alt.action(server, {'os-getConsoleOutput': {}}).status_code == 404
    # Reading the log changes nothing, so a lock does not block it (as in Nova).
    assert demo.action(server, {'lock': None}).status_code == 202
    try:
        _output(demo, server)
    finally:
        assert demo.action(server, {'unlock': None}).status_code == 202
    names = [a['action'] for a in demo.get(f'{S}/{server}/os-instance-actions').json()[
        'instanceActions']]
    assert 'os-getConsoleOutput' not in names and names[-1] == 'create'
    assert set(names) == {'create', 'lock', 'unlock'}


def test_no_host_or_no_guest_is_a_conflict(cloud, demo, server):
    host = instances.get(cloud.db, server)['host']
    instances.update(cloud.db, server, {'host': None})
    try:
        resp = demo.action(server, {'os-getConsoleOutput': {}})
        assert resp.status_code == 409 and 'not on any host' in resp.text
    finally:
        instances.update(cloud.db, server, {'host': host})
    driver_of(cloud, server).destroy({'uuid': server})
    resp = demo.action(server, {'os-getConsoleOutput': {}})
    assert resp.status_code == 409, resp.text
    assert 'not ready' in resp.json()['conflictingRequest']['message']
