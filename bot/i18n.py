"""gettext catalogues (uz, ky, kk, ru) through aiogram's I18n; the stored language wins over Telegram's."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.types import User as TgUser
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"

#: Each language's name in itself, for the language switch.
LANGUAGE_NAMES: dict[str, str] = {
    "uz": "🇺🇿 Oʻzbekcha",
    "ky": "🇰🇬 Кыргызча",
    "kk": "🇰🇿 Қазақша",
    "ru": "🇷🇺 Русский",
}
#: Babel locale per language code (Uzbek is Latin script).
BABEL_LOCALES = {"uz": "uz_Latn", "ky": "ky", "kk": "kk", "ru": "ru"}


def catalogue_cache_dir() -> Path:
    """Where compiled catalogues go: `MAKTAB_CACHE_DIR`, else the user's cache folder (never the installed
    package, which may be read-only)."""
    base = os.environ.get("MAKTAB_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "maktab-bot" / "locales"


def compile_catalogues(locales_dir: Path = LOCALES_DIR, cache_dir: Path | None = None) -> Path:
    """Build the .mo files from the .po files into a cache folder named by the catalogues' content, and return
    that folder. A folder already built for the same .po files is reused; a new one is built aside and renamed
    into place, so two processes starting at once never see half a catalogue."""
    po_paths = sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    digest = hashlib.sha256()
    for po_path in po_paths:
        digest.update(po_path.parent.parent.name.encode() + b"\0" + po_path.read_bytes())
    target = (cache_dir or catalogue_cache_dir()) / digest.hexdigest()[:16]
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    for po_path in po_paths:
        lang = po_path.parent.parent.name
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        (building / lang / "LC_MESSAGES").mkdir(parents=True)
        with (building / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
    try:
        building.rename(target)
    except OSError:  # another process built the same catalogues first
        shutil.rmtree(building, ignore_errors=True)
    return target


def create_i18n(default_locale: str = DEFAULT_LANGUAGE) -> I18n:
    return I18n(path=compile_catalogues(), default_locale=default_locale, domain=DOMAIN)


def language_from_telegram(tg_user: TgUser | None) -> str:
    code = ((tg_user.language_code if tg_user else None) or "").split("-")[0].lower()
    return code if code in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


class UserLocaleMiddleware(I18nMiddleware):
    """Locale: the user's stored choice, else their Telegram client's language if supported, else Russian."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user = data.get("user")
        if user is not None and user.language in SUPPORTED_LANGUAGES:
            return user.language
        return language_from_telegram(data.get("event_from_user"))
