"""A parent's page of one child as JSON: what the chat's screens of that child show (bot/screens/parents.py), in
the reader's language: the week with its averages by subject and (Kazakhstan) the summatives' per cent, earlier
weeks as far back as the chat goes, the term's attendance with and without a reason, marks, forecast and the
term grades with the half-year and year marks they make, the latest homework.

Called inside the reader's locale (`api.child`), so the chat's formatting helpers speak it."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram.utils.i18n import gettext as _

from bot.formatting import fmt_date, fmt_number, fmt_percent, mark_text, summative_names
from bot.screens.parents import PERIOD_ORDER
from bot.screens.parents import _period_label as period_label
from domain.grading import half_year_and_year, scale_top, school_year_start
from domain.journal import MarkRow
from usecases.parents import ChildView, SubjectTerm


def child_json(view: ChildView, lang: str) -> dict:
    end = view.week_start + timedelta(days=6)
    earlier = view.week_start - timedelta(days=7)
    return {
        "id": view.id, "name": view.name, "class_name": view.class_name, "school_name": view.school_name,
        "country": view.country, "top": scale_top(view.country), "week_start": view.week_start.isoformat(),
        "range": f"{fmt_date(view.week_start, lang, 'd MMM')} – {fmt_date(end, lang, 'd MMM')}",
        "earlier": earlier.isoformat() if view.oldest_week is None or earlier >= view.oldest_week else None,
        "later": (view.week_start + timedelta(days=7)).isoformat() if end < view.today else None,
        **_week(view, lang), **_term(view, lang),
        "homework_date": fmt_date(view.homework_day, lang, "EEEE d MMM") if view.homework_day else None,
        "homework": [{"subject": s, "text": h} for s, h in view.homework],
    }


def _mark(row: MarkRow, country: str) -> dict:
    return {"grade": row.grade, "kind": row.kind, "points": row.points, "max_points": row.max_points,
            "text": mark_text(country, row.grade, row.kind, row.points, row.max_points) if row.grade is not None
            else None}


def _week(view: ChildView, lang: str) -> dict:
    days: dict[str, dict] = {}
    for row in view.week:
        entry = days.setdefault(row.day.isoformat(), {"label": fmt_date(row.day, lang, "EEE d MMM"), "items": []})
        entry["items"].append({"subject": row.subject, "attendance": row.attendance, **_mark(row, view.country)})
    names = "/".join(summative_names(view.country))
    averages = []
    for subject in sorted(set(view.week_averages) | set(view.week_percents)):
        parts = [fmt_number(view.week_averages[subject], lang)] if subject in view.week_averages else []
        if subject in view.week_percents:
            parts.append(f"{names} {fmt_percent(view.week_percents[subject], lang)}")
        averages.append({"subject": subject, "text": " · ".join(parts)})
    points = _("{names}: {percent} of the points").format(
        names=names, percent=fmt_percent(view.week_overall_percent, lang)) \
        if view.week_overall_percent is not None else None
    return {"days": [days[key] for key in sorted(days)], "week_averages": averages, "week_points": points,
            "average": fmt_number(view.week_overall, lang) if view.week_overall is not None else "—",
            "absent": view.week_absences, "late": view.week_late}


def _term(view: ChildView, lang: str) -> dict:
    grades = term_grades(view.term_grade_rows, view.terms, view.today)
    subjects = [_subject(s, lang, view.country, grades.pop(s.subject, [])) for s in view.subjects]
    subjects += [{"subject": subject, "average": None, "average_text": "—", "marks": [], "forecast": None,
                  "forecast_text": "—", "term_grades": rest} for subject, rest in sorted(grades.items())]
    return {"term": view.term_number, "term_lessons": view.term_lessons, "term_missed": view.term_missed,
            "term_late": view.term_late, "term_excused": view.term_excused, "term_unexcused": view.term_unexcused,
            "any_term_grades": bool(view.term_grade_rows), "subjects": subjects}


def _subject(s: SubjectTerm, lang: str, country: str, grades: list[list]) -> dict:
    forecast = "—" if s.forecast is None else str(s.forecast)
    if s.forecast is not None and s.forecast_percent is not None:
        forecast += f" ({fmt_percent(s.forecast_percent, lang)})"
    return {"subject": s.subject, "average": s.average,
            "average_text": fmt_number(s.average, lang) if s.average is not None else "—",
            "marks": [{"day": fmt_date(m.day, lang, "d MMM"), **_mark(m, country)} for m in s.marks],
            "forecast": s.forecast, "forecast_text": forecast, "term_grades": grades}


def term_grades(rows: list[tuple[str, str, int]], terms: list[tuple[int, date, date]], today: date
                ) -> dict[str, list[list]]:
    """Per subject, [label, grade] of each term grade, then the half-year and year marks set or made from them;
    this school year's periods without their year ("T1"), another year's with it."""
    year = school_year_start(today)
    current = f"{year}-{year + 1}/"
    by_subject: dict[str, dict[str, int]] = {}
    for subject, period, grade in rows:
        by_subject.setdefault(subject, {})[period.removeprefix(current)] = grade
    result = {}
    for subject, grades in by_subject.items():
        made = half_year_and_year({int(code[1:]): g for code, g in grades.items()
                                   if code[:1] == "T" and code[1:].isdigit()}, terms, today)
        grades = {**made, **grades}
        order = sorted(grades, key=lambda code: ("/" in code, PERIOD_ORDER.get(code[:1], 3), code))
        result[subject] = [[period_label(code), grades[code]] for code in order]
    return result
