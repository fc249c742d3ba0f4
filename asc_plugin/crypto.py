"""Encryption at rest for refresh and access tokens (Fernet, rotatable with MultiFernet)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class ConfigurationError(RuntimeError):
    """The host's configuration cannot work; the message says what to set."""


class TokenCipher:
    """Encrypts with the first key, decrypts with any, so keys can rotate."""

    def __init__(self, keys: list[bytes]):
        try:
            self._fernet = MultiFernet([Fernet(k) for k in keys])
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(
                "ASC_ENCRYPTION_KEYS holds a value that is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with "
                "`python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)."
            ) from exc

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
                    "tokens at rest and needs at least one Fernet key. Generate one with "
                    "`python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'` and put it in your config."
                )
            keys = [Fernet.generate_key()]
        return cls(keys)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        """Raises InvalidToken when no configured key opens it."""
        return self._fernet.decrypt(ciphertext.encode()).decode()

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt under the newest key."""
        return self._fernet.rotate(ciphertext.encode()).decode()


__all__ = ["TokenCipher", "ConfigurationError", "InvalidToken"]
