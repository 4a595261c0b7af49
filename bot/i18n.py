"""gettext catalogues (uz, ky, kk, ru) through aiogram's I18n; the stored language wins over Telegram's."""

from __future__ import annotations

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


def compile_catalogues(locales_dir: Path = LOCALES_DIR) -> None:
    """Build .mo from .po where missing or older (the .mo files are build output, not in git)."""
    for po_path in locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)


def create_i18n(default_locale: str = DEFAULT_LANGUAGE) -> I18n:
    compile_catalogues()
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)


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
