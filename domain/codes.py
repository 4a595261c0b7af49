"""Short human codes (invites, certificate checks): no look-alike characters, grouped by four."""

from __future__ import annotations

import hashlib
import secrets

#: No 0/O, 1/I/L: codes are read off paper and typed on phones.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_LOOKALIKES = str.maketrans({"0": "O", "1": "I"})


def new_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize_code(text: str, length: int, *, prefix: str = "") -> str | None:
    """Canonical form of a typed code (case, spaces, hyphens, optional prefix), or None."""
    value = text.strip()
    if prefix and value.lower().startswith(prefix):
        value = value[len(prefix):]
    value = "".join(ch for ch in value.upper() if ch not in " -_\u00a0")
    if len(value) != length or any(ch not in ALPHABET for ch in value):
        return None
    return value


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    """Only the hash of an invite is stored, so a database leak does not hand out access."""
    return hashlib.sha256(code.encode()).hexdigest()
