"""Uzbekistan's decree No. 263 of 6 May 2024, table 4: 25 points for a school's assessment work (seed 000).

The decree gives each indicator its maximum, not how to count it. Where it gives no rule, the bot's reading
is written beside the figure (:attr:`Indicator.counted`), so a head can tell the decree from the bot:

- authenticity of the ChSB results, 10: the head judges (the bot shows the marks beside each other);
- ChSB portfolios kept and the results analysed, 5: the head judges (portfolios are not kept in the bot);
- BSB and ChSB results entered in e-Maktab on time, 5: the bot's reading, 5 x the share entered by the due date;
- effective use of e-Maktab (the uploaded summative materials used, the assessment courses passed), 5: the
  bot's reading, 2.5 x the share of due summatives with results + 2.5 x the share of the planned staff who
  passed the course.

The decree applies to Uzbek schools only (`rules_for(country).decree_263`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.countries import rules_for
from domain.shares import Share, round_half_up

TIMELY_MAX = 5.0
USE_MAX = 5.0
AUTHENTICITY_MAX = 15.0  # 10 for the results' authenticity + 5 for portfolios and analysis
AUTHENTICITY_RESULTS_MAX = 10.0
PORTFOLIO_MAX = 5.0
CRITERION_MAX = TIMELY_MAX + USE_MAX + AUTHENTICITY_MAX  # 25


class NotForThisCountry(Exception):
    """The decree 263 report asked for a school outside Uzbekistan (a stale or forged button)."""


def ensure_applies(country: str) -> None:
    if not rules_for(country).decree_263.value:
        raise NotForThisCountry(country)


def applies_to(country: str) -> bool:
    return bool(rules_for(country).decree_263.value)


class Counted(StrEnum):
    """Who decides an indicator's points: the decree's own rule, the bot's reading of it, or the head."""

    BOT_READING = "bot_reading"
    HEAD = "head"


@dataclass(frozen=True)
class Indicator:
    code: str  # authenticity, portfolio, timely, use
    maximum: float
    counted: Counted


TABLE_4 = (
    Indicator("authenticity", AUTHENTICITY_RESULTS_MAX, Counted.HEAD),
    Indicator("portfolio", PORTFOLIO_MAX, Counted.HEAD),
    Indicator("timely", TIMELY_MAX, Counted.BOT_READING),
    Indicator("use", USE_MAX, Counted.BOT_READING),
)


@dataclass(frozen=True)
class GradeStats:
    count: int
    mean: float | None
    distribution: dict[int, int]  # grade -> how many

    @classmethod
    def of(cls, distribution: dict[int, int]) -> GradeStats:
        count = sum(distribution.values())
        mean = round(sum(g * n for g, n in distribution.items()) / count, 2) if count else None
        return cls(count, mean, dict(sorted(distribution.items())))


@dataclass(frozen=True)
class DecreeInputs:
    summatives: Share  # BSB/ChSB entered by the due date, of those due
    materials: Share  # summatives with results at all, of those due: the uploaded materials were used
    course: Share  # planned staff who passed the assessment course
    chsb: GradeStats  # the term summative (ChSB) results, for the head's judgement of authenticity
    term_grades: GradeStats  # term grades given for the same term
    regular: GradeStats  # everyday grades of the term


@dataclass(frozen=True)
class DecreeScore:
    """Points computed from data; authenticity (15) is left to the head. None: nothing to count."""

    timely: float | None
    materials: float | None  # half of "effective use"
    course: float | None  # the other half
    authenticity: None = None

    @property
    def use(self) -> float | None:
        if self.materials is None and self.course is None:
            return None
        return round_half_up((self.materials or 0.0) + (self.course or 0.0))

    @property
    def computed_total(self) -> float:
        return round_half_up((self.timely or 0.0) + (self.use or 0.0))


def _points(share: Share, maximum: float) -> float | None:
    return None if share.ratio is None else round_half_up(maximum * share.ratio)


def decree_263_score(inputs: DecreeInputs) -> DecreeScore:
    """The bot's reading: 5 x the timely share; 2.5 x the materials share + 2.5 x the course share."""
    return DecreeScore(timely=_points(inputs.summatives, TIMELY_MAX),
                       materials=_points(inputs.materials, USE_MAX / 2),
                       course=_points(inputs.course, USE_MAX / 2))
