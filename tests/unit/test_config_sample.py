"""stratus.conf.sample is current, and every Stratus option is documented.

The sample is produced by oslo-config-generator from etc/stratus-config-generator.conf
(namespaces ``stratus`` = conf:list_opts and ``oslo.messaging``); tools/gen-config.sh
regenerates it.
"""
import difflib
import os
import pathlib
import re
import subprocess
import sys
from importlib import metadata

from oslo_config import cfg

import conf as conf_mod

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / 'stratus.conf.sample'
GENERATOR_CONF = ROOT / 'etc' / 'stratus-config-generator.conf'
FIX = 'run tools/gen-config.sh and commit stratus.conf.sample'
# Lines a generator might stamp with the date or version; never part of the comparison.
_HEADER = re.compile(r'^#\s*(generated|date|created|this file was)\b.*$', re.IGNORECASE)


def _normalize(text):
    return [line.rstrip() for line in text.splitlines() if not _HEADER.match(line)]


def _generate(output):
    names = {ep.name for ep in metadata.entry_points(group='oslo.config.opts')}
    missing = {'stratus', 'oslo.messaging'} - names
    assert not missing, (f'entry points oslo.config.opts {sorted(missing)} missing: '
                         f'`pip install -e {ROOT} --no-deps` (tools/gen-config.sh does it)')
    env = dict(os.environ)
    env['PYTHONPATH'] = str(ROOT) + os.pathsep + env.get('PYTHONPATH', '')
    proc = subprocess.run([sys.executable, '-m', 'oslo_config.generator',
                           '--config-file', str(GENERATOR_CONF), '--output-file', str(output)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return output.read_text()


def test_sample_is_up_to_date(tmp_path):
    assert SAMPLE.exists(), f'{SAMPLE.name} is missing: {FIX}'
    fresh = _normalize(_generate(tmp_path / 'stratus.conf.sample'))
    committed = _normalize(SAMPLE.read_text())
    if fresh != committed:
        diff = '\n'.join(list(difflib.unified_diff(committed, fresh, 'committed', 'generated',
                                                   lineterm=''))[:60])
        raise AssertionError(f'{SAMPLE.name} is stale: {FIX}\n{diff}')


def test_sample_has_every_stratus_group():
    text = SAMPLE.read_text()
    for group, _opts in conf_mod.list_opts():
        assert f'[{group or "DEFAULT"}]' in text, f'[{group}] missing from sample: {FIX}'


def test_every_stratus_option_has_help():
    undocumented = [f'[{group or "DEFAULT"}] {opt.name}'
                    for group, opts in conf_mod.list_opts() for opt in opts
                    if not (opt.help or '').strip()]
    assert not undocumented, 'options without help=: ' + ', '.join(undocumented)


def _registered(conf):
    found = set()
    for key in conf:
        value = conf[key]
        if isinstance(value, cfg.ConfigOpts.GroupAttr):
            found |= {(key, name) for name in value}
        else:
            found.add((None, key))
    return found


def test_list_opts_covers_every_registered_option():
    """An option registered but missing from list_opts would never reach the sample."""
    conf = cfg.ConfigOpts()
    conf_mod.register_opts(conf)
    registered = _registered(conf) - _registered(cfg.ConfigOpts())   # oslo.config's own
    listed = {(group, opt.name) for group, opts in conf_mod.list_opts() for opt in opts}
    assert registered == listed, (f'registered only: {sorted(registered - listed, key=str)}; '
                                  f'listed only: {sorted(listed - registered, key=str)}')
