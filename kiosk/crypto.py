"""Cryptographic building blocks for sealed personal data (no database, no Qt).

- Organiser key pair: X25519; private key as PKCS#8 PEM encrypted under a scrypt-stretched passphrase.
- Key wrapping: ephemeral X25519 + HKDF-SHA256 + AES-256-GCM to the organiser's public key.
- Sealing: AES-256-GCM under a per-run data key, with the record id and key id as associated data.
- PIN: scrypt, salted, compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

WRAP_VERSION = b"\x01"
SEAL_VERSION = b"\x01"
_WRAP_INFO = b"campaign-kiosk/key-wrap/v1"
NONCE_LEN = 12
# scrypt cost: ~0.1 s and 32 MiB per try here, which is what makes guessing a 4-8 digit PIN or a passphrase slow.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


class CryptoError(Exception):
    """A wrapped key or sealed blob failed to authenticate, or a passphrase is wrong."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def scrypt_hash(secret: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=128 * 1024 * 1024, dklen=32)


def hash_pin(pin: str) -> str:
    """A salted scrypt hash of a PIN, as ``scrypt$n$r$p$salt$hash``."""
    salt = os.urandom(16)
    digest = scrypt_hash(pin, salt)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme != "scrypt":
        return False
    candidate = scrypt_hash(pin, _unb64(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, _unb64(digest))


@dataclass(frozen=True)
class OrganiserKeyMaterial:
    public_key: bytes  # raw 32 bytes
    encrypted_private_key: bytes  # PKCS#8 PEM
    passphrase_kdf: str  # scrypt$n$r$p$salt


def _stretch(passphrase: str, kdf: str) -> bytes:
    scheme, n, r, p, salt = kdf.split("$")
    if scheme != "scrypt":
        raise CryptoError(f"unknown passphrase KDF {scheme!r}")
    return base64.b64encode(scrypt_hash(passphrase, _unb64(salt), int(n), int(r), int(p)))


def create_organiser_keys(passphrase: str) -> OrganiserKeyMaterial:
    """Make an X25519 key pair; the private key leaves this function only encrypted under the passphrase."""
    private = X25519PrivateKey.generate()
    kdf = f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(os.urandom(16))}"
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_stretch(passphrase, kdf)),
    )
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return OrganiserKeyMaterial(public_key=public, encrypted_private_key=pem, passphrase_kdf=kdf)


def load_private_key(material: OrganiserKeyMaterial, passphrase: str) -> X25519PrivateKey:
    """Decrypt the organiser's private key into memory; a wrong passphrase raises :class:`CryptoError`."""
    try:
        key = serialization.load_pem_private_key(
            material.encrypted_private_key, password=_stretch(passphrase, material.passphrase_kdf)
        )
    except (ValueError, TypeError):
        raise CryptoError("wrong passphrase") from None
    if not isinstance(key, X25519PrivateKey):
        raise CryptoError("the stored organiser key is not an X25519 key")
    return key


def _wrap_kek(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public + recipient_public, info=_WRAP_INFO).derive(
        shared
    )


def wrap_key(recipient_public: bytes, key: bytes, aad: bytes) -> bytes:
    """Encrypt ``key`` so only the holder of the organiser private key can recover it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    nonce = os.urandom(NONCE_LEN)
    kek = _wrap_kek(shared, ephemeral_public, recipient_public)
    return WRAP_VERSION + ephemeral_public + nonce + AESGCM(kek).encrypt(nonce, key, aad)


def unwrap_key(private: X25519PrivateKey, blob: bytes, aad: bytes) -> bytes:
    if blob[:1] != WRAP_VERSION or len(blob) < 1 + 32 + NONCE_LEN + 16:
        raise CryptoError("unknown key-wrap format")
    ephemeral_public, nonce, ciphertext = blob[1:33], blob[33 : 33 + NONCE_LEN], blob[33 + NONCE_LEN :]
    recipient_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    try:
        return AESGCM(_wrap_kek(shared, ephemeral_public, recipient_public)).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise CryptoError("wrapped key failed to authenticate") from None


def record_aad(record_id: str, key_id: str) -> bytes:
    """Binds a ciphertext to its record and key: moving a blob to another row makes it fail to open."""
    return f"{record_id}|{key_id}".encode()


def seal(data_key: bytes, record_id: str, key_id: str, plaintext: bytes) -> bytes:
    return seal_with(AESGCM(data_key), record_id, key_id, plaintext)


def seal_with(cipher: AESGCM, record_id: str, key_id: str, plaintext: bytes) -> bytes:
    """:func:`seal` with the data key's cipher already made (a kiosk seals every record of a run with one key)."""
    nonce = os.urandom(NONCE_LEN)
    return SEAL_VERSION + nonce + cipher.encrypt(nonce, plaintext, record_aad(record_id, key_id))


def open_sealed(data_key: bytes, record_id: str, key_id: str, blob: bytes) -> bytes:
    if blob[:1] != SEAL_VERSION or len(blob) < 1 + NONCE_LEN + 16:
        raise CryptoError("unknown sealed-data format")
    nonce, ciphertext = blob[1 : 1 + NONCE_LEN], blob[1 + NONCE_LEN :]
    try:
        return AESGCM(data_key).decrypt(nonce, ciphertext, record_aad(record_id, key_id))
    except InvalidTag:
        raise CryptoError("sealed data failed to authenticate") from None


def keyed_tag(key: bytes, *parts: str) -> str:
    """HMAC-SHA256 over the parts: a lookup tag no one can compute or reverse without the key."""
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()
