"""noVNC in headless Chromium against a real deployment: the console URL the API hands out
opens, noVNC reports it connected and draws the guest's screen (a screenshot is kept)."""
import os
import urllib.parse

import pytest

from tests import browser
from tests import rfb
from tests.integration import conftest
from tests.integration import deployment as deployment_mod

CHROMIUM = browser.find_chromium()
pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(CHROMIUM is None, reason=browser.INSTALL_HINT)]

# Git-ignored; kept after the run so a person (or CI) can look at what the browser saw.
ARTIFACTS = os.path.join(deployment_mod.REPO, 'tests', 'artifacts')
SERVERS = '/compute/v2.1/servers'
TOKENS = '/compute/v2.1/os-console-auth-tokens'
DESKTOP = 'stratus-browser-test'
COLOUR = (32, 128, 192)
# vnc_lite.html's top bar: 'Connecting', then 'Connected to <desktop name>' or a failure.
STATUS = "document.getElementById('status') && document.getElementById('status').textContent"
# RGBA of the middle of noVNC's canvas: the guest's screen as noVNC drew it.
PIXEL = """(() => {
    const c = document.querySelector('#screen canvas');
    if (!c || !c.width) return null;
    return Array.from(c.getContext('2d').getImageData(c.width >> 1, c.height >> 1, 1, 1).data);
})()"""


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, vhost_url, module_memcached):
    yield from deployment_mod.running(
        tmp_path_factory.mktemp('console-browser'), vhost_url, conftest.free_port(),
        compute_hosts=1, memcache_servers=module_memcached.server, consoleauths=1,
        novncproxy_port=conftest.free_port())


def console_url(demo, server_id):
    resp = demo.post(f'{SERVERS}/{server_id}/remote-consoles',
                     json={'remote_console': {'protocol': 'vnc', 'type': 'novnc'}})
    assert resp.status_code == 200, resp.text
    return resp.json()['remote_console']['url']


@pytest.fixture(scope='module')
def guest(cloud, demo, admin):
    """(server id, RFB server): a booted server whose console port speaks real RFB."""
    server_id = demo.boot('browser-console', cloud.image_id)
    token = rfb.token_of(console_url(demo, server_id))
    info = admin.get(f'{TOKENS}/{token}').json()['console']
    with rfb.RFBServer(info['host'], info['port'], session=True, colour=COLOUR,
                       name=DESKTOP) as vnc:
        yield server_id, vnc


@pytest.fixture
def chromium():
    # The context manager kills Chromium's process group however the test ends.
    with browser.Chromium(CHROMIUM) as chrome:
        yield chrome


def wait_connected(page):
    """noVNC's status once it settles, and the pixel it drew (after a non-failing status)."""
    status = page.wait_for(STATUS, lambda s: s not in (None, 'Loading', 'Connecting'))
    assert status == f'Connected to {DESKTOP}', status
    pixel = page.wait_for(PIXEL, lambda p: p == [*COLOUR, 255], timeout=10)
    # Still connected once drawn: the proxy did not drop the session after the handshake.
    assert page.evaluate(STATUS) == status
    return status, pixel


def test_novnc_in_headless_chromium_connects_and_draws(cloud, demo, guest, chromium, capsys):
    server_id, vnc = guest
    url = console_url(demo, server_id)
    assert url.startswith(cloud.novncproxy_url + '/vnc_lite.html?path=')
    page = chromium.page
    page.navigate(url)
    try:
        wait_connected(page)
    except (AssertionError, TimeoutError):
        shot = page.screenshot(os.path.join(ARTIFACTS, 'novnc-failed.png'))
        with capsys.disabled():
            print(f'\nnoVNC did not connect; screenshot: {shot}; rfb errors: {vnc.errors}')
        raise
    shot = page.screenshot(os.path.join(ARTIFACTS, 'novnc-connected.png'))
    with capsys.disabled():
        print(f'\nscreenshot of the connected console: {shot}')
    assert os.path.getsize(shot) > 1000
    assert vnc.updates >= 1 and not vnc.errors, vnc.errors
    # The browser fetched the page and its scripts with the token in the URL and Referer.
    token = rfb.token_of(url)
    text = ''.join(cloud.logs())
    assert token not in text and urllib.parse.quote(token, safe='') not in text, \
        f'the console token is in the logs of {cloud.root}/logs'
    assert 'relaying' in text   # the proxy's log was read
