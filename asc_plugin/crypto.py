"""Encryption at rest for refresh and access tokens (Fernet, rotatable with MultiFernet).

Keys are checked when the app starts (a bad key is a clear error then, not at the first
connect), but ``cryptography`` is imported only when a token is first encrypted or decrypted:
it weighs about 9 MB, and most requests of a host never touch a token.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from typing import TYPE_CHECKING

from .errors import ConfigurationError, KeyMismatch, SettingsMissing

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

KEY_HELP = ("make one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`")


def _checked(key: bytes) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(key)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ConfigurationError(
            "ASC_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe "
            f"base64-encoded bytes; {KEY_HELP}).")
    return key


class TokenCipher:
    """Encrypts with the first key, decrypts with any, so keys can rotate."""

    def __init__(self, keys: list[bytes]):
        self._keys = [_checked(k) for k in keys]
        self._fernet: MultiFernet | None = None

    @classmethod
    def from_config(cls, config) -> TokenCipher:
        raw = config["ASC_ENCRYPTION_KEYS"]
        if isinstance(raw, (str, bytes)):
            raw = raw.decode() if isinstance(raw, bytes) else raw
            raw = [k.strip() for k in raw.split(",") if k.strip()]
        keys = [k.encode() if isinstance(k, str) else k for k in (raw or [])]
        if not keys:
            if not config["ASC_ALLOW_EPHEMERAL_KEY"]:
                raise ConfigurationError(
                    "ASC_ENCRYPTION_KEYS is not set: the Amazon Sales Channel encrypts refresh "
                    f"tokens at rest and needs at least one Fernet key ({KEY_HELP}) in your "
                    "config.")
            logging.getLogger("asc_plugin").warning(
                "ASC_ENCRYPTION_KEYS is not set, so the Amazon Sales Channel encrypts tokens "
                "with a THROWAWAY key that dies with this process: every connected store will "
                "need connecting again after a restart. Set ASC_ENCRYPTION_KEYS (%s).", KEY_HELP)
            keys = [base64.urlsafe_b64encode(os.urandom(32))]
        return cls(keys)

    @property
    def fernet(self) -> MultiFernet:
        if self._fernet is None:
            # kept off the mount path: cryptography (~9 MB) loads with the first token
            from cryptography.fernet import Fernet, MultiFernet

            self._fernet = MultiFernet([Fernet(k) for k in self._keys])
        return self._fernet

    def encrypt(self, plaintext: str) -> str:
        return self.fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        """Raises :class:`KeyMismatch` when no configured key opens it."""
        from cryptography.fernet import InvalidToken  # kept off the mount path: cryptography

        try:
            return self.fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise KeyMismatch() from None

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt under the newest key (KeyMismatch when no configured key opens it)."""
        from cryptography.fernet import InvalidToken  # kept off the mount path: cryptography

        try:
            return self.fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken:
            raise KeyMismatch() from None


class MissingKeys:
    """The cipher while ASC_ENCRYPTION_KEYS is not set: the host runs, token use refuses."""

    def _refuse(self, *_args):
        raise SettingsMissing(["ASC_ENCRYPTION_KEYS"])

    encrypt = decrypt = rotate = _refuse
