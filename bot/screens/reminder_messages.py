"""Reminders worded at send time, in the recipient's locale: the payload holds ids and dates, and each
renderer checks the facts again through the repository (a lesson filled since planning is left out).
usecases.reminder_planner plans the rows; bot.services.outbox sends what these return."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.courses import course_text
from bot.formatting import fmt_date, fmt_percent, mark_text, summative_names
from bot.keyboards.common import MenuCB
from bot.keyboards.journal import LessonAct, LessonCB
from bot.keyboards.parents import ChildAct, ChildCB
from bot.keyboards.reminders import RemindAct, RemindCB
from bot.screens.parents import week_text
from bot.services.outbox import Rendered
from domain.journal import MIN_TERM_GRADES
from domain.reminders import filling_percent
from storage.models import JournalMark, School, SchoolClass, Staff, Student, Subject, Summative, Term
from storage.repositories import reminders as repo
from usecases import parents
from usecases.reminder_context import MAX_LISTED
from usecases.uow import UnitOfWork

#: Telegram's limit for a message's text is 4,096 characters; a digest of many children is cut before it.
TEXT_LIMIT = 4000

Render = Callable[[AsyncSession, int, dict], Awaitable[Rendered | None]]


async def render(session: AsyncSession, kind: str, payload: dict, user_id: int) -> Rendered | None:
    renderer = RENDERERS.get(kind)
    if renderer is None:
        raise ValueError(f"no renderer for outbox kind {kind!r}")
    return await renderer(session, user_id, payload)


def _settings_button(kind: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("🔔 Reminder settings"), callback_data=RemindCB(a=RemindAct.see, k=kind).pack())


def _more(lines: list[str], total: int) -> list[str]:
    if total > MAX_LISTED:
        lines.append(_("… and {n} more").format(n=total - MAX_LISTED))
    return lines


async def render_lessons(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    """The teacher's unfilled lessons, checked again now: lessons filled since planning are left out."""
    day = date.fromisoformat(p["day"])
    wanted_grades = {tt: bool(no_grades) for tt, _att, no_grades in p["items"]}
    missing = []
    for tt, period, klass, subject, taken, graded in await repo.slots_with_state(session, list(wanted_grades), day):
        no_att, no_grades = not taken, wanted_grades[tt] and not graded
        if no_att or no_grades:
            missing.append((tt, period, klass, subject, no_att, no_grades))
    if not missing:
        return None
    lines = [ngettext("📝 {date}: {n} lesson is not filled in yet.", "📝 {date}: {n} lessons are not filled in yet.",
                      len(missing)).format(date=fmt_date(day, fmt="EEEE, d MMMM"), n=len(missing))]
    kb = InlineKeyboardBuilder()
    for tt, period, klass, subject, no_att, no_grades in missing[:MAX_LISTED]:
        what = (_("no attendance, no grades") if no_att and no_grades
                else _("no attendance") if no_att else _("no grades"))
        lines.append(_("• {klass} · {subject}, lesson {period}: {what}").format(
            klass=klass, subject=subject, period=period, what=what))
        kb.row(InlineKeyboardButton(text=_("✍️ {klass} · {subject}").format(klass=klass, subject=subject),
                                    callback_data=LessonCB(a=LessonAct.open, t=tt, d=day.toordinal()).pack()))
    kb.row(_settings_button("lessons"))
    return Rendered("\n".join(_more(lines, len(missing))), kb.as_markup())


async def _tally_lines(session: AsyncSession, items: list[list[int]]) -> list[str]:
    subjects = await repo.names(session, Subject, {i[0] for i in items})
    teachers = await repo.names(session, Staff, {i[1] for i in items if i[1]})
    lines = []
    for subject, teacher, lessons, no_att, no_grades in items[:MAX_LISTED]:
        lines.append(_("• {subject} — {teacher}: {lessons} (no attendance {att}, no grades {grades})").format(
            subject=subjects.get(subject, "?"), teacher=teachers.get(teacher, "—"), lessons=lessons, att=no_att,
            grades=no_grades))
    return _more(lines, len(items))


async def render_class_daily(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    klass = await session.get(SchoolClass, p["cls"])
    if klass is None:
        return None
    total = sum(i[2] for i in p["items"])
    head = ngettext("📋 {klass}, {date}: {n} lesson is not filled in.", "📋 {klass}, {date}: {n} lessons are not "
                    "filled in.", total).format(klass=klass.name, date=fmt_date(date.fromisoformat(p["day"]),
                                                                                   fmt="d MMMM"), n=total)
    kb = InlineKeyboardMarkup(inline_keyboard=[[_settings_button("class_daily")]])
    return Rendered("\n".join([head, *await _tally_lines(session, p["items"])]), kb)


async def render_class_weekly(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    klass = await session.get(SchoolClass, p["cls"])
    if klass is None:
        return None
    total = sum(i[2] for i in p["items"])
    head = ngettext("📋 {klass}, week from {date}: {n} lesson is not filled in.",
                    "📋 {klass}, week from {date}: {n} lessons are not filled in.", total).format(
        klass=klass.name, date=fmt_date(date.fromisoformat(p["week"]), fmt="d MMMM"), n=total)
    kb = InlineKeyboardMarkup(inline_keyboard=[[_settings_button("class_weekly")]])
    return Rendered("\n".join([head, *await _tally_lines(session, p["items"])]), kb)


def summative_label(kind: str, country: str) -> str:
    """The summative's short name as the school's country says it (BSB/ChSB, СОР/СОЧ, БЖБ/ТЖБ), in whatever
    language the recipient reads (issue #10: never the interface language's own term)."""
    section, term = summative_names(country)
    return section if kind == "section" else term


def _summative_line(summative: Summative, klass: str, subject: str, country: str, day: date, overdue: bool) -> str:
    what = summative_label(summative.kind, country)
    if summative.title and what not in summative.title:
        what = f"{summative.title} ({what})"
    values = {"what": what, "klass": klass, "subject": subject, "date": fmt_date(summative.due_on, fmt="d MMMM")}
    days = (summative.due_on - day).days
    if overdue:
        return _("• {what}, {klass} · {subject}: was due on {date}").format(**values)
    if days <= 0:
        return _("• {what}, {klass} · {subject}: due today").format(**values)
    return ngettext("• {what}, {klass} · {subject}: in {n} day, on {date}",
                    "• {what}, {klass} · {subject}: in {n} days, on {date}", days).format(n=days, **values)


async def render_summatives(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    """Summatives due soon or overdue, one line each; days are counted from the day of planning."""
    day = date.fromisoformat(p["day"])
    stages = dict((sid, stage) for sid, stage in p["items"])
    rows = await repo.summatives_named(session, list(stages))
    if not rows:
        return None
    coming, overdue = [], []
    for summative, klass, subject, country in rows:
        late = stages[summative.id].startswith("o")
        (overdue if late else coming).append(_summative_line(summative, klass, subject, country, day, late))
    lines: list[str] = []
    if coming:
        lines += [_("⏰ Summatives coming up: enter the results in the journal on time."), *coming[:MAX_LISTED]]
        _more(lines, len(coming))
    if overdue:
        if lines:
            lines.append("")
        lines += [_("⚠️ Results not in the journal yet:"), *overdue[:MAX_LISTED]]
        _more(lines, len(overdue))
    return Rendered("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[[_settings_button("deadlines")]]))


async def render_term_end(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    term = await session.get(Term, p["term"])
    if term is None:
        return None
    classes = await repo.names(session, SchoolClass, {i[0] for i in p["items"]})
    subjects = await repo.names(session, Subject, {i[1] for i in p["items"]})
    lines = [_("📅 Term {number} ends on {date}.").format(number=term.number,
                                                        date=fmt_date(term.ends_on, fmt="d MMMM")),
             _("Students short of the grades a term mark needs (more for a subject with more lessons a week):")]
    for cid, subject, n, *need in p["items"][:MAX_LISTED]:
        lines.append(ngettext("• {klass} · {subject}: {n} student with fewer than {min} grades",
                              "• {klass} · {subject}: {n} students with fewer than {min} grades", n).format(
            klass=classes.get(cid, "?"), subject=subjects.get(subject, "?"), n=n,
            min=need[0] if need else MIN_TERM_GRADES))
    return Rendered("\n".join(_more(lines, len(p["items"]))),
                    InlineKeyboardMarkup(inline_keyboard=[[_settings_button("deadlines")]]))


async def render_data_check(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    """Seed 001: class teachers keep pupils' and parents' data current, at least once a quarter. Counted now:
    pupils, and pupils whose parents have not connected to the bot (their phone may be wrong or missing)."""
    term = await session.get(Term, p["term"])
    counts = await repo.class_data_counts(session, p["classes"])
    if term is None or not counts:
        return None
    lines = [_("📇 Term {number}: please check your class's data — pupils' names and parents' phone numbers.").format(
        number=term.number)]
    for name, pupils, unlinked in counts:
        lines.append(ngettext("• {klass}: {pupils} pupils, {n} without a parent connected to the bot",
                              "• {klass}: {pupils} pupils, {n} without parents connected to the bot",
                              unlinked).format(klass=name, pupils=pupils, n=unlinked))
    kb = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("🏫 My class"), callback_data=MenuCB(to="class").pack())],
        [_settings_button("data_check")]])
    return Rendered("\n".join(lines), kb)


async def render_head_summary(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    school = await session.get(School, p["school"])
    if school is None:
        return None
    expected, unfilled = p["expected"], p["unfilled"]
    lines = [_("📊 Journal filling, {school}, {start} – {end}:").format(
                school=school.name, start=fmt_date(date.fromisoformat(p["start"]), fmt="d MMM"),
                end=fmt_date(date.fromisoformat(p["end"]), fmt="d MMM")),
             _("{percent} of {expected} lessons complete.").format(
                percent=fmt_percent(filling_percent(expected, unfilled)), expected=expected),
             _("No attendance: {att} · no grades: {grades}").format(att=p["no_att"], grades=p["no_grades"])]
    if p["worst"]:
        names = await repo.names(session, Staff, {w[0] for w in p["worst"] if w[0]})
        lines += ["", _("Most unfilled lessons:")]
        lines += [f"• {names.get(staff_id, '—')}: {n}" for staff_id, n in p["worst"]]
    return Rendered("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[[_settings_button("head_summary")]]))


async def render_course(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    text = course_text(p["course"])
    total = len(text.lessons)
    body = _("📚 «{title}»: {done} of {total} lessons done. A few minutes a day is enough; the exam can be taken "
             "at any time.").format(title=text.title, done=min(p["done"], total), total=total)
    kb = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("📚 Continue the course"), callback_data=MenuCB(to="course").pack())],
        [InlineKeyboardButton(text=_("🔕 No more of these"),
                              callback_data=RemindCB(a=RemindAct.off, k="course").pack())],
    ])
    return Rendered(body, kb)


async def _still_parent(session: AsyncSession, user_id: int, student_id: int) -> bool:
    return student_id in await repo.linked_children(session, user_id, [student_id])


async def render_parent_weekly(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    """One digest for all the parent's children still linked (older rows name one "student")."""
    wanted = p.get("students") or [p["student"]]
    linked = await repo.linked_children(session, user_id, wanted)
    kids = [s for s in wanted if s in linked]
    if not kids:
        return None
    week = date.fromisoformat(p["week"])
    uow = UnitOfWork.over(session)
    text = "\n\n".join([week_text(await parents.week_on(uow, user_id, student, week)) for student in kids])
    if len(text) > TEXT_LIMIT:
        text = text[:TEXT_LIMIT - 1] + "…"
    names = await repo.names(session, Student, set(kids))
    rows = [[InlineKeyboardButton(text=f"👧 {names.get(s, '?')}", callback_data=ChildCB(a=ChildAct.card, s=s).pack())]
            for s in kids]
    return Rendered(text, InlineKeyboardMarkup(inline_keyboard=[*rows, [_settings_button("parent_weekly")]]))


async def render_parent_alert(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    """Checked again now: a mark corrected since (absence undone, grade changed) is not reported."""
    mark = await session.get(JournalMark, p["mark"])
    if mark is None or not await _still_parent(session, user_id, p["student"]):
        return None
    if (p["absent"] and mark.attendance != "absent") or (not p["absent"] and mark.grade != p["grade"]):
        return None
    student = await session.get(Student, p["student"])
    subject = await session.get(Subject, p["subject"])
    values = {"name": student.full_name if student else "?", "subject": subject.name if subject else "?",
              "date": fmt_date(date.fromisoformat(p["day"]), fmt="d MMMM")}
    if p["absent"]:
        text = _("⚠️ {name} was absent from {subject} on {date}.").format(**values)
    else:
        # A Kazakh summative reads "SOR 7/20 (35 %)", never "grade 35" (domain.grading.is_low_mark).
        school = await session.get(School, student.school_id) if student else None
        grade = mark_text(school.country if school else "UZ", mark.grade, mark.kind, mark.points, mark.max_points)
        text = _("⚠️ {name}: grade {grade} in {subject} on {date}.").format(grade=grade, **values)
    kb = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("👧 Open"), callback_data=ChildCB(a=ChildAct.card, s=p["student"]).pack())],
        [_settings_button("parent_alerts")]])
    return Rendered(text, kb)


RENDERERS: dict[str, Render] = {
    "lessons": render_lessons,
    "class_daily": render_class_daily,
    "class_weekly": render_class_weekly,
    "summatives": render_summatives,
    "term_end": render_term_end,
    "head_summary": render_head_summary,
    "data_check": render_data_check,
    "course": render_course,
    "parent_weekly": render_parent_weekly,
    "parent_alert": render_parent_alert,
}
