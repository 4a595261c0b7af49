"""Short human codes (invites, certificate checks): no look-alike characters, grouped by four."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata

#: No 0/O, 1/I/L: codes are read off paper and typed on phones.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_SEPARATORS = re.compile(r"[\s\-_\u2010-\u2014]+")


def new_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize_code(text: str, length: int, *, prefix: str = "") -> str | None:
    """Canonical form of a typed code, or None: any case, spaces and dashes anywhere, and an optional
    prefix word (`invite_…`, `/verify …`, `verify_…` from a deep link). Look-alikes (0, O, 1, I, L) are
    not in the alphabet, so a code with them is refused rather than guessed."""
    if not isinstance(text, str):
        return None
    value = unicodedata.normalize("NFKC", text).strip()
    if prefix:
        value = re.sub(rf"^/?{re.escape(prefix)}[\s_:-]*", "", value, count=1, flags=re.IGNORECASE)
    value = _SEPARATORS.sub("", value).upper()
    if len(value) != length or any(ch not in ALPHABET for ch in value):
        return None
    return value


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    """Only the hash of an invite is stored, so a database leak does not hand out access."""
    return hashlib.sha256(code.encode()).hexdigest()
