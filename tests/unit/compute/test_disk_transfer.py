"""compute.disk_transfer over a real loopback HTTP server: only the secret opens a file,
and a file that changed on the way is refused, never left under its name."""
import os
import urllib.error
import urllib.request

import pytest

from common import exception
from compute import disk_transfer


@pytest.fixture
def server():
    srv = disk_transfer.TransferServer('127.0.0.1')
    yield srv
    srv.stop()


@pytest.fixture
def source(tmp_path):
    src = tmp_path / 'src'
    src.mkdir()
    (src / 'disk').write_bytes(os.urandom(3 * disk_transfer.CHUNK + 17))
    (src / 'console.log').write_text('not offered')
    return src


def test_the_destination_gets_exactly_the_bytes(server, source, tmp_path):
    offer = server.offer(str(source), ['disk'])
    disk_transfer.fetch(offer, str(tmp_path / 'dst'))
    assert (tmp_path / 'dst' / 'disk').read_bytes() == (source / 'disk').read_bytes()
    assert os.listdir(tmp_path / 'dst') == ['disk']


@pytest.mark.parametrize('path', ['{wrong}/disk', '{secret}/console.log', '{secret}/../disk',
                                  'disk', ''])
def test_nothing_else_is_served(server, source, path):
    offer = server.offer(str(source), ['disk'])
    url = offer['url'] + path.format(secret=offer['secret'], wrong='x' * 43)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=10)
    assert caught.value.code == 404


def test_a_withdrawn_offer_is_gone(server, source, tmp_path):
    offer = server.offer(str(source), ['disk'])
    server.withdraw(offer['secret'])
    with pytest.raises(exception.VirtError):
        disk_transfer.fetch(offer, str(tmp_path / 'dst'))


def test_a_changed_file_is_refused(server, source, tmp_path):
    offer = server.offer(str(source), ['disk'])
    with open(source / 'disk', 'r+b') as out:
        out.write(b'\0\1\2')
    with pytest.raises(exception.VirtError, match='arrived damaged'):
        disk_transfer.fetch(offer, str(tmp_path / 'dst'))
    assert os.listdir(tmp_path / 'dst') == []
