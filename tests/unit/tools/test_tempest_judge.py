"""tools/tempest: the judgement of a tempest run and the accounts devstack is given."""
import importlib.util
import os

import pytest

TOOLS = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'tools', 'tempest')


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(TOOLS, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compare = _load('compare')
write_config = _load('write_config')
A = 'tempest.api.compute.servers.test_a.ATest'


def _expected(tmp_path, text):
    path = tmp_path / 'expected.txt'
    path.write_text(text)
    return compare.load_expected(str(path))


def test_listed_failures_pass_the_run(tmp_path):
    expected = _expected(tmp_path, f'{A}\\.test_one  # networking (issue 12)\n')
    lines, ok = compare.judge({f'{A}.test_one': 'fail', f'{A}.test_two': 'success'},
                              expected, [])
    assert ok, lines
    assert lines[0].startswith('tempest: 2 tests; 1 pass, 1 fail (1 of them listed')


@pytest.mark.parametrize('results,errors,word', [
    ({f'{A}.test_one': 'fail', f'{A}.test_two': 'fail'}, [], 'UNEXPECTED FAILURE'),
    ({f'{A}.test_one': 'success'}, [], 'NOW PASSES'),
    ({f'{A}.test_two': 'fail'}, [], 'STALE PATTERN'),
    ({f'{A}.test_one': 'fail'}, ['Request (X:y): 500 GET http://h/'], 'SERVER ERROR'),
])
def test_what_fails_the_run(tmp_path, results, errors, word):
    if word == 'STALE PATTERN':
        results = dict(results, **{f'{A}.test_two': 'fail'})
        expected = _expected(tmp_path, f'{A}\\.test_two  # why\n{A}\\.gone  # why\n')
    else:
        expected = _expected(tmp_path, f'{A}\\.test_one  # networking (issue 12)\n')
    lines, ok = compare.judge(results, expected, errors)
    assert not ok
    assert any(line.startswith(word) for line in lines), lines


def test_a_line_without_a_reason_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        _expected(tmp_path, f'{A}\\.test_one\n')


def test_class_fixture_failure_fails_every_test_of_the_class():
    results = compare.expand({A: 'fail', 'tempest.api.compute.B.test_x': 'skip'},
                             [f'{A}.test_one[id-1]', f'{A}.test_two[id-2,smoke]',
                              'tempest.api.compute.B.test_x[id-3]'])
    assert results == {f'{A}.test_one': 'fail', f'{A}.test_two': 'fail',
                       'tempest.api.compute.B.test_x': 'skip'}


def test_server_errors_are_read_from_the_log(tmp_path):
    log = tmp_path / 'tempest.log'
    log.write_text('... Request (T:test): 200 GET http://h/a 0.1s\n'
                   '... Request (T:test): 503 POST http://h/b 0.1s\n')
    assert compare.server_errors(str(log)) == ['Request (T:test): 503 POST http://h/b']


def test_every_account_is_a_devstack_user_with_nova_roles():
    users = write_config.extra_users().split(',')
    assert len(users) == len(write_config.accounts())
    for entry in users:
        name, password, project, roles = entry.split(':')
        assert set(roles.split('+')) <= {'reader', 'member', 'manager', 'admin'}
    yaml = write_config.accounts_yaml()
    # Members come first, so tempest's "alt" (first free non-admin) is another project.
    first_two = [line for line in yaml.splitlines() if 'project_name' in line][:2]
    assert first_two[0] != first_two[1]
    assert yaml.count('types: [admin]') == 2
