"""The organisation's key pair and sealed boxes (PyNaCl / libsodium).

A sealed box encrypts to a Curve25519 public key with a fresh ephemeral key
per message: whoever holds only the public key (the server) can seal but
never open, not even what it sealed itself.

Key files are text, PEM-like, so a public key cannot be mistaken for the
private one:

    -----BEGIN RAIDWATCH TESTIMONY PUBLIC KEY-----
    <base64 of the 32 key bytes>
    -----END RAIDWATCH TESTIMONY PUBLIC KEY-----

Lines outside the block (comments) are ignored.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

PUBLIC, PRIVATE = "PUBLIC", "PRIVATE"
_BLOCK = re.compile(
    r"-----BEGIN RAIDWATCH TESTIMONY (PUBLIC|PRIVATE) KEY-----\s*([A-Za-z0-9+/=\s]*?)\s*"
    r"-----END RAIDWATCH TESTIMONY \1 KEY-----"
)


class KeyFileError(ValueError):
    """A key file that is missing, unreadable or not the kind expected."""


class WrongKey(ValueError):
    """The ciphertext was not sealed to this key (or is damaged)."""


def key_id(public_key: PublicKey) -> str:
    """Fingerprint of a public key: hex of the first 16 bytes of its SHA-256."""
    return hashlib.sha256(bytes(public_key)).hexdigest()[:32]


def generate() -> PrivateKey:
    return PrivateKey.generate()


def key_text(key: PublicKey | PrivateKey) -> str:
    kind = PRIVATE if isinstance(key, PrivateKey) else PUBLIC
    public = key.public_key if isinstance(key, PrivateKey) else key
    encoded = base64.b64encode(bytes(key)).decode("ascii")
    if kind == PUBLIC:
        note = ("# raidwatch testimony PUBLIC key. It goes on the server:\n"
                "#   raidwatch serve --testimony-key testimony.public\n")
    else:
        note = ("# raidwatch testimony PRIVATE key. NEVER put this on the server.\n"
                "# Keep it on a reviewer's own machine (and a safe offline copy); it opens every\n"
                "# testimony:  raidwatch testimony export --key testimony.private\n")
    return (f"{note}# key id {key_id(public)}\n"
            f"-----BEGIN RAIDWATCH TESTIMONY {kind} KEY-----\n{encoded}\n"
            f"-----END RAIDWATCH TESTIMONY {kind} KEY-----\n")


def write_key_pair(directory: Path, force: bool = False) -> tuple[Path, Path, str]:
    """Write testimony.public and testimony.private (mode 0600) into
    `directory`; FileExistsError if either exists and not `force`."""
    directory.mkdir(parents=True, exist_ok=True)
    public_path, private_path = directory / "testimony.public", directory / "testimony.private"
    if not force:
        for path in (public_path, private_path):
            if path.exists():
                raise FileExistsError(str(path))
    private = generate()
    _write(private_path, key_text(private), 0o600, force)
    _write(public_path, key_text(private.public_key), 0o644, force)
    return public_path, private_path, key_id(private.public_key)


def _write(path: Path, text: str, mode: int, force: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    fd = os.open(path, flags, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, text.encode("ascii"))
    finally:
        os.close(fd)


def parse_key(text: str, kind: str) -> bytes:
    """The 32 key bytes of a key file's text; KeyFileError says what is wrong."""
    match = _BLOCK.search(text)
    if match is None:
        raise KeyFileError(f"not a raidwatch testimony key file (no '-----BEGIN RAIDWATCH TESTIMONY {kind} KEY-----' "
                           "block); make one with `raidwatch keys generate`")
    if match.group(1) != kind:
        if kind == PUBLIC:
            raise KeyFileError("this is the PRIVATE key: it must never be on the server. Give the server "
                               "testimony.public, and move the private key to a reviewer's own machine")
        raise KeyFileError("this is the PUBLIC key; opening testimony needs the PRIVATE key (testimony.private)")
    try:
        raw = base64.b64decode("".join(match.group(2).split()), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError("the key is not valid base64") from None
    if len(raw) != 32:
        raise KeyFileError(f"the key has {len(raw)} bytes instead of 32")
    return raw


def _read(path: str | os.PathLike[str]) -> str:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise KeyFileError("no such file") from None
    except IsADirectoryError:
        raise KeyFileError("a folder, not a key file") from None
    except OSError as exc:
        raise KeyFileError(f"cannot be read ({exc.strerror})") from None
    if len(data) > 64 * 1024:
        raise KeyFileError("too large to be a key file")
    return data.decode("ascii", errors="replace")


def load_public_key(path: str | os.PathLike[str]) -> PublicKey:
    try:
        return PublicKey(parse_key(_read(path), PUBLIC))
    except KeyFileError as exc:
        raise KeyFileError(f"{path}: {exc}") from None


def load_private_key(path: str | os.PathLike[str]) -> PrivateKey:
    try:
        return PrivateKey(parse_key(_read(path), PRIVATE))
    except KeyFileError as exc:
        raise KeyFileError(f"{path}: {exc}") from None


def public_key_from(value: PublicKey | bytes | str | os.PathLike[str]) -> PublicKey:
    """A public key from a PublicKey, 32 raw bytes, key-file text or a path."""
    if isinstance(value, PublicKey):
        return value
    if isinstance(value, (bytes, bytearray)):
        if len(value) != 32:
            raise KeyFileError(f"a public key has 32 bytes, not {len(value)}")
        return PublicKey(bytes(value))
    text = os.fspath(value)
    if "-----BEGIN RAIDWATCH TESTIMONY" in text:
        return PublicKey(parse_key(text, PUBLIC))
    return load_public_key(text)


def seal(public_key: PublicKey, plaintext: bytes) -> bytes:
    return SealedBox(public_key).encrypt(plaintext)


def open_sealed(private_key: PrivateKey, ciphertext: bytes) -> bytes:
    try:
        return SealedBox(private_key).decrypt(bytes(ciphertext))
    except CryptoError:
        raise WrongKey("this testimony was not sealed to this key, or it is damaged") from None
