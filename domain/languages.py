"""The languages the bot speaks and every course is written in."""

from __future__ import annotations

SUPPORTED_LANGUAGES: tuple[str, ...] = ("uz", "ky", "kk", "ru")
DEFAULT_LANGUAGE = "ru"
