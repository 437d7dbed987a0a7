"""Local directory backend for image bits: atomic writes, checksums, UUID-only names."""
import hashlib
import os
import re
import tempfile

from common import exception

_UUID_RE = re.compile(r'[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}',
                      re.IGNORECASE)
HASH_ALGO = 'sha512'
CHUNK = 65536


def _chunks(data, chunk=CHUNK):
    """Yield bytes from a file object, a bytes value or an iterable of bytes."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        yield bytes(data)
    elif hasattr(data, 'read'):
        while True:
            block = data.read(chunk)
            if not block:
                return
            yield block
    else:
        for block in data:
            if block:
                yield block


def _digest(blocks, sink=None):
    """Read ``blocks`` through, handing each to ``sink`` (if given) as it comes;
    dict(size, checksum, os_hash_algo, os_hash_value) of all of them."""
    md5 = hashlib.md5(usedforsecurity=False)
    multihash = hashlib.new(HASH_ALGO)
    size = 0
    for block in blocks:
        if sink is not None:
            sink(block)
        md5.update(block)
        multihash.update(block)
        size += len(block)
    return {'size': size, 'checksum': md5.hexdigest(),
            'os_hash_algo': HASH_ALGO, 'os_hash_value': multihash.hexdigest()}


class LocalStore:
    """Image files kept as ``<root_dir>/<image_id>``; ids must look like UUIDs."""

    def __init__(self, root_dir):
        # The directory is made on first put, so read-only users never create it.
        self.root_dir = os.path.abspath(root_dir)

    @classmethod
    def from_conf(cls, conf):
        """The store at [image] store_path, or <state_path>/images when unset."""
        root = conf.image.store_path or os.path.join(conf.state_path, 'images')
        return cls(root)

    def _file(self, image_id):
        # Only UUID-looking ids reach the filesystem, so no id can name '..' or '/'.
        if not isinstance(image_id, str) or not _UUID_RE.fullmatch(image_id):
            raise exception.Invalid('Invalid image id %r.' % (image_id,))
        return os.path.join(self.root_dir, image_id.lower())

    def put(self, image_id, data):
        """Store ``data`` (file object, bytes or iterable of bytes) atomically.

        Returns dict(size, checksum, os_hash_algo, os_hash_value).
        """
        target = self._file(image_id)
        os.makedirs(self.root_dir, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix='.tmp-', dir=self.root_dir)

        def write():
            with os.fdopen(fd, 'wb') as out:
                digest = _digest(_chunks(data), out.write)
                out.flush()
                os.fsync(out.fileno())
            return digest

        return self._move_in(tmp, target, write)

    def temp_path(self, prefix='.tmp-'):
        """A new empty file in the store's directory, for ``adopt`` to rename into place."""
        os.makedirs(self.root_dir, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=prefix, dir=self.root_dir)
        os.close(fd)
        return tmp

    def adopt(self, image_id, tmp_path):
        """Move the finished file ``tmp_path`` (from temp_path) into place as the image,
        without copying it; returns the same dict as put."""
        target = self._file(image_id)

        def read():
            with open(tmp_path, 'rb') as src:
                digest = _digest(_chunks(src))
                os.fsync(src.fileno())
            return digest

        return self._move_in(tmp_path, target, read)

    def _move_in(self, tmp, target, fill):
        """Run ``fill`` (it writes or reads ``tmp`` and returns its digest), then rename
        ``tmp`` to ``target`` durably; the digest. ``tmp`` is removed if either fails."""
        try:
            digest = fill()
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            _unlink(tmp)
            raise
        self._fsync_dir()
        return digest

    def _fsync_dir(self):
        # The rename is durable only once the directory entry itself is on disk.
        dir_fd = os.open(self.root_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def path(self, image_id):
        """Absolute path of the image file; ImageNotFound if it is missing."""
        target = self._file(image_id)
        if not os.path.isfile(target):
            raise exception.ImageNotFound(image_id=image_id)
        return target

    def exists(self, image_id):
        return os.path.isfile(self._file(image_id))

    def open(self, image_id):
        """A binary file object for reading the image."""
        try:
            return open(self._file(image_id), 'rb')
        except FileNotFoundError:
            raise exception.ImageNotFound(image_id=image_id) from None

    def iter_chunks(self, image_id, chunk=CHUNK):
        """An iterator over the image bytes in blocks of at most ``chunk`` bytes."""
        # Open now, not on first next(), so a missing image fails at the call site.
        src = self.open(image_id)
        return _closing_chunks(src, chunk)

    def size(self, image_id):
        return os.path.getsize(self.path(image_id))

    def delete(self, image_id):
        """Remove the image; a missing image is not an error."""
        _unlink(self._file(image_id))


def _closing_chunks(src, chunk):
    with src:
        yield from _chunks(src, chunk)


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
