"""LocalStore: atomic puts with checksums, lookups, deletes and id validation."""
import hashlib
import io
import os

import pytest

from common import exception
from image import store

IMAGE_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
DATA = b'stratus image bits ' * 10000


@pytest.fixture
def local(tmp_path):
    return store.LocalStore(str(tmp_path / 'images'))


@pytest.mark.parametrize('payload', [DATA, io.BytesIO(DATA),
                                     [DATA[:1000], b'', DATA[1000:]]],
                         ids=['bytes', 'fileobj', 'iterable'])
def test_put_returns_size_and_hashes(local, payload):
    meta = local.put(IMAGE_ID, payload)
    assert meta == {'size': len(DATA), 'checksum': hashlib.md5(DATA).hexdigest(),
                    'os_hash_algo': 'sha512',
                    'os_hash_value': hashlib.sha512(DATA).hexdigest()}
    with open(local.path(IMAGE_ID), 'rb') as src:
        assert src.read() == DATA


def test_put_leaves_no_temp_files_and_replaces(local):
    local.put(IMAGE_ID, b'old')
    local.put(IMAGE_ID, b'new')
    assert os.listdir(local.root_dir) == [IMAGE_ID]
    with local.open(IMAGE_ID) as src:
        assert src.read() == b'new'


def test_failed_put_keeps_nothing(local):
    def broken():
        yield b'partial'
        raise IOError('upload interrupted')

    with pytest.raises(IOError):
        local.put(IMAGE_ID, broken())
    assert not local.exists(IMAGE_ID)
    assert os.listdir(local.root_dir) == []


def test_iter_chunks(local):
    local.put(IMAGE_ID, DATA)
    chunks = list(local.iter_chunks(IMAGE_ID, chunk=4096))
    assert b''.join(chunks) == DATA
    assert max(len(c) for c in chunks) == 4096


def test_missing_image(local):
    assert not local.exists(IMAGE_ID)
    with pytest.raises(exception.ImageNotFound):
        local.path(IMAGE_ID)
    with pytest.raises(exception.ImageNotFound):
        local.open(IMAGE_ID)
    with pytest.raises(exception.ImageNotFound):
        local.iter_chunks(IMAGE_ID)


def test_delete_is_idempotent(local):
    local.put(IMAGE_ID, DATA)
    local.delete(IMAGE_ID)
    local.delete(IMAGE_ID)
    assert not local.exists(IMAGE_ID)


@pytest.mark.parametrize('bad', ['../etc/passwd', '../' + IMAGE_ID, IMAGE_ID + '/x',
                                 '/' + IMAGE_ID, '', 'not-a-uuid', None, IMAGE_ID + '\n'])
def test_bad_ids_rejected(local, bad):
    for call in (local.path, local.exists, local.delete, lambda i: local.put(i, b'x')):
        with pytest.raises(exception.Invalid):
            call(bad)
    assert not os.path.exists(local.root_dir) or os.listdir(local.root_dir) == []


def test_from_conf(tmp_path):
    import conf
    cfg = conf.new_conf(register_messaging=False)
    cfg.set_override('state_path', str(tmp_path))
    assert store.LocalStore.from_conf(cfg).root_dir == str(tmp_path / 'images')
    cfg.set_override('store_path', str(tmp_path / 'elsewhere'), group='image')
    assert store.LocalStore.from_conf(cfg).root_dir == str(tmp_path / 'elsewhere')
