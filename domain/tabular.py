"""Reading the cells of school spreadsheets: header names in four languages and values as people type them.

Pure functions, no I/O. A value that cannot be read raises ValueError with a short English reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

_APOSTROPHES = re.compile(r"[ʻʼ‘’`´]")
_HEADER_SEPARATORS = re.compile(r"[\s_\-./\\:*()\[\]№#\"«»]+")


def _fold(text: object) -> str:
    """Lower case, ё as е, every apostrophe as '."""
    return _APOSTROPHES.sub("'", str(text or "")).strip().lower().replace("ё", "е")


def normalize_header(text: object) -> str:
    """'F.I.Sh.' -> 'f i sh', 'Sinf*' -> 'sinf', 'school_id' -> 'school id'."""
    return _HEADER_SEPARATORS.sub(" ", _fold(text)).strip()


ColumnSpec = Mapping[str, Sequence[str]]
"""Canonical column name -> the names it goes by (the canonical name itself is always accepted)."""


@dataclass
class HeaderMatch:
    columns: dict[str, int] = field(default_factory=dict)  # canonical name -> column index
    unknown: list[str] = field(default_factory=list)  # header texts that match no column
    clashes: list[tuple[str, str, str]] = field(default_factory=list)  # (canonical, first header, second header)


def match_headers(headers: Sequence[object], spec: ColumnSpec) -> HeaderMatch:
    """Which column holds which field, matching header texts case-insensitively against `spec`'s aliases."""
    lookup: dict[str, str] = {}
    for canonical, aliases in spec.items():
        for alias in (canonical, *aliases):
            lookup.setdefault(normalize_header(alias), canonical)
    found = HeaderMatch()
    for index, header in enumerate(headers):
        key = normalize_header(header)
        if not key:
            continue
        canonical = lookup.get(key)
        if canonical is None:
            found.unknown.append(str(header).strip())
        elif canonical in found.columns:
            found.clashes.append((canonical, str(headers[found.columns[canonical]]).strip(), str(header).strip()))
        else:
            found.columns[canonical] = index
    return found


def cell_text(value: object) -> str:
    """A cell as text: whole floats without '.0' (phones typed as numbers), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


@lru_cache(maxsize=8192)  # exports repeat the same cells thousands of times
def name_key(text: object) -> str:
    """A person's name for matching: case, ё/е, apostrophes, dots and word order do not matter."""
    words = re.sub(r"[.,]", " ", _fold(text)).split()
    return " ".join(sorted(words))


@lru_cache(maxsize=8192)
def text_key(text: object) -> str:
    """A subject's or school's name for matching: case, ё/е, apostrophes and spacing do not matter."""
    return " ".join(_fold(text).replace("\"", " ").split())


def names_overlap(a: str, b: str) -> bool:
    """Two name keys where one's words contain the other's (a patronymic left off), with two words at least."""
    wa, wb = set(a.split()), set(b.split())
    return min(len(wa), len(wb)) >= 2 and (wa <= wb or wb <= wa)


def split_list(text: object) -> list[str]:
    """'Matematika; Fizika' -> ['Matematika', 'Fizika'] (also ',' '/' and new lines)."""
    return [part.strip() for part in re.split(r"[;,/\n]+", cell_text(text)) if part.strip()]


# --- classes -------------------------------------------------------------------------------------------

_CLASS_WORDS = re.compile(r"\b(sinf|класс|кл|сынып|class|grade)\b\.?", re.IGNORECASE)
_HOMOGLYPHS = str.maketrans("АВЕКМНОРСТХ", "ABEKMHOPCTX")


@lru_cache(maxsize=8192)
def parse_class(text: object) -> tuple[str, int]:
    """'5-A', '5 А', '5а', '10 «Б» sinf' -> ('5-A', 5): a tidy name and the grade (1–12) it starts with."""
    raw = cell_text(text)
    cleaned = _CLASS_WORDS.sub(" ", raw).replace("«", " ").replace("»", " ").replace("\"", " ")
    match = re.fullmatch(r"\s*(\d{1,2})\s*[-–—.\s/]?\s*(.*?)\s*", cleaned)
    if not match:
        raise ValueError(f"a class starts with its grade, e.g. 5-A (got “{raw}”)")
    grade = int(match.group(1))
    if not 1 <= grade <= 12:
        raise ValueError(f"grade {grade} is not 1–12")
    letter = re.sub(r"[\s\-–—]+", "", match.group(2)).upper()
    return (f"{grade}-{letter}" if letter else str(grade)), grade


def class_key(name: str) -> str:
    """A class name for matching: '5-А' (Cyrillic А) and '5a' (Latin) are the same class."""
    return re.sub(r"[\s\-–—.]+", "", name.upper()).translate(_HOMOGLYPHS)


# --- numbers, dates, times ------------------------------------------------------------------------------

def parse_int(value: object, *, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not a whole number: {value}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = cell_text(value).replace(" ", "")
        if not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
            raise ValueError(f"not a whole number: “{cell_text(value)}”")
        number = int(float(text))
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{number} is not {low}–{high}")
    return number


_EXCEL_EPOCH = date(1899, 12, 30)


@lru_cache(maxsize=8192)
def parse_date(value: object) -> date:
    """2025-09-15, 15.09.2025, 15/09/2025, 15.09.25 (day first, as in the region), or an Excel date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 <= value <= 80000:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = cell_text(value)
    match = re.fullmatch(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", text)
    try:
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        match = re.fullmatch(r"(\d{1,2})[-./](\d{1,2})[-./](\d{2}|\d{4})", text)
        if match:
            year = int(match.group(3))
            return date(year + 2000 if year < 100 else year, int(match.group(2)), int(match.group(1)))
    except ValueError:
        pass
    raise ValueError(f"not a date: “{text}” (write 2025-09-15 or 15.09.2025)")


def parse_time(value: object) -> time:
    """08:30, 8.30, or an Excel time."""
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, time):
        return value
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        return time(minutes // 60, minutes % 60)
    text = cell_text(value)
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::\d{2})?", text)
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return time(int(match.group(1)), int(match.group(2)))
    raise ValueError(f"not a time: “{text}” (write 08:30)")


def parse_school_year(value: object) -> str:
    """'2025-2026', '2025/26', '2025–2026' -> '2025-2026'."""
    text = cell_text(value)
    match = re.fullmatch(r"(\d{4})\s*[-–—/]\s*(\d{2}|\d{4})", text)
    if match:
        start, end = int(match.group(1)), int(match.group(2))
        if end < 100:
            end += start // 100 * 100
        if end == start + 1:
            return f"{start}-{end}"
    raise ValueError(f"not a school year: “{text}” (write 2025-2026)")


# --- words ----------------------------------------------------------------------------------------------

@lru_cache(maxsize=8192)
def _word(value: object) -> str:
    return " ".join(_fold(cell_text(value)).replace("_", " ").replace("-", " ").split())


def _index(words: Mapping[str, Sequence[str]]) -> dict[str, str]:
    return {_word(w): key for key, ws in words.items() for w in (key, *ws)}


def _look_up(words: Mapping[str, str], word: str, value: object, unknown: str) -> str:
    """What a cell's folded word stands for; ValueError `unknown` (its {} the cell's text) when nothing."""
    if word in words:
        return words[word]
    raise ValueError(unknown.format(cell_text(value)))


_WEEKDAYS = _index({
    "1": ("monday", "mon", "mo", "понедельник", "пн", "dushanba", "du", "душанба", "дүйшөмбү", "дүйсенбі"),
    "2": ("tuesday", "tue", "tu", "вторник", "вт", "seshanba", "se", "сешанба", "шейшемби", "сейсенбі"),
    "3": ("wednesday", "wed", "we", "среда", "ср", "chorshanba", "ch", "чоршанба", "шаршемби", "сәрсенбі"),
    "4": ("thursday", "thu", "th", "четверг", "чт", "payshanba", "pa", "пайшанба", "бейшемби", "бейсенбі"),
    "5": ("friday", "fri", "fr", "пятница", "пт", "juma", "ju", "жума", "жұма"),
    "6": ("saturday", "sat", "sa", "суббота", "сб", "shanba", "sh", "шанба", "ишемби", "сенбі"),
    "7": ("sunday", "sun", "su", "воскресенье", "вс", "yakshanba", "ya", "якшанба", "жекшемби", "жексенбі"),
})


def parse_weekday(value: object) -> int:
    """1–7 or a day's name (English, Russian, Uzbek, Kyrgyz, Kazakh) -> 0 = Monday … 6 = Sunday."""
    return int(_look_up(_WEEKDAYS, _word(value).removesuffix(".0"), value,
                        "not a weekday: “{}” (write 1–7 or Monday…)")) - 1


_ROLES = _index({
    "student": ("pupil", "ученик", "ученица", "учащийся", "учащаяся", "o'quvchi", "ўқувчи", "окуучу", "оқушы"),
    "teacher": ("subject teacher", "учитель", "учительница", "преподаватель", "педагог", "учитель предметник",
                "o'qituvchi", "ўқитувчи", "fan o'qituvchisi", "мугалим", "мұғалім", "пән мұғалімі"),
    "class_teacher": ("class teacher", "form teacher", "классный руководитель", "кл руководитель",
                      "sinf rahbari", "синф раҳбари", "класс жетекчи", "класстын жетекчиси", "сынып жетекшісі"),
    "deputy": ("deputy head", "deputy director", "завуч", "заместитель директора", "замдиректора",
               "зам директора", "заместитель директора по учебной работе", "direktor o'rinbosari",
               "o'quv ishlari bo'yicha direktor o'rinbosari", "директор ўринбосари", "мүдүрдүн орун басары",
               "директордун орун басары", "директордың орынбасары"),
    "head": ("director", "head teacher", "principal", "директор", "direktor", "мүдүр", "мектеп директору"),
})


def parse_role(value: object) -> str:
    """student, teacher, class_teacher, deputy or head from the words rosters use."""
    return _look_up(_ROLES, _word(value), value, "unknown role “{}” (student, teacher, class_teacher, deputy, head)")


_COUNTRIES = _index({
    "UZ": ("uzb", "uzbekistan", "o'zbekiston", "ўзбекистон", "узбекистан", "өзбекстан"),
    "KG": ("kgz", "kyrgyzstan", "kirgiziya", "qirg'iziston", "кыргызстан", "киргизия", "қырғызстан"),
    "KZ": ("kaz", "kazakhstan", "qozog'iston", "казахстан", "қазақстан", "казакстан"),
})

DEFAULT_TIMEZONES = {"UZ": "Asia/Tashkent", "KG": "Asia/Bishkek", "KZ": "Asia/Almaty"}


def parse_country(value: object) -> str:
    """UZ, KG or KZ from a code or the country's name."""
    return _look_up(_COUNTRIES, _word(value), value, "unknown country “{}” (UZ, KG or KZ)")


_ATTENDANCE = _index({
    "present": ("+", "p", "yes", "was", "был", "была", "присутствовал", "присутствовала", "присутствует",
                "бор", "bor", "keldi", "келди", "келді", "қатысты", "катышты"),
    "absent": ("н", "n", "nb", "нб", "abs", "absent", "no", "нет", "не был", "не была", "отсутствовал",
               "отсутствовала", "отсутствует", "yo'q", "yoq", "йўқ", "kelmadi", "келмади", "жок", "жоқ",
               "келген жок", "келмеді", "қатыспады"),
    "excused": ("absent excused", "excused absence", "уважительная", "по уважительной причине", "ув",
                "нб ув", "sababli", "sababli kelmadi", "себептүү", "себепті"),
    "late": ("l", "оп", "опоздал", "опоздала", "опоздание", "kechikdi", "kech", "кечикди",
             "кечикти", "кешікті", "кеч"),
})


def parse_attendance(value: object) -> str:
    """present, absent, excused (absent with a good reason) or late from a journal's marks (+, н, nb, late,
    kelmadi, ...); empty is present."""
    word = _word(value)
    if not word:
        return "present"
    return _look_up(_ATTENDANCE, word, value, "unknown attendance “{}” (present, absent, excused, late; +, н, nb)")


def is_attendance_word(value: object) -> bool:
    """Whether a cell holds an attendance mark rather than a grade (journals often share one cell)."""
    word = _word(value)
    return bool(word) and word in _ATTENDANCE and _ATTENDANCE[word] != "present"


_REASONS = _index({
    "illness": ("ill", "sick", "sickness", "medical", "болезнь", "болел", "болела", "по болезни", "справка",
                "kasal", "kasallik", "касал", "ооруу", "оорулуу", "ауру", "ауырды"),
    "family": ("family reasons", "семейные", "семейные обстоятельства", "по семейным обстоятельствам",
               "oilaviy", "oilaviy sabab", "оилавий", "үй бүлөлүк", "отбасылық", "отбасылық жағдай"),
    "none": ("no reason", "without reason", "unexcused", "без причины", "неуважительная", "прогул",
             "sababsiz", "сабабсиз", "себепсиз"),
})


def parse_reason(value: object) -> str | None:
    """illness, family, none (no good reason) or other; None for an empty cell."""
    word = _word(value)
    if not word:
        return None
    return _REASONS.get(word, "other")
