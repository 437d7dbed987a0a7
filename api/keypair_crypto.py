"""Keypair key material: check an imported key, fingerprint it, or generate a new pair."""
import base64
import datetime
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from common import exception

SSH = 'ssh'
X509 = 'x509'


class InvalidKeypair(exception.Invalid):
    message = 'Keypair data is invalid: %(reason)s'


def _colon_hex(digest):
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


def fingerprint(public_key, key_type=SSH):
    """Nova's fingerprint: MD5 of the ssh key blob, SHA-1 of an x509 cert's DER."""
    if key_type == X509:
        return _x509_fingerprint(public_key)
    try:
        # Parse to prove it is a real key; the fingerprint is of the base64 blob.
        serialization.load_ssh_public_key(public_key.encode('utf-8'))
        blob = base64.b64decode(public_key.split()[1])
    except Exception as exc:  # noqa: BLE001 - any parse failure is a bad key
        raise InvalidKeypair(reason='failed to generate fingerprint') from exc
    return _colon_hex(hashlib.md5(blob, usedforsecurity=False).hexdigest())


def _x509_fingerprint(public_key):
    try:
        cert = x509.load_pem_x509_certificate(public_key.encode('utf-8'))
    except Exception as exc:  # noqa: BLE001 - any parse failure is a bad certificate
        raise InvalidKeypair(reason='failed to generate X509 fingerprint') from exc
    return _colon_hex(cert.fingerprint(hashes.SHA1()).hex())  # noqa: S303 - Nova's format


def _new_rsa():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _private_pem(key):
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def generate(key_type, user_id):
    """A new (private_key, public_key, fingerprint): RSA 2048, or a self-signed cert."""
    key = _new_rsa()
    if key_type == X509:
        public = _self_signed(key, user_id)
    else:
        public = key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
        public += ' Generated-by-Stratus'
    return _private_pem(key), public, fingerprint(public, key_type)


def _self_signed(key, user_id):
    """A WinRM-style client certificate for ``user_id``, valid ten years (as Nova's)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ObjectIdentifier(
                '1.3.6.1.5.5.7.3.2')]), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.OtherName(
                x509.oid.ObjectIdentifier('1.3.6.1.4.1.311.20.2.3'),
                _utf8_der(f'{user_id}@localhost'))]), critical=False)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _utf8_der(text):
    # The UPN other-name value is a DER UTF8String: tag 0x0c, short length.
    data = text.encode('utf-8')[:127]
    return bytes([0x0c, len(data)]) + data
