"""Tempest's own response schemas (the wire contract), checked against real responses."""
import glob
import importlib
import os
import sys

import jsonschema
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _site():
    """tempest's site-packages: $TEMPEST_SITE, else the venv tools/install-tempest.sh makes."""
    if os.environ.get('TEMPEST_SITE'):
        return os.environ['TEMPEST_SITE']
    found = sorted(glob.glob(os.path.join(REPO, '.tempest', 'venv', 'lib', 'python3*',
                                          'site-packages')))
    return found[-1] if found else os.path.join(REPO, '.tempest', 'venv')


TEMPEST_SITE = _site()


def _module(version, noun):
    if not os.path.isdir(os.path.join(TEMPEST_SITE, 'tempest')):
        pytest.skip(f'no tempest install at {TEMPEST_SITE} (tools/install-tempest.sh)')
    if TEMPEST_SITE not in sys.path:
        sys.path.append(TEMPEST_SITE)  # appended: nothing of ours is shadowed
    return importlib.import_module(f'tempest.lib.api_schema.response.compute.{version}.{noun}')


def check(resp, version, noun, name):
    """Assert ``resp`` matches tempest's ``<version>/<noun>.py`` schema ``name``."""
    schema = getattr(_module(version, noun), name)
    assert resp.status_code in schema['status_code'], (resp.status_code, resp.text)
    if 'response_body' in schema:
        jsonschema.Draft4Validator(schema['response_body'],
                                   format_checker=jsonschema.FormatChecker()).validate(
            resp.json())
