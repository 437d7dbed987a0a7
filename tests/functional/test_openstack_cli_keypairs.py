"""The unmodified `openstack` CLI: keypair create/list/show/delete and boot with --key-name."""
import json
import uuid

from db import instances


def test_keypair_lifecycle_and_boot_with_key(cloud, openstack, tmp_path):
    name = f'cli-kp-{uuid.uuid4().hex[:6]}'
    private = tmp_path / 'id'
    created = json.loads(openstack('keypair', 'create', '--private-key', str(private), name,
                                   '-f', 'json'))
    assert created['name'] == name and created['fingerprint']
    assert 'PRIVATE KEY' in private.read_text()
    listed = json.loads(openstack('keypair', 'list', '-f', 'json'))
    assert [k['Fingerprint'] for k in listed if k['Name'] == name] == [created['fingerprint']]
    shown = json.loads(openstack('keypair', 'show', name, '-f', 'json'))
    assert shown['fingerprint'] == created['fingerprint']
    public = openstack('keypair', 'show', '--public-key', name).strip()
    assert public.startswith(('ssh-rsa ', 'ssh-ed25519 ', 'ecdsa-'))
    server = json.loads(openstack('server', 'create', '--flavor', 'm1.nano', '--image',
                                  'stratus-tiny', '--nic', 'none', '--key-name', name,
                                  '--wait', f'{name}-vm', '-f', 'json'))
    try:
        assert server['status'] == 'ACTIVE' and server['key_name'] == name
        assert instances.get(cloud.db, server['id'])['key_data'].strip() == public
    finally:
        openstack('server', 'delete', '--wait', server['id'])
    openstack('keypair', 'delete', name)
    assert name not in openstack('keypair', 'list', '-f', 'value', '-c', 'Name').split()


def test_keypair_import_from_file(openstack, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    path = tmp_path / 'id.pub'
    path.write_text(public + ' me@host\n')
    name = f'cli-imp-{uuid.uuid4().hex[:6]}'
    created = json.loads(openstack('keypair', 'create', '--public-key', str(path), name,
                                   '-f', 'json'))
    try:
        assert created['name'] == name
        assert openstack('keypair', 'show', '--public-key', name).startswith(public)
    finally:
        openstack('keypair', 'delete', name)
