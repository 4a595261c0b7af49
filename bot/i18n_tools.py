"""Catalogue maintenance with Babel: extract messages.pot, update the four .po files, compile .mo."""

from __future__ import annotations

from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from bot.config import SUPPORTED_LANGUAGES
from bot.i18n import DOMAIN, LOCALES_DIR, compile_catalogues

ROOT = Path(__file__).resolve().parent.parent
POT = LOCALES_DIR / f"{DOMAIN}.pot"
KEYWORDS = ["-k", "_", "-k", "__", "-k", "gettext", "-k", "ngettext:1,2", "-k", "N_"]


def run_i18n(action: str) -> int:
    cli = CommandLineInterface()
    if action == "extract":
        cli.run(["pybabel", "extract", "--no-location", "--sort-output", *KEYWORDS, "-o", str(POT),
                 "--ignore-dirs", "static", str(ROOT / "bot"), str(ROOT / "usecases")])
    elif action == "update":
        for lang in SUPPORTED_LANGUAGES:
            po = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
            if po.exists():
                cli.run(["pybabel", "update", "--no-fuzzy-matching", "--ignore-obsolete", "-i", str(POT),
                         "-d", str(LOCALES_DIR), "-D", DOMAIN, "-l", lang])
            else:
                cli.run(["pybabel", "init", "-i", str(POT), "-d", str(LOCALES_DIR), "-D", DOMAIN, "-l", lang])
    else:
        print(compile_catalogues())
    return 0
