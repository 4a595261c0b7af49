"""Certificate data, numbers, verification codes and holder-name normalisation.

Pure Python: no bot framework or database imports. The PDF itself is drawn by
:mod:`documents.certificate_pdf`.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from domain.codes import ALPHABET, normalize_code

__all__ = [
    "VERIFY_ALPHABET",
    "VERIFY_CODE_LENGTH",
    "CertificateData",
    "CertificateLabels",
    "certificate_number",
    "format_verify_code",
    "new_verify_code",
    "normalize_person_name",
    "normalize_verify_code",
]

VERIFY_ALPHABET = ALPHABET
VERIFY_CODE_LENGTH = 8


@dataclass(frozen=True)
class CertificateData:
    """What a certificate says; values only, no translated wording."""

    holder_name: str
    course_title: str
    score_percent: float
    issued_on: date
    school_name: str | None
    number: str  # e.g. "MB-2026-000123"
    verify_code: str  # canonical 8 characters, e.g. "ABCD2345"
    verify_url: str | None  # e.g. "https://t.me/maktab_bot?start=verify_ABCD2345"
    #: The organisation issuing the certificate (the CERTIFICATE_ISSUER setting), printed at the top.
    issuer: str | None = None
    #: The school head's name under the signature line, when the school's staff list has one.
    head_name: str | None = None


@dataclass(frozen=True)
class CertificateLabels:
    """Already translated and formatted lines, in the holder's language.

    ``number_line``, ``school_line``, ``issuer_line`` and ``verify_line`` may be full lines
    ("No. MB-2026-000123") or bare captions ("No."): the renderer appends the
    value when the line does not already contain it.
    """

    heading: str  # "CERTIFICATE"
    awarded_to: str  # "This certificate is awarded to"
    for_completing: str  # "for successfully completing the course"
    score_line: str  # "Result: 86.7 %"
    date_line: str  # "Issued on 6 May 2026"
    school_line: str  # "School: No. 5, Tashkent" (ignored when school_name is None)
    number_line: str  # "Certificate No. MB-2026-000123"
    verify_line: str  # "Check: /verify ABCD-2345 in the bot"
    issuer_line: str = ""  # "Issued by: Maktab Bot" (ignored when issuer is None)
    signature_caption: str = ""  # "School head" under the signature line
    seal_caption: str = ""  # "Place for the seal", inside the seal area


class _Chooser(Protocol):
    def choice(self, seq: Sequence[str], /) -> str: ...


def new_verify_code(rng: _Chooser = secrets) -> str:
    """Return a new random canonical code: 8 characters of :data:`VERIFY_ALPHABET`.

    ``rng`` is anything with ``choice`` (the ``secrets`` module, or a seeded
    ``random.Random`` in tests).
    """
    return "".join(rng.choice(VERIFY_ALPHABET) for _ in range(VERIFY_CODE_LENGTH))


def normalize_verify_code(text: str) -> str | None:
    """Canonical 8-character code from what a user typed (``"verify_abcd2345"``, ``"abcd - 2345"``,
    ``"/verify ABCD-2345"`` -> ``"ABCD2345"``), or None."""
    return normalize_code(text, VERIFY_CODE_LENGTH, prefix="verify")


def format_verify_code(code: str) -> str:
    """Show a code as ``"ABCD-2345"``; raises ValueError if it is not a valid code."""
    canonical = normalize_verify_code(code)
    if canonical is None:
        raise ValueError(f"not a verification code: {code!r}")
    half = VERIFY_CODE_LENGTH // 2
    return f"{canonical[:half]}-{canonical[half:]}"


def certificate_number(year: int, serial: int) -> str:
    """Human certificate number, e.g. ``certificate_number(2026, 123) == "MB-2026-000123"``."""
    if not 1000 <= year <= 9999:
        raise ValueError(f"year out of range: {year}")
    if serial < 1:
        raise ValueError(f"serial must be positive: {serial}")
    return f"MB-{year:04d}-{serial:06d}"


# --- person names -----------------------------------------------------------

NAME_MAX_CHARS = 80
NAME_MIN_LETTERS = 3
NAME_MIN_WORDS = 2

OKINA = "\u02bb"  # ʻ  MODIFIER LETTER TURNED COMMA: the Uzbek oʻ and gʻ
TUTUQ = "\u02bc"  # ʼ  MODIFIER LETTER APOSTROPHE: the Uzbek tutuq belgisi
# ' ` ´ ‘ ’ ‛ ′ ʹ ʻ ʼ ʽ ˈ ꞌ and full-width '
_APOSTROPHES = "'`\u00b4\u2018\u2019\u201b\u2032\u02b9\u02bb\u02bc\u02bd\u02c8\ua78c\uff07"
_APOSTROPHE_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_HYPHENS_RE = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2212]")
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_OG = frozenset("oOgG")
_ALLOWED_PUNCT = frozenset(" -.") | {OKINA, TUTUQ}


def _unify_apostrophes(s: str) -> str:
    def repl(m: re.Match[str]) -> str:
        start = m.start()
        return OKINA if start > 0 and s[start - 1] in _OG else TUTUQ

    return _APOSTROPHE_RE.sub(repl, s)


def normalize_person_name(text: str) -> str | None:
    """Clean a holder's name as typed, or None if it cannot be a full name.

    Trims and collapses white space, applies NFC, unifies Uzbek apostrophes
    (after o/g/O/G -> ʻ U+02BB, elsewhere -> ʼ U+02BC) and dashes; keeps the
    letter case the user typed. Rejects: empty, fewer than 3 letters, more
    than 80 characters, digits, fewer than 2 words, or symbols other than
    letters, spaces, hyphens, apostrophes and dots.
    """
    if not isinstance(text, str):
        return None
    s = " ".join(_INVISIBLE_RE.sub("", unicodedata.normalize("NFC", text)).split())
    if not s or len(s) > NAME_MAX_CHARS:
        return None
    s = _HYPHENS_RE.sub("-", _unify_apostrophes(s))
    return s if _is_full_name(s) else None


def _is_full_name(s: str) -> bool:
    """Letters, marks, spaces, hyphens, apostrophes and dots only, with enough letters and words."""
    letters = _letter_count(s)
    if letters is None or letters < NAME_MIN_LETTERS:
        return False
    words = [w for w in s.split(" ") if any(c.isalpha() and c not in (OKINA, TUTUQ) for c in w)]
    return len(words) >= NAME_MIN_WORDS


def _letter_count(s: str) -> int | None:
    """How many letters (not counting ʻ and ʼ); None for a digit, emoji, @, # or any other symbol."""
    letters = 0
    for ch in s:
        cat = unicodedata.category(ch)
        if cat[0] == "L" and ch not in (OKINA, TUTUQ):
            letters += 1
        elif cat[0] != "M" and ch not in _ALLOWED_PUNCT:
            return None
    return letters
