"""Testimony from people who lived through or witnessed a raid.

The web form (`raidwatch.web.testimony`) hands the answers and photos to
`intake.Intake`, which strips photo metadata (`images`), seals everything to
the organisation's public key (`crypto`, a libsodium sealed box) and stores
only the ciphertext with the day it arrived. The private key that opens it
lives on a reviewer's own machine: `raidwatch testimony export --key FILE`.
"""
from .crypto import KeyFileError, WrongKey, key_id, load_private_key, load_public_key, open_sealed, seal

__all__ = ["KeyFileError", "WrongKey", "key_id", "load_private_key", "load_public_key", "open_sealed", "seal"]
