"""Each country's school rules in one table, every rule with its source.

Screens, reminders, reports and imports read a country's rules from here and nowhere else. A source is one
of: a seed document (`seed 001` …, in ../shared/seeds), a named regulation, or "our assumption,
configurable" where the documents give no rule (change the table, not the code that reads it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

SEED_001 = "seed 001: Kyrgyz school regulation on the e-journal «Күндөлүк» (2021)"
KZ_RULES_125 = "Kazakhstan, Rules No. 125 on current, section and term assessment (appendix 1), as of 2020–21"
KG_STANDARD_2025 = "Kyrgyzstan, state standard of 12-year schooling (from the 2025–26 school year)"
UZ_DECREE_263 = "Uzbekistan, decree No. 263 of 6 May 2024, table 4 (seed 000)"
ASSUMED = "our assumption, configurable"


@dataclass(frozen=True)
class Rule:
    """A value with the source it comes from (shown in the closing note, the README and `rules_table`)."""

    value: object
    source: str


@dataclass(frozen=True)
class CountryRules:
    code: str
    time_zone: Rule
    #: The marks a regular (formative/current) lesson mark may take.
    mark_scale: Rule
    #: Section and term summatives recorded as points over a maximum (a per cent), not as marks.
    summative_as_percent: Rule
    #: Short names of the section and term summatives, as msgids the bot translates into the user's script.
    summative_names: Rule
    #: No marks at all up to and including this grade.
    unmarked_up_to_grade: Rule
    #: In this grade, no marks in the first half-year (None: no such rule).
    unmarked_first_half_grade: Rule
    #: From this school year (its first calendar year) no marks up to this grade: (year, grade), or None.
    unmarked_from_year: Rule
    #: Minimum marks a pupil needs in a term for a fair term mark, by the subject's lessons a week:
    #: ((hours_at_least, marks), ...) in rising order of hours.
    min_marks_by_weekly_hours: Rule
    #: "mean": the term mark is the mean of the term's marks, half up; "weighted_percent": weights below.
    term_mark_method: Rule
    #: Weights of formative, section and term summative parts for "weighted_percent".
    term_weights: Rule
    #: (lowest per cent, mark) bands for turning a per cent into a 2–5 mark, highest first.
    percent_bands: Rule
    #: A lesson (formative) mark at or below this is low: worth an instant notice to the parent. A summative
    #: per cent is low when it falls in the lowest band of `percent_bands` (domain.grading.is_low_mark).
    low_mark_at_most: Rule
    #: Half-year and year marks: the rounded (half up) mean of the half's / the year's term marks.
    half_year_and_year_marks: Rule
    #: Decree 263's assessment criterion is reported for this country's schools.
    decree_263: Rule
    #: Canonical regions, each with the spellings that mean it (lower case, apostrophes normalised).
    regions: Rule = field(default_factory=lambda: Rule({}, ASSUMED))
    #: How a number without its country code is written locally: (country code, national digits, trunk
    #: prefix), or None where `domain.phones.normalize_phone` reads local numbers as they are.
    local_phone: Rule = field(default_factory=lambda: Rule(None, "normalize_phone reads local numbers"))

    # -- derived helpers -------------------------------------------------------------------------------

    def min_marks(self, weekly_hours: int) -> int:
        """The fewest marks a pupil should have in a term in a subject taught `weekly_hours` a week."""
        need = 0
        for hours, marks in self.min_marks_by_weekly_hours.value:  # type: ignore[attr-defined]
            if weekly_hours >= hours or need == 0:
                need = marks
        return need

    def region(self, name: str | None) -> str | None:
        """The canonical region for a spelling ("Toshkent sh." → "Toshkent shahri"); None when unknown."""
        if not name:
            return None
        key = normalise_place(name)
        for canonical, spellings in self.regions.value.items():  # type: ignore[attr-defined]
            if key == normalise_place(canonical) or key in spellings:
                return canonical
        return None


def normalise_place(name: str) -> str:
    """Lower case, one kind of apostrophe, single spaces, no trailing dots."""
    text = re.sub(r"[ʻʼ‘’`´]", "'", name).lower().strip().rstrip(".")
    return re.sub(r"\s+", " ", text)


#: Words a district or city name carries in one list and not in another ("Urgut tumani", "Urgut t.",
#: "Ленинский район", "Алмалы ауданы", "Ош ш."): left out when spellings are compared. Our assumption.
DISTRICT_SUFFIXES = ("tumani", "tuman", "t", "туман", "тумани", "район", "р-н", "ауданы", "аудан", "району",
                     "sh", "ш", "shahri", "shahar", "шаары", "шаһары")


def district_key(name: str | None) -> str:
    """A district's spelling for comparison: normalised, its trailing suffixes left out ("" when empty)."""
    words = normalise_place(name or "").replace(".", ". ").split()
    while len(words) > 1 and words[-1].rstrip(".") in DISTRICT_SUFFIXES:
        words.pop()
    return " ".join(w.rstrip(".") for w in words)


FIVE_POINT = (2, 3, 4, 5)
KZ_FORMATIVE = tuple(range(1, 11))
# Seed 001 asks for "at least 3–4 marks a quarter for a subject of 2 hours a week": 3 for one hour, 4 for
# two, 5 for three or more is our reading of it.
MIN_MARKS = ((1, 3), (2, 4), (3, 5))


def _aliases(*spellings: str) -> frozenset[str]:
    return frozenset(normalise_place(s) for s in spellings)


UZ_REGIONS = {
    "Qoraqalpog'iston Respublikasi": _aliases("Qoraqalpog'iston", "Qoraqalpog'iston Resp", "Karakalpakstan",
                                               "Республика Каракалпакстан", "Каракалпакстан", "QR"),
    "Andijon viloyati": _aliases("Andijon", "Andijon vil", "Андижанская область", "Андижан"),
    "Buxoro viloyati": _aliases("Buxoro", "Buxoro vil", "Бухарская область", "Бухара"),
    "Jizzax viloyati": _aliases("Jizzax", "Jizzax vil", "Джизакская область", "Джизак"),
    "Qashqadaryo viloyati": _aliases("Qashqadaryo", "Qashqadaryo vil", "Кашкадарьинская область"),
    "Navoiy viloyati": _aliases("Navoiy", "Navoiy vil", "Навоийская область", "Навои"),
    "Namangan viloyati": _aliases("Namangan", "Namangan vil", "Наманганская область", "Наманган"),
    "Samarqand viloyati": _aliases("Samarqand", "Samarqand vil", "Самаркандская область", "Самарканд"),
    "Surxondaryo viloyati": _aliases("Surxondaryo", "Surxondaryo vil", "Сурхандарьинская область"),
    "Sirdaryo viloyati": _aliases("Sirdaryo", "Sirdaryo vil", "Сырдарьинская область"),
    "Toshkent viloyati": _aliases("Toshkent vil", "Toshkent v", "Ташкентская область"),
    "Farg'ona viloyati": _aliases("Farg'ona", "Farg'ona vil", "Fergana", "Ферганская область", "Фергана"),
    "Xorazm viloyati": _aliases("Xorazm", "Xorazm vil", "Хорезмская область", "Хорезм"),
    "Toshkent shahri": _aliases("Toshkent sh", "Toshkent", "Tashkent", "Toshkent shahar", "г. Ташкент", "Ташкент",
                                "город Ташкент"),
}
KG_REGIONS = {
    "Бишкек шаары": _aliases("Бишкек", "г. Бишкек", "Bishkek"),
    "Ош шаары": _aliases("г. Ош", "Ош ш", "Osh city"),
    "Баткен облусу": _aliases("Баткен", "Баткенская область", "Batken"),
    "Жалал-Абад облусу": _aliases("Жалал-Абад", "Джалал-Абадская область", "Jalal-Abad"),
    "Ысык-Көл облусу": _aliases("Ысык-Көл", "Иссык-Кульская область", "Issyk-Kul"),
    "Нарын облусу": _aliases("Нарын", "Нарынская область", "Naryn"),
    "Ош облусу": _aliases("Ошская область", "Osh region"),
    "Талас облусу": _aliases("Талас", "Таласская область", "Talas"),
    "Чүй облусу": _aliases("Чүй", "Чуйская область", "Chui", "Chuy"),
}
KZ_REGIONS = {
    "Астана": _aliases("г. Астана", "Астана қаласы", "Astana"),
    "Алматы": _aliases("г. Алматы", "Алматы қаласы", "Almaty"),
    "Шымкент": _aliases("г. Шымкент", "Шымкент қаласы", "Shymkent"),
    "Абай облысы": _aliases("Абайская область", "Abai"),
    "Ақмола облысы": _aliases("Акмолинская область", "Akmola"),
    "Ақтөбе облысы": _aliases("Актюбинская область", "Aktobe"),
    "Алматы облысы": _aliases("Алматинская область", "Almaty region"),
    "Атырау облысы": _aliases("Атырауская область", "Atyrau"),
    "Батыс Қазақстан облысы": _aliases("Западно-Казахстанская область", "ЗКО", "West Kazakhstan"),
    "Жамбыл облысы": _aliases("Жамбылская область", "Zhambyl"),
    "Жетісу облысы": _aliases("Жетысуская область", "Zhetisu"),
    "Қарағанды облысы": _aliases("Карагандинская область", "Karaganda"),
    "Қостанай облысы": _aliases("Костанайская область", "Kostanay"),
    "Қызылорда облысы": _aliases("Кызылординская область", "Kyzylorda"),
    "Маңғыстау облысы": _aliases("Мангистауская область", "Mangystau"),
    "Павлодар облысы": _aliases("Павлодарская область", "Pavlodar"),
    "Солтүстік Қазақстан облысы": _aliases("Северо-Казахстанская область", "СКО", "North Kazakhstan"),
    "Түркістан облысы": _aliases("Туркестанская область", "Turkistan"),
    "Ұлытау облысы": _aliases("Улытауская область", "Ulytau"),
    "Шығыс Қазақстан облысы": _aliases("Восточно-Казахстанская область", "ВКО", "East Kazakhstan"),
}

PUBLIC_2026 = "public sources, checked 2026-11 (DOMAIN.md)"

COUNTRIES: dict[str, CountryRules] = {
    "UZ": CountryRules(
        code="UZ",
        time_zone=Rule("Asia/Tashkent", PUBLIC_2026),
        mark_scale=Rule(FIVE_POINT, "Uzbekistan: whole-number 5-point scale, " + PUBLIC_2026),
        summative_as_percent=Rule(False, "seed 000 (BSB/ChSB results entered as marks)"),
        summative_names=Rule(("BSB", "ChSB"), "seed 000: bo'lim / chorak bo'yicha summativ baholash"),
        unmarked_up_to_grade=Rule(1, ASSUMED + " (grade 1 is not marked, as in the neighbouring systems)"),
        unmarked_first_half_grade=Rule(None, ASSUMED + " (seed 001's grade-2 rule is Kyrgyz)"),
        unmarked_from_year=Rule(None, "no such rule known"),
        min_marks_by_weekly_hours=Rule(MIN_MARKS, SEED_001 + "; applied to Uzbekistan as " + ASSUMED),
        term_mark_method=Rule("mean", ASSUMED),
        term_weights=Rule(None, "not used"),
        percent_bands=Rule(((85, 5), (65, 4), (40, 3), (0, 2)), ASSUMED + " (Kazakhstan's bands, for imports)"),
        low_mark_at_most=Rule(2, ASSUMED + " (2, the unsatisfactory mark of the 5-point scale)"),
        half_year_and_year_marks=Rule("mean", ASSUMED),
        decree_263=Rule(True, UZ_DECREE_263),
        regions=Rule(UZ_REGIONS, "seed 002 (the 14 regions)"),
    ),
    "KG": CountryRules(
        code="KG",
        time_zone=Rule("Asia/Bishkek", PUBLIC_2026),
        mark_scale=Rule(FIVE_POINT, SEED_001),
        summative_as_percent=Rule(False, ASSUMED),
        summative_names=Rule(("SOR", "SOCh"), "seed 004 (СОР/СОЧ in Russian-language documents)"),
        unmarked_up_to_grade=Rule(1, SEED_001),
        unmarked_first_half_grade=Rule(2, SEED_001),
        unmarked_from_year=Rule((2025, 3), KG_STANDARD_2025),
        min_marks_by_weekly_hours=Rule(MIN_MARKS, SEED_001),
        term_mark_method=Rule("mean", ASSUMED),
        term_weights=Rule(None, "not used"),
        percent_bands=Rule(((85, 5), (65, 4), (40, 3), (0, 2)), ASSUMED + " (Kazakhstan's bands, for imports)"),
        low_mark_at_most=Rule(2, ASSUMED + " (2, the unsatisfactory mark of the 5-point scale)"),
        half_year_and_year_marks=Rule("mean", SEED_001 + " names half-year and year marks; the mean is " + ASSUMED),
        decree_263=Rule(False, UZ_DECREE_263 + " applies to Uzbekistan only"),
        regions=Rule(KG_REGIONS, "Kyrgyzstan's 7 regions and 2 cities of national status"),
        local_phone=Rule(("996", 9, "0"), ASSUMED + " (Kyrgyz numbers are commonly written 0772 123 456)"),
    ),
    "KZ": CountryRules(
        code="KZ",
        time_zone=Rule("Asia/Almaty", "Kazakhstan all UTC+5 since March 2024, " + PUBLIC_2026),
        mark_scale=Rule(KZ_FORMATIVE, KZ_RULES_125 + " (formative marks 1–10)"),
        summative_as_percent=Rule(True, KZ_RULES_125 + " (СОР/СОЧ as points over the maximum)"),
        summative_names=Rule(("SOR (BZhB)", "SOCh (TZhB)"), "seed 004 (БЖБ/ТЖБ, СОР/СОЧ)"),
        unmarked_up_to_grade=Rule(1, KZ_RULES_125 + " (grade 1 is not marked)"),
        unmarked_first_half_grade=Rule(None, KZ_RULES_125 + " (no grade-2 exception)"),
        unmarked_from_year=Rule(None, "no such rule known"),
        min_marks_by_weekly_hours=Rule(MIN_MARKS, SEED_001 + "; applied to Kazakhstan as " + ASSUMED),
        term_mark_method=Rule("weighted_percent", KZ_RULES_125),
        term_weights=Rule({"regular": 0.25, "section": 0.25, "term": 0.5}, KZ_RULES_125 + " (ФО 25 + СОР 25 + СОЧ 50)"),
        percent_bands=Rule(((85, 5), (65, 4), (40, 3), (0, 2)), KZ_RULES_125),
        low_mark_at_most=Rule(4, ASSUMED + " (formative 1–4 of 10; summatives: below 40 %, the band of a 2 in "
                                           + KZ_RULES_125 + ")"),
        half_year_and_year_marks=Rule("mean", KZ_RULES_125 + " (the year mark is the rounded mean of the terms)"),
        decree_263=Rule(False, UZ_DECREE_263 + " applies to Uzbekistan only"),
        regions=Rule(KZ_REGIONS, "Kazakhstan's 17 regions and 3 cities of national status (since 2022)"),
    ),
}


def rules_for(country: str | None) -> CountryRules:
    """A country's rules; an unknown code gets Uzbekistan's (the project's first country)."""
    return COUNTRIES.get((country or "UZ").upper(), COUNTRIES["UZ"])


def is_unmarked(country: str, grade_level: int, day: date, in_first_half: bool, school_year: int) -> bool:
    """Whether a class of `grade_level` gets no marks on `day` (school year starting in `school_year`)."""
    rules = rules_for(country)
    if grade_level <= rules.unmarked_up_to_grade.value:  # type: ignore[operator]
        return True
    later = rules.unmarked_from_year.value
    if later is not None and school_year >= later[0] and grade_level <= later[1]:  # type: ignore[index]
        return True
    return grade_level == rules.unmarked_first_half_grade.value and in_first_half


def rules_table() -> list[tuple[str, str, str, str]]:
    """(country, rule, value, source) rows: for the README and the closing note."""
    rows = []
    for code, rules in COUNTRIES.items():
        for name in CountryRules.__dataclass_fields__:
            if name == "code":
                continue
            rule = getattr(rules, name)
            value = rule.value if name != "regions" else f"{len(rule.value)} regions"
            rows.append((code, name, str(value), rule.source))
    return rows


def local_day(time_zone: str | None, now: datetime) -> date:
    """The calendar day at `now` in a school's time zone (Uzbekistan's when the school has none set)."""
    return now.astimezone(ZoneInfo(time_zone or COUNTRIES["UZ"].time_zone.value)).date()  # type: ignore[arg-type]
