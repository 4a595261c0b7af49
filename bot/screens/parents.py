"""What a parent sees about their children, in the current locale: pure functions from the parents' use
cases' views (usecases/parents.py) to a text and its keyboard. The weekly digest reuses `week_text`."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.formatting import N_, fmt_date, fmt_number, fmt_percent, line_start, mark_text, summative_names
from bot.keyboards.common import MenuCB, back_button, menu_button, nav_row
from bot.keyboards.parents import ChildAct, ChildCB
from documents.charts import Bar, bar_chart, stack_charts
from domain.grading import Mark, half_year_and_year, is_percent_kind, scale_top, school_year_start, term_grade
from domain.grading import weighted_term_percent as term_percent
from domain.journal import AttendanceSummary, MarkRow, WeekSummary
from usecases.parents import Child, ChildAttendance, ChildChart, ChildHomework, ChildTerms, ChildWeek

Screen = tuple[str, InlineKeyboardMarkup]

ATTENDANCE_ICONS = {"absent": "✗", "excused": "🤒", "late": "⏰"}
#: The card's buttons, two a row (translated when shown).
CARD_BUTTONS = ((ChildAct.week, N_("📅 This week")), (ChildAct.attendance, N_("🚫 Attendance")),
                (ChildAct.terms, N_("📊 Term grades")), (ChildAct.homework, N_("📝 Homework")),
                (ChildAct.chart, N_("📈 Grades chart")))


def _back_to_card(child_id: int, *rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """`rows`, then Back (to the child's card) and Menu: the markup built at once (a builder deep-copies its
    buttons on every add and again for the markup)."""
    nav = [back_button(ChildCB(a=ChildAct.card, s=child_id).pack()), menu_button()]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, nav])


def children_screen(children: list[Child]) -> Screen:
    """The list of the parent's children (or how to link one), each opening its card."""
    kb = InlineKeyboardBuilder()
    for child in children:
        kb.button(text=f"{child.name} · {child.class_name}", callback_data=ChildCB(a=ChildAct.card, s=child.id))
    kb.button(text=_("➕ Add a child"), callback_data=MenuCB(to="addkid"))  # Back: here
    kb.adjust(1)
    if not children:
        return _("No children are linked to you yet. Ask the class teacher for a code."), nav_row(kb).as_markup()
    return _("Your children:"), nav_row(kb).as_markup()


def card_screen(child: Child) -> Screen:
    kb = InlineKeyboardBuilder()
    for act, label in CARD_BUTTONS:
        kb.button(text=_(label), callback_data=ChildCB(a=act, s=child.id))
    kb.adjust(2)
    return f"{child.name}\n{child.class_name} · {child.school_name}", \
        nav_row(kb, MenuCB(to="kids").pack()).as_markup()


def week_screen(view: ChildWeek) -> Screen:
    """The week with ◀️ and (in a past week) ▶️ to page through weeks."""
    row = [InlineKeyboardButton(text=_("◀️ Previous week"), callback_data=ChildCB(
        a=ChildAct.week, s=view.child.id, w=view.offset - 1).pack())]
    if view.offset < 0:
        row.append(InlineKeyboardButton(text=_("Next week ▶️"), callback_data=ChildCB(
            a=ChildAct.week, s=view.child.id, w=view.offset + 1).pack()))
    return week_text(view), _back_to_card(view.child.id, row)


def week_text(view: ChildWeek) -> str:
    child = view.child
    return render_week(child.name, child.class_name, view.start, view.summary, child.country)


def summatives_label(country: str) -> str:
    return "/".join(summative_names(country))


def render_week(name: str, class_name: str, start: date, summary: WeekSummary, country: str = "UZ") -> str:
    """Key figures first: the marks' average, absences, and (Kazakhstan) the summatives' per cent apart."""
    lines = _week_head(name, class_name, start, summary, country)
    if not summary.days:
        return "\n".join([*lines, "", _("No grades or absences this week.")])
    return "\n".join(lines + _week_days(summary, country) + _week_averages(summary, country))


def _week_head(name: str, class_name: str, start: date, summary: WeekSummary, country: str) -> list[str]:
    end = start + timedelta(days=6)
    lines = [_("{name}, {klass} · {start} – {end}").format(
        name=name, klass=class_name, start=fmt_date(start, fmt="d MMM"), end=fmt_date(end, fmt="d MMM"))]
    overall = fmt_number(summary.overall) if summary.overall is not None else "—"
    lines.append(_("Average {average} · absent {absent} · late {late}").format(
        average=overall, absent=summary.absences, late=summary.late))
    if summary.overall_percent is not None:
        lines.append(_("{names}: {percent} of the points").format(
            names=summatives_label(country), percent=fmt_percent(summary.overall_percent)))
    return lines


def _week_days(summary: WeekSummary, country: str) -> list[str]:
    """A line per day with its marks and absences; the symbols explained once, if any."""
    lines, icons = [], False
    for day, rows in sorted(summary.days.items()):
        items = []
        for row in rows:
            if row.grade is not None:
                items.append(_row_text(row, country))
            if row.attendance in ATTENDANCE_ICONS:
                items.append(f"{ATTENDANCE_ICONS[row.attendance]} {row.subject}")
                icons = True
        if items:
            lines += ["", f"{line_start(fmt_date(day, fmt='EEE d MMM'))}: " + "; ".join(items)]
    return lines + (["", attendance_legend()] if icons else [])


def _week_averages(summary: WeekSummary, country: str) -> list[str]:
    subjects = sorted(set(summary.averages) | set(summary.percents))
    if not subjects:
        return []
    lines = ["", _("Averages by subject:")]
    for subject in subjects:
        parts = [fmt_number(summary.averages[subject])] if subject in summary.averages else []
        if subject in summary.percents:
            parts.append(f"{summatives_label(country)} {fmt_percent(summary.percents[subject])}")
        lines.append(f"• {subject}: " + " · ".join(parts))
    return lines


def _row_text(row: MarkRow, country: str) -> str:
    return f"{row.subject} {mark_text(country, row.grade, row.kind, row.points, row.max_points)}"


def attendance_legend() -> str:
    """The week's symbols, explained once."""
    return _("✗ absent · 🤒 absent with a reason · ⏰ late")


def attendance_screen(view: ChildAttendance) -> Screen:
    if view.term is None or view.summary is None:
        return _("The school has not set its terms yet."), _back_to_card(view.child.id)
    return render_attendance(view.child.name, view.term, view.summary), _back_to_card(view.child.id)


def render_attendance(name: str, term_no: int, summary: AttendanceSummary) -> str:
    return "\n".join([
        _("{name} · term {term}: missed {missed} of {lessons} lessons").format(
            name=name, term=term_no, missed=summary.missed, lessons=summary.lessons),
        _("• absent with a reason: {n}").format(n=summary.absent_excused),
        _("• absent without a reason: {n}").format(n=summary.absent_unexcused),
        _("• late: {n}").format(n=summary.late),
    ])


def terms_screen(view: ChildTerms) -> Screen:
    return terms_text(view), _back_to_card(view.child.id)


def terms_text(view: ChildTerms) -> str:
    """Term grades set by the school with the half-year and year marks they make (seed 001), and the
    current term's forecast from the marks so far (Kazakhstan: marks and points kept apart)."""
    lines = [_("{name}: term grades").format(name=view.child.name)]
    lines += term_grade_lines(view.grades, view.terms, view.today)
    if not view.grades:
        lines.append(_("No term grades have been set yet."))
    if view.term is not None:
        lines += forecast_lines(view.child.country, view.term, view.term_marks)
    return "\n".join(lines)


#: Terms, then half-years, then the year ("2025-2026/T1" is stored as such; the current year's prefix is dropped).
PERIOD_ORDER = {"T": 0, "H": 1, "Y": 2}


def _period_label(code: str) -> str:
    if code.startswith("H") and code[1:].isdigit():
        return _("half-year {n}").format(n=code[1:])
    if code == "Y":
        return _("year")
    return code


def term_grade_lines(rows: list[tuple[str, str, int]], terms: list[tuple[int, date, date]], today: date) -> list[str]:
    """One line per subject: its term grades, then the half-year and year marks, set or computed from them."""
    year = school_year_start(today)
    label = f"{year}-{year + 1}/"
    by_subject: dict[str, dict[str, int]] = {}
    for subject, period, grade in rows:
        by_subject.setdefault(subject, {})[period.removeprefix(label)] = grade
    lines = []
    for subject, grades in by_subject.items():
        term_marks = {int(code[1:]): g for code, g in grades.items() if code[:1] == "T" and code[1:].isdigit()}
        for code, grade in half_year_and_year(term_marks, terms, today).items():
            grades.setdefault(code, grade)
        order = sorted(grades, key=lambda c: ("/" in c, PERIOD_ORDER.get(c[:1], 3), c))  # other years last
        lines.append(f"• {subject} — " + ", ".join(f"{_period_label(code)}: {grades[code]}" for code in order))
    return lines


def forecast_lines(country: str, term_no: int, rows: list[MarkRow]) -> list[str]:
    """The term mark the marks so far point to, per subject; with the weighted per cent where the country
    computes the term mark so (Kazakhstan: ФО 25 % + СОР 25 % + СОЧ 50 %, summatives as points over maximum)."""
    marks: dict[str, list[Mark]] = {}
    for row in rows:
        if row.grade is not None:
            marks.setdefault(row.subject, []).append(Mark(row.grade, row.kind, row.points, row.max_points))
    if not marks:
        return []
    count = sum(len(v) for v in marks.values())  # "forecast from 17 grades", not "forecast: 17"
    lines = ["", ngettext("Term {term} so far (forecast from {n} grade):",
                          "Term {term} so far (forecast from {n} grades):", count).format(term=term_no, n=count)]
    for subject, values in sorted(marks.items()):
        grade = term_grade(country, values)
        if grade is None:
            continue
        percent = term_percent(country, values) if any(is_percent_kind(country, m.kind) for m in values) else None
        lines.append(f"• {subject}: {grade}" + (f" ({fmt_percent(percent)})" if percent is not None else ""))
    return lines


def homework_screen(view: ChildHomework) -> Screen:
    name = view.child.name
    if view.day is None:
        return _("{name}: no homework in the journal yet.").format(name=name), _back_to_card(view.child.id)
    lines = [_("{name}: homework set on {date}").format(name=name, date=fmt_date(view.day, fmt="EEEE d MMM"))]
    lines += [f"• {subject}: {text}" for subject, text in view.items]
    return "\n".join(lines), _back_to_card(view.child.id)


def chart_photo(view: ChildChart) -> tuple[bytes, str, InlineKeyboardMarkup]:
    """The chart as a PNG, its caption and Back to the card."""
    child = view.child
    return (week_chart(child.name, view.summary, child.country),
            chart_caption(child.name, child.class_name, view.summary, child.country), _back_to_card(child.id))


def chart_series(summary: WeekSummary, country: str) -> list[tuple[bool, list[Bar], float]]:
    """(per cents?, bars, axis end) per scale: the marks' averages on the country's scale (5, or 10 in
    Kazakhstan) and, apart, the summatives' per cents on 0–100 — never one axis for both."""
    series = []
    if summary.averages or not summary.percents:
        series.append((False, [Bar(subject, avg, fmt_number(avg)) for subject, avg in summary.averages.items()],
                       float(scale_top(country))))
    if summary.percents:
        series.append((True, [Bar(subject, pct, fmt_percent(pct)) for subject, pct in summary.percents.items()],
                       100.0))
    return series


def week_chart(name: str, summary: WeekSummary, country: str) -> bytes:
    """The chart a parent gets: one panel per scale, stacked in one picture."""
    panels = []
    for percents, bars, top in chart_series(summary, country):
        subtitle = _("{names}: per cent of the points, last 4 weeks").format(names=summatives_label(country)) \
            if percents else _("Average grade by subject, last 4 weeks")
        title = summatives_label(country) if panels else name
        panels.append(bar_chart(bars, title=title, subtitle=subtitle, horizontal=True, max_value=top))
    return stack_charts(panels)


def chart_caption(name: str, class_name: str, summary: WeekSummary, country: str) -> str:
    average = fmt_number(summary.overall) if summary.overall is not None else "—"
    caption = _("{name}, {klass}: average {average}").format(name=name, klass=class_name, average=average)
    if summary.overall_percent is not None:
        caption += " · " + _("{names}: {percent} of the points").format(
            names=summatives_label(country), percent=fmt_percent(summary.overall_percent))
    return caption
