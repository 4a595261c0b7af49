"""Phone numbers as rosters write them and as Telegram shares them."""

from __future__ import annotations

import re

_COUNTRY_LENGTHS = {"998": 12, "996": 12, "7": 11}


def normalize_phone(text: str | None) -> str | None:
    """Digits with the country code (998…, 996…, 7…), or None if it cannot be a phone number."""
    if not text:
        return None
    digits = re.sub(r"\D", "", str(text))
    if digits.startswith("00"):
        digits = digits[2:]
    if len(digits) == 9:  # local Uzbek number without the code, the most common roster form
        digits = "998" + digits
    if len(digits) == 10 and digits.startswith("7"):  # Kazakh number written without the leading 8/7
        digits = "7" + digits
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    for code, length in _COUNTRY_LENGTHS.items():
        if digits.startswith(code) and len(digits) == length:
            return digits
    return None
