"""Encryption at rest for the few personal details a citizen gives on purpose (a call-back's name, phone,
e-mail and question). Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`.

The key comes from GOV_ENCRYPTION_KEY. Without one (the one-machine default) a key is created once in
var/secret.key with owner-only permissions; production sets the variable from its secret store.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from governance.config import Settings


class Sealer:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> str | None:
        """None when the value cannot be decrypted (another key): shown as unavailable, never as ciphertext."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            return None


def _key_from_file(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


def sealer_for(settings: Settings) -> Sealer:
    configured = settings.encryption_key.get_secret_value().strip()
    return Sealer(configured.encode("ascii") if configured else _key_from_file(settings.encryption_key_file))
