"""Every message is translated in all four catalogues, with the same placeholders; the catalogues are up to
date with the code (nothing used in the code is missing from them)."""

from __future__ import annotations

import ast
import functools
import re
import string
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.config import SUPPORTED_LANGUAGES
from bot.i18n import LOCALES_DIR
from bot.i18n_tools import KEYWORDS
from content.catalogue import CONTENT_DIR

FORMATTER = string.Formatter()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in FORMATTER.parse(text) if name is not None}


def catalogue(lang: str):
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_catalogue_complete_with_same_placeholders(lang):
    problems = []
    for message in catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        expected = placeholders(ids[0])
        for translated in strings:
            if placeholders(translated) != expected:
                problems.append(f"placeholders differ: {ids[0]!r} -> {translated!r}")
        if ids[0].count("\n") and not all(s.count("\n") >= 1 for s in strings):
            problems.append(f"lines lost: {ids[0]!r}")
    assert not problems, "\n".join(problems[:30])


@functools.cache
def messages_used_in_code() -> frozenset[str]:
    """The msgids the code uses now (the catalogues may still hold obsolete ones until the lead removes them)."""
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "--no-location", *KEYWORDS,
                        "-o", str(pot),
                        "--ignore-dirs", "standin", str(root / "bot")],
                       check=True, capture_output=True)
        with pot.open("rb") as f:
            return frozenset(m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id)


def test_catalogues_cover_every_message_in_the_code():
    used = messages_used_in_code()
    for lang in SUPPORTED_LANGUAGES:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(lang) if m.id}
        missing = sorted(used - have)
        assert not missing, f"{lang}: not in the catalogue: {missing[:10]}"


def test_uzbek_uses_latin_and_kazakh_kyrgyz_letters():
    uz = " ".join(m.string for m in catalogue("uz") if m.id and isinstance(m.string, str))
    assert not re.search(r"[а-яА-Я]{4,}", uz.replace("Maktab", "")), "Uzbek catalogue should be in Latin script"
    kk = " ".join(m.string for m in catalogue("kk") if m.id and isinstance(m.string, str))
    assert re.search(r"[әғқңөұүһі]", kk)
    ky = " ".join(m.string for m in catalogue("ky") if m.id and isinstance(m.string, str))
    assert re.search(r"[ңөү]", ky)


def gettext_keyword_names() -> set[str]:
    return {KEYWORDS[i + 1].split(":")[0] for i in range(0, len(KEYWORDS), 2)}


def test_no_variable_shares_a_gettext_keyword_name():
    """Babel extracts any call or subscript of a keyword name: a local `t = {...}; t["x"]` becomes a message."""
    keywords = gettext_keyword_names()
    root = Path(__file__).resolve().parent.parent / "bot"
    clashes = []
    for path in root.rglob("*.py"):
        if "standin" in path.relative_to(root).parts:
            continue  # not extracted
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names = [node.id]
            elif isinstance(node, ast.arg):
                names = [node.arg]
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
                names = [node.value.id]
            clashes += [f"{path.relative_to(root.parent)}:{node.lineno} {n}" for n in names if n in keywords]
    assert not clashes, clashes


#: A per cent or a count of minutes written as a number: the exam's pass mark and length come from the settings
#: (EXAM_PASS_PERCENT, EXAM_MINUTES) through placeholders, never from a translation.
POLICY_NUMBER = re.compile(r"\d\s*%|\d\s*(minutes?|min\b|мин|мүнөт|daqiqa|daq\.)", re.IGNORECASE)


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_no_exam_figure_is_written_into_a_message(lang):
    used = messages_used_in_code()
    found = []
    for message in catalogue(lang):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if not ids[0] or ids[0] not in used:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [text for text in (*ids, *strings) if POLICY_NUMBER.search(text)]
    assert not found, found


def translations(lang: str) -> dict[str, tuple[str, ...]]:
    """msgid → its translations (all plural forms), for the messages the code uses."""
    used = messages_used_in_code()
    out = {}
    for message in catalogue(lang):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if ids[0] and ids[0] in used:
            out[ids[0]] = message.string if isinstance(message.string, tuple) else (message.string,)
    return out


def test_kyrgyz_names_points_as_the_course_does():
    """The Kyrgyz course says "балл" (decree 263's 25 points, the pass mark): the interface says it too."""
    course = " ".join(p.read_text(encoding="utf-8").lower()
                      for p in CONTENT_DIR.glob("*/ky/*.yaml"))
    assert "балл" in course and "упай" not in course
    said = [s for strings in translations("ky").values() for s in strings if "упай" in s.lower()]
    assert not said, said


def test_russian_names_an_attendance_mark_as_such():
    """"Отметка" alone reads as a grade in Russian schools: where attendance is meant, it says so."""
    vague = [s for msgid, strings in translations("ru").items() if "attendance" in msgid.lower()
             for s in strings if "отметк" in s.lower() and "посещаемост" not in s.lower()]
    assert not vague, vague


#: Word-for-word renderings found in review, with what each language says instead.
CALQUES = {"ru": ("с первого взгляда",), "uz": ("bir qarashda",), "ky": ("бир карашта",), "kk": ("бір қарағанда",)}


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_no_calque_found_in_review(lang):
    found = [s for strings in translations(lang).values() for s in strings
             if any(c in s.lower() for c in CALQUES[lang])]
    assert not found, found


def test_uzbek_joins_a_suffix_to_the_date():
    """Uzbek writes "18-dekabrgacha", one word: a case suffix follows a date placeholder without a space."""
    apart = re.compile(r"\{(date|day|start|end|cutoff)\}\s+(gacha|dan|da|ga|ni|ning)\b")
    found = [s for strings in translations("uz").values() for s in strings if apart.search(s)]
    assert not found, found


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_previous_page_and_back_read_differently(lang):
    """A course page shows both: "previous page" and "back up to the lessons" must not be the same word."""
    words = translations(lang)
    previous, back = words["◀️ Previous"][0], words["⬅️ Back"][0]
    def word(label: str) -> str:
        return re.sub(r"[^\w\s‘’ʼ]", "", label).strip().lower()

    assert word(previous) != word(back), (previous, back)


def test_kyrgyz_borrows_no_kazakh():
    """Kyrgyz has no ә ғ қ ұ і һ, and says "жума" for a week where Kazakh says "апта"."""
    said = [s for strings in translations("ky").values() for s in strings
            if re.search(r"[әғқұіһӘҒҚҰІҺ]|\bапта", s)]
    assert not said, said
