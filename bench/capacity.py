"""Capacity model: how many reminder messages a day and a week, and how long they take at the bot's rate.

    python bench/capacity.py [--schools 10000] [--teachers 49] [--classes 26] [--pupils 650] [--rate 29]
                             [--paid-rate 1000] [--markdown]

Telegram lets a bot send about 30 messages a second (1.3 million in a 12-hour day; this bot sends 29/s and
nothing in the quiet window 21:00-08:00, so 13 hours a day = 1.36 million). Each kind below is counted from the
planner's own rules (usecases/reminder_*.py) and a few assumed rates, printed with the result so they can be
argued with. Defaults are per school, from Uzbekistan's scale (DOMAIN.md: 10,000 schools, 490,000 teachers,
about 6.5 million pupils).

Paid broadcasts (PAID_BROADCAST=true): sendMessage's allow_paid_broadcast lets a bot send up to 1,000 messages a
second for 0.1 Telegram Star a message, withdrawn from the bot's Star balance (Bot API, sendMessage); the bots
FAQ charges only the messages above the free 30/s. The model prints both bounds.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

SCHOOL_DAYS_A_WEEK = 5
WEEKS_A_TERM = 9
SEND_HOURS = 13  # 08:00-21:00 school-local: the quiet window is 21:00-08:00
STAR_PER_PAID_MESSAGE = 0.1
FREE_RATE = 30


@dataclass(frozen=True)
class School:
    """One school's people and the assumed rates behind each reminder kind (our assumptions, configurable)."""

    teachers: int = 49
    classes: int = 26
    pupils: int = 650
    heads: int = 3                       # head and deputies: the half-month summary
    parent_link_share: float = 0.8       # pupils with a parent on the bot
    children_per_parent: float = 1.5     # one digest covers them all
    teachers_with_gaps: float = 0.3      # teachers with an unfilled lesson at their hour, per school day
    classes_with_gaps: float = 0.5       # class teachers' daily digest, per school day
    summative_bundles: float = 0.3       # a teacher's summatives bundle (d3, d1, d0, o1, o7 stages), per school day
    not_passed_course: float = 0.5       # teachers nudged weekly until they pass the course exam
    alerts_per_pupil_day: float = 0.08   # absences (~5 %) and low marks (~3 %) told to parents at once

    @property
    def parents(self) -> float:
        return self.pupils * self.parent_link_share / self.children_per_parent


def per_week(s: School, per_child_weekly: bool = False) -> dict[str, float]:
    """Messages a week for one school, per outbox kind (the digest per parent, or per child as before)."""
    weekly_parents = s.pupils * s.parent_link_share if per_child_weekly else s.parents
    return {
        "lessons": s.teachers * s.teachers_with_gaps * SCHOOL_DAYS_A_WEEK,
        "class_daily": s.classes * s.classes_with_gaps * SCHOOL_DAYS_A_WEEK,
        "class_weekly": s.classes * s.classes_with_gaps,
        "summatives": s.teachers * s.summative_bundles * SCHOOL_DAYS_A_WEEK,
        "term_end": (s.teachers + s.classes) / WEEKS_A_TERM,
        "head_summary": s.heads * 2 * 12 / 52,
        "data_check": s.classes / WEEKS_A_TERM,
        "course": s.teachers * s.not_passed_course,
        "parent_weekly": weekly_parents,
        "parent_alert": s.pupils * s.parent_link_share * s.alerts_per_pupil_day * SCHOOL_DAYS_A_WEEK,
    }


def busiest_day(week: dict[str, float], spread_weekly: bool) -> float:
    """The busiest day's messages: school-day kinds over 5 days; the parents' summary over 7 days when spread
    by school (domain.reminders.summary_weekday), else all on one day (the old Saturday default)."""
    daily = sum(n for k, n in week.items() if k != "parent_weekly") / SCHOOL_DAYS_A_WEEK
    weekly = week["parent_weekly"] / 7 if spread_weekly else week["parent_weekly"]
    return daily + weekly


def hours_at(messages: float, rate: float) -> float:
    return messages / rate / 3600


def paid_stars(messages: float, rate: float) -> tuple[float, float]:
    """(lower, upper) Stars for sending `messages` at `rate` with paid broadcasts: only the share above the free
    30/s is charged (bots FAQ), or every message sent with the flag (Bot API's wording)."""
    above = max(0.0, 1 - FREE_RATE / rate) * messages
    return above * STAR_PER_PAID_MESSAGE, messages * STAR_PER_PAID_MESSAGE


def report(schools: int, school: School, rate: float, paid_rate: float) -> list[str]:
    week = {k: v * schools for k, v in per_week(school).items()}
    old = {k: v * schools for k, v in per_week(school, per_child_weekly=True).items()}
    budget = rate * 3600 * SEND_HOURS
    lines = [f"{schools:,} schools: {school.teachers * schools:,} teachers, {school.pupils * schools:,} pupils, "
             f"{school.parents * schools:,.0f} parents on the bot; rate {rate:g}/s = {budget:,.0f} messages "
             f"in the {SEND_HOURS} sending hours of a day",
             "", "| kind | a school day | a week | hours a week at the rate |", "|---|---:|---:|---:|"]
    for kind, n in week.items():
        day = n / 7 if kind == "parent_weekly" else n / SCHOOL_DAYS_A_WEEK
        lines.append(f"| {kind} | {day:,.0f} | {n:,.0f} | {hours_at(n, rate):,.1f} |")
    total = sum(week.values())
    lines.append(f"| **all** | | **{total:,.0f}** | **{hours_at(total, rate):,.1f}** |")
    lines.append("")
    for label, wk, spread in (("before: a summary per child, every school on Saturday", old, False),
                              ("now: one digest per parent, spread over the week by school", week, True)):
        day = busiest_day(wk, spread)
        lines.append(f"- busiest day, {label}: {day:,.0f} messages = {hours_at(day, rate):.1f} h at {rate:g}/s "
                     f"({day / budget * 100:.0f} % of the day's budget)")
    day = busiest_day(week, True)
    low, high = paid_stars(day, paid_rate)
    lines.append(f"- with paid broadcasts at {paid_rate:g}/s the busiest day takes {hours_at(day, paid_rate) * 60:.0f} "
                 f"min and costs {low:,.0f}–{high:,.0f} Stars (0.1 Star a message above 30/s, or every message)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, nargs="+", default=[1, 1000, 10_000])
    parser.add_argument("--teachers", type=int, default=School.teachers)
    parser.add_argument("--classes", type=int, default=School.classes)
    parser.add_argument("--pupils", type=int, default=School.pupils)
    parser.add_argument("--rate", type=float, default=29.0, help="BROADCAST_RATE")
    parser.add_argument("--paid-rate", type=float, default=1000.0, help="with PAID_BROADCAST (up to 1,000/s)")
    args = parser.parse_args()
    school = School(teachers=args.teachers, classes=args.classes, pupils=args.pupils)
    for n in args.schools:
        print("\n".join(report(n, school, args.rate, args.paid_rate)), end="\n\n")


if __name__ == "__main__":
    main()
