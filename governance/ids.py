"""Opaque, prefixed identifiers and secrets. Prefixes make ids recognisable in logs without meaning anything."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(12)}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Only a hash of a conversation token is stored, so a database leak gives no access to conversations."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)


def new_trace_id() -> str:
    """W3C trace context ids (Logboek Dataverwerkingen)."""
    return secrets.token_hex(16)


def new_span_id() -> str:
    return secrets.token_hex(8)
