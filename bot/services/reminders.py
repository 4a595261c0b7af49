"""Reminders: planning (which outbox rows to create now, per school, at the school-local hour) and
rendering (each row's text, at send time, in the recipient's language; the payload holds ids and dates).

Outbox kinds and the user setting (domain.reminders.KINDS) that governs them: lessons, class_daily,
class_weekly, head_summary, course, parent_weekly as named; summatives (a bundle of "summative" items) and
term_end under "deadlines"; parent_alert under "parent_alerts".

A planning pass walks the schools grouped by time zone, a chunk of schools at a time, with a few
set-based queries per chunk. Each step runs at most once per school-local hour in a process, and after its
first run of the day considers only the users whose hour came since (an in-memory memo, a pure
optimisation: after a restart everyone due is considered again). Exactly-once rests on the outbox keys
alone, so a restart, a second instance or a retried pass plans nothing twice. A user who moves their hour
to one that has passed today is reminded from the next day.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfoNotFoundError

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.courses import MAIN_COURSE, course_text
from bot.formatting import fmt_date, fmt_percent
from bot.keyboards.common import MenuCB
from bot.keyboards.journal import ChildCB, LessonCB
from bot.keyboards.reminders import RemindCB
from bot.services.outbox import Rendered
from domain.journal import MIN_TERM_GRADES, low_grade
from domain.reminders import (
    KINDS,
    SUMMATIVE_EARLY_RESULTS_DAYS,
    SUMMATIVE_MAX_OVERDUE,
    LessonGap,
    PlannedMessage,
    QuietWindow,
    SchoolCalendar,
    class_gets_marks,
    effective,
    filling_percent,
    half_month,
    is_due,
    iso_week,
    lesson_gaps,
    local_time,
    students_short_of_grades,
    summative_has_results,
    summative_stage,
    tally_by,
    term_end_approaching,
    week_covered,
)
from storage.models import JournalMark, ParentLink, School, SchoolClass, Staff, Student, Subject, Summative, Term
from storage.repositories import outbox as outbox_repo
from storage.repositories import reminders as repo
from storage.repositories.reminders import ClassInfo, SchoolInfo, StaffUser

log = logging.getLogger(__name__)

#: Parents' instant notices: marks changed since the previous pass (less this overlap, for commits that
#: landed late), or within ALERT_LOOKBACK after a restart. A longer outage loses notices, never repeats one.
ALERT_LOOKBACK = timedelta(hours=2)
ALERT_OVERLAP = timedelta(minutes=10)
ALERT_LESSON_DAYS = 3
#: Finished outbox rows are kept this long, then purged.
OUTBOX_RETENTION = timedelta(days=30)
MAX_LISTED = 12


def quiet_window(settings) -> QuietWindow:
    return QuietWindow(settings.quiet_start_hour, settings.quiet_end_hour)


# --- planning ---------------------------------------------------------------------------------------------


@dataclass
class PlanContext:
    """One chunk of schools of one time zone at one moment, with lazily loaded shared data."""

    session: AsyncSession
    now: datetime
    local: datetime
    schools: dict[int, SchoolInfo]
    calendars: dict[int, SchoolCalendar]
    lead_days: tuple[int, ...]
    quiet: QuietWindow
    alerts_since: datetime | None = None
    #: The school-local hour at which the running step last ran today in this process (None: not yet, so
    #: everyone due is considered; else only those whose hour came since, the others were seen before).
    since_hour: int | None = None
    _staff: dict[int, StaffUser] | None = None
    _classes: dict[int, ClassInfo] | None = None
    _teachers: dict[tuple[int, int], set[int]] | None = None

    @property
    def today(self) -> date:
        return self.local.date()

    @property
    def tz(self) -> str:
        return next(iter(self.schools.values())).timezone

    def open_schools(self, day: date | None = None) -> list[int]:
        """Schools for which `day` (default today) is a school day."""
        day = day or self.today
        return [sid for sid, cal in self.calendars.items() if cal.is_school_day(day)]

    async def staff(self) -> dict[int, StaffUser]:
        if self._staff is None:
            self._staff = await repo.staff_users(self.session, list(self.schools))
        return self._staff

    async def classes(self) -> dict[int, ClassInfo]:
        if self._classes is None:
            self._classes = await repo.classes_of(self.session, list(self.schools))
        return self._classes

    async def teachers(self) -> dict[tuple[int, int], set[int]]:
        if self._teachers is None:
            self._teachers = await repo.subject_teachers(self.session, list(self.schools))
        return self._teachers

    async def may_be_due(self, *kinds: str) -> bool:
        """A cheap gate before a step's queries: can anyone's hour for these kinds have come since the step
        last ran? (The default hour, or an hour some user chose.)"""
        if self.since_hour is None:
            return True
        if any(KINDS[k].hour is None or self.since_hour < KINDS[k].hour <= self.local.hour for k in kinds):
            return True
        return await repo.hour_chosen_between(self.session, list(kinds), self.since_hour, self.local.hour)

    async def due(self, kind: str, user_ids: Iterable[int]) -> set[int]:
        """The users for whom `kind` is switched on and its hour (and weekday) has come since the step last
        ran (a user whose hour had come before was considered then; the outbox key guards repeats anyway)."""
        users = set(user_ids)
        if not users:
            return set()
        prefs = await repo.prefs_for(self.session, list(users), [kind])
        due = set()
        for user_id in users:
            pref = prefs.get((user_id, kind))
            if not is_due(kind, pref, self.local):
                continue
            hour = effective(kind, pref).hour
            if self.since_hour is None or hour is None or hour > self.since_hour:
                due.add(user_id)
        return due

    async def unplanned(self, messages: list[PlannedMessage]) -> list[PlannedMessage]:
        """Drop messages whose key exists (cheap pre-check before an expensive computation)."""
        if not messages:
            return []
        existing = await outbox_repo.existing_keys(self.session, [m.key for m in messages])
        return [m for m in messages if m.key not in existing]

    def message(self, kind: str, user_id: int, period: str, **payload) -> PlannedMessage:
        return PlannedMessage(kind, user_id, period, {"tz": self.tz, **payload})


Step = Callable[[PlanContext], Awaitable[list[PlannedMessage]]]


async def plan_journal(ctx: PlanContext) -> list[PlannedMessage]:
    """Subject teachers: the day's unfilled lessons. Class teachers: their class's daily and weekly digest."""
    day = ctx.today
    open_ids = ctx.open_schools()
    if not open_ids or not await ctx.may_be_due("lessons", "class_daily", "class_weekly"):
        return []
    staff, classes = await ctx.staff(), await ctx.classes()
    class_teacher_of = {cid: staff[c.class_teacher_id] for cid, c in classes.items()
                        if c.class_teacher_id in staff and c.school_id in open_ids}
    teachers_due = await ctx.due("lessons", (s.user_id for s in staff.values() if s.school_id in open_ids))
    daily_due = await ctx.due("class_daily", (s.user_id for s in class_teacher_of.values()))
    weekly_schools = {sid for sid in open_ids if ctx.calendars[sid].last_school_day_of_week(day) == day}
    weekly_due = await ctx.due("class_weekly", (s.user_id for cid, s in class_teacher_of.items()
                                                if classes[cid].school_id in weekly_schools))
    if not (teachers_due or daily_due or weekly_due):
        return []
    needed = ({s.school_id for s in staff.values() if s.user_id in teachers_due}
              | {classes[cid].school_id for cid, s in class_teacher_of.items()
                 if s.user_id in daily_due or s.user_id in weekly_due})
    gaps = await _gaps_on(ctx, sorted(needed & set(open_ids)), day)
    messages: list[PlannedMessage] = []

    per_teacher: dict[tuple[int, int], list[LessonGap]] = defaultdict(list)
    for sid, school_gaps in gaps.items():
        for gap in school_gaps:
            member = staff.get(gap.lesson.teacher_id)
            if member is not None and member.user_id in teachers_due:
                per_teacher[(member.user_id, sid)].append(gap)
    for (user_id, sid), teacher_gaps in per_teacher.items():
        messages.append(ctx.message("lessons", user_id, f"{sid}:{day}", day=day.isoformat(), items=[
            [g.lesson.timetable_id, int(g.no_attendance), int(g.no_grades)] for g in teacher_gaps]))

    by_class: dict[int, list[LessonGap]] = defaultdict(list)
    for school_gaps in gaps.values():
        for gap in school_gaps:
            by_class[gap.lesson.class_id].append(gap)
    for cid, member in class_teacher_of.items():
        if member.user_id in daily_due and by_class.get(cid):
            messages.append(ctx.message("class_daily", member.user_id, f"{cid}:{day}", cls=cid, day=day.isoformat(),
                                        items=_tally_items(by_class[cid])))

    if weekly_due:
        monday = day - timedelta(days=day.weekday())
        wanted = [ctx.message("class_weekly", member.user_id, f"{cid}:{monday}", cls=cid, week=monday.isoformat())
                  for cid, member in class_teacher_of.items()
                  if member.user_id in weekly_due and classes[cid].school_id in weekly_schools]
        wanted = await ctx.unplanned(wanted)
        if wanted:
            week_gaps: dict[int, list[LessonGap]] = defaultdict(list, {c: list(g) for c, g in by_class.items()})
            schools = sorted({classes[m.payload["cls"]].school_id for m in wanted})
            earlier = monday
            while earlier < day:
                for school_gaps in (await _gaps_on(ctx, schools, earlier)).values():
                    for gap in school_gaps:
                        week_gaps[gap.lesson.class_id].append(gap)
                earlier += timedelta(days=1)
            for message in wanted:
                if week_gaps.get(message.payload["cls"]):
                    message.payload["items"] = _tally_items(week_gaps[message.payload["cls"]])
                    messages.append(message)
    return messages


async def _gaps_on(ctx: PlanContext, school_ids: list[int], day: date) -> dict[int, list[LessonGap]]:
    open_ids = [sid for sid in school_ids if ctx.calendars[sid].is_school_day(day)]
    if not open_ids:
        return {}
    expected = await repo.expected_lessons(ctx.session, open_ids, day)
    return {sid: lesson_gaps(day, lessons, ctx.calendars[sid], ctx.schools[sid].country)
            for sid, lessons in expected.items()}


def _tally_items(gaps: list[LessonGap]) -> list[list[int]]:
    tallies = tally_by(gaps, lambda g: (g.lesson.subject_id, g.lesson.teacher_id or 0))
    return [[subject, teacher, t.lessons, t.no_attendance, t.no_grades]
            for (subject, teacher), t in sorted(tallies.items(), key=lambda kv: -kv[1].lessons)]


async def plan_deadlines(ctx: PlanContext) -> list[PlannedMessage]:
    """Summatives due in N days, today, or overdue without results; the term's end with students short of
    grades. To the subject teachers (from the timetable) and, when overdue, the class teacher."""
    today = ctx.today
    open_ids = ctx.open_schools()
    if not open_ids or not await ctx.may_be_due("deadlines"):
        return []
    staff = await ctx.staff()
    due = await ctx.due("deadlines", (s.user_id for s in staff.values() if s.school_id in open_ids))
    if not due:
        return []
    open_ids = sorted({s.school_id for s in staff.values() if s.user_id in due} & set(open_ids))
    classes, teachers = await ctx.classes(), await ctx.teachers()
    messages: list[PlannedMessage] = []

    start = today - timedelta(days=SUMMATIVE_MAX_OVERDUE)
    summatives = await repo.summatives_between(ctx.session, open_ids, start, today + timedelta(days=max(ctx.lead_days)))
    items: list[tuple[repo.SummativeInfo, str, int]] = []  # (summative, stage, recipient)
    for summative in summatives:
        stage = summative_stage(summative.due_on, today, lead_days=ctx.lead_days)
        if stage is None:
            continue
        recipients = {staff[t].user_id for t in teachers.get((summative.class_id, summative.subject_id), ())
                      if t in staff}
        klass = classes.get(summative.class_id)
        if klass and klass.class_teacher_id in staff and (stage.startswith("o") or not recipients):
            recipients.add(staff[klass.class_teacher_id].user_id)
        items += [(summative, stage, user_id) for user_id in sorted(recipients & due)]
    # Items told already (their marker exists) are dropped before the results are looked up.
    told = await outbox_repo.existing_keys(ctx.session, [f"summative:{u}:{s.id}:{st}" for s, st, u in items])
    items = [(s, st, u) for s, st, u in items if f"summative:{u}:{s.id}:{st}" not in told]
    if items:
        marks = await repo.summative_marks(ctx.session, list({s.id: s for s, _st, _u in items}.values()),
                                           start - timedelta(days=SUMMATIVE_EARLY_RESULTS_DAYS))
        bundles: dict[int, PlannedMessage] = {}
        for summative, stage, user_id in items:
            if summative_has_results(summative.id, summative.due_on, marks.get(summative.id, [])):
                continue
            bundle = bundles.setdefault(user_id, ctx.message("summatives", user_id, today.isoformat(),
                                                             day=today.isoformat()))
            part = ctx.message("summative", user_id, f"{summative.id}:{stage}")
            part.payload = {"item": [summative.id, stage]}
            bundle.parts.append(part)
        messages += bundles.values()

    messages += await _plan_term_end(ctx, open_ids, due, staff, classes, teachers)
    return messages


async def _plan_term_end(ctx: PlanContext, open_ids: list[int], due: set[int], staff: dict[int, StaffUser],
                         classes: dict[int, ClassInfo], teachers: dict[tuple[int, int], set[int]]
                         ) -> list[PlannedMessage]:
    today = ctx.today
    ending = {sid: term for sid in open_ids
              if (term := ctx.calendars[sid].term_on(today)) is not None and term_end_approaching(term, today)}
    if not ending:
        return []
    # Who would hear about it, before counting anything: one message per person and term.
    people: set[tuple[int, int]] = set()  # (user, school)
    for (cid, _subject), staff_ids in teachers.items():
        klass = classes.get(cid)
        if klass is None or klass.school_id not in ending:
            continue
        people.update((staff[t].user_id, klass.school_id) for t in staff_ids if t in staff)
        if klass.class_teacher_id in staff:
            people.add((staff[klass.class_teacher_id].user_id, klass.school_id))
    wanted = [ctx.message("term_end", user_id, str(ending[sid].id), term=ending[sid].id, items=[])
              for user_id, sid in sorted(people) if user_id in due]
    pending = {m.key: m for m in await ctx.unplanned(wanted)}
    if not pending:
        return []
    class_ids = [cid for cid, c in classes.items() if c.school_id in ending and _gets_marks(ctx, c, today)]
    counts: dict[tuple[int, int], int] = {}
    for starts_on in {t.starts_on for t in ending.values()}:
        same_start = [cid for cid in class_ids if ending[classes[cid].school_id].starts_on == starts_on]
        counts.update(await repo.term_grade_counts(ctx.session, same_start, starts_on, today))
    students = await repo.students_by_class(ctx.session, class_ids)
    marked = set(class_ids)
    pairs = [pair for pair in teachers if pair[0] in marked]
    short = students_short_of_grades(students, pairs, counts)
    for (cid, subject), few in sorted(short.items()):
        klass = classes[cid]
        people = {staff[t].user_id for t in teachers.get((cid, subject), ()) if t in staff}
        if klass.class_teacher_id in staff:
            people.add(staff[klass.class_teacher_id].user_id)
        term = ending[klass.school_id]
        for user_id in people:
            message = pending.get(f"term_end:{user_id}:{term.id}")
            if message is not None:
                message.payload["items"].append([cid, subject, len(few)])
    return [m for m in pending.values() if m.payload["items"]]


def _gets_marks(ctx: PlanContext, klass: ClassInfo, day: date) -> bool:
    return class_gets_marks(ctx.schools[klass.school_id].country, klass.grade, day, ctx.calendars[klass.school_id])


async def plan_head_summary(ctx: PlanContext) -> list[PlannedMessage]:
    """Heads and deputies: the school's journal filling over the last half-month (seed 001: checked twice a
    month), on the first school day from the 1st and from the 15th."""
    today = ctx.today
    open_ids = ctx.open_schools()
    if not open_ids or not await ctx.may_be_due("head_summary"):
        return []
    staff = await ctx.staff()
    admins = [s for s in staff.values() if s.position in ("head", "deputy") and s.school_id in open_ids]
    due = await ctx.due("head_summary", (s.user_id for s in admins))
    label, start, end = half_month(today)
    wanted = await ctx.unplanned([ctx.message("head_summary", s.user_id, f"{s.school_id}:{label}", school=s.school_id,
                                              start=start.isoformat(), end=end.isoformat())
                                  for s in admins if s.user_id in due])
    if not wanted:
        return []
    schools = sorted({m.payload["school"] for m in wanted})
    expected: Counter[int] = Counter()
    tallies: dict[int, Counter] = defaultdict(Counter)
    day = start
    while day <= end:
        open_then = [sid for sid in schools if ctx.calendars[sid].is_school_day(day)]
        if open_then:
            lessons = await repo.expected_lessons(ctx.session, open_then, day)
            for sid, school_lessons in lessons.items():
                expected[sid] += len(school_lessons)
                for gap in lesson_gaps(day, school_lessons, ctx.calendars[sid], ctx.schools[sid].country):
                    tallies[sid]["unfilled"] += 1
                    tallies[sid]["no_att"] += gap.no_attendance
                    tallies[sid]["no_grades"] += gap.no_grades
                    tallies[sid][("t", gap.lesson.teacher_id or 0)] += 1
        day += timedelta(days=1)
    messages = []
    for message in wanted:
        sid = message.payload["school"]
        if not expected[sid]:
            continue  # no school days in the half-month (a holiday): nothing to report
        tally = tallies[sid]
        worst = sorted(((k[1], n) for k, n in tally.items() if isinstance(k, tuple)), key=lambda kv: -kv[1])[:5]
        message.payload.update(expected=expected[sid], unfilled=tally["unfilled"], no_att=tally["no_att"],
                               no_grades=tally["no_grades"], worst=[list(w) for w in worst])
        messages.append(message)
    return messages


async def plan_course(ctx: PlanContext) -> list[PlannedMessage]:
    """Teachers who have not passed the course exam: a nudge at most once a week, on a school day."""
    open_ids = ctx.open_schools()
    if not open_ids or not await ctx.may_be_due("course"):
        return []
    candidates = await repo.course_candidates(ctx.session, open_ids, MAIN_COURSE)
    due = await ctx.due("course", (uid for uid, _s, _n in candidates))
    week = iso_week(ctx.today)
    return [ctx.message("course", uid, week, course=MAIN_COURSE, done=done)
            for uid, _school, done in candidates if uid in due]


async def plan_parent_weekly(ctx: PlanContext) -> list[PlannedMessage]:
    """Parents: the child's week, on the day and hour the parent chose (default Saturday 18:00)."""
    if not await ctx.may_be_due("parent_weekly"):
        return []
    parents = await repo.parents_of(ctx.session, list(ctx.schools))
    due = await ctx.due("parent_weekly", (uid for uid, _st, _sc in parents))
    week = week_covered(ctx.today)
    return [ctx.message("parent_weekly", uid, f"{student}:{week}", student=student, week=week.isoformat())
            for uid, student, sid in parents
            if uid in due and ctx.calendars[sid].school_days(week, week + timedelta(days=6))]


async def plan_parent_alerts(ctx: PlanContext) -> list[PlannedMessage]:
    """Parents: a low grade or an absence entered since the last pass. Keyed by the mark and the fact
    (absent, or the grade), so a later edit of the reason does not notify twice, a new grade does."""
    since = ctx.alerts_since or ctx.now - ALERT_LOOKBACK
    marks = await repo.recent_alert_marks(ctx.session, list(ctx.schools), since,
                                          ctx.today - timedelta(days=ALERT_LESSON_DAYS), max_grade=4)
    marks = [m for m in marks if m.attendance == "absent"
             or (m.grade is not None and low_grade(ctx.schools[m.school_id].country, m.grade))]
    if not marks:
        return []
    parents = await repo.parent_users_of(ctx.session, [m.student_id for m in marks])
    due = await ctx.due("parent_alerts", (u for users in parents.values() for u in users))
    resume = ctx.quiet.resume_at(ctx.local)
    messages = []
    for mark in marks:
        absent = mark.attendance == "absent"
        fact = "a" if absent else f"g{mark.grade}"
        for user_id in parents.get(mark.student_id, ()):
            if user_id in due:
                message = ctx.message("parent_alert", user_id, f"{mark.mark_id}:{fact}", mark=mark.mark_id,
                                      student=mark.student_id, subject=mark.subject_id,
                                      day=mark.lesson_date.isoformat(), absent=absent, grade=mark.grade)
                message.not_before = resume.astimezone(UTC) if resume else None
                messages.append(message)
    return await ctx.unplanned(messages)


#: Steps computed once per school-local hour; parents' instant notices run on every pass.
HOURLY_STEPS: tuple[Step, ...] = (plan_journal, plan_deadlines, plan_head_summary, plan_course, plan_parent_weekly)


class ReminderPlanner:
    def __init__(self, settings, *, chunk_size: int = 500) -> None:
        self.quiet = quiet_window(settings)
        self.lead_days = tuple(settings.summative_lead_days) or (3, 1)
        self.chunk_size = chunk_size
        self._last_hour: dict[tuple, int] = {}  # (step, tz, date, chunk) -> the school-local hour it last ran
        self._alerts_checked: dict[tuple, datetime] = {}
        self._purged_on: date | None = None

    async def run(self, sessions: async_sessionmaker[AsyncSession], now: datetime | None = None) -> Counter:
        """One planning pass over every school; returns how many outbox rows were created, per kind."""
        now = now or datetime.now(UTC)
        created: Counter = Counter()
        async with sessions() as session:
            groups = await repo.schools_by_timezone(session)
            if self._purged_on != now.date():
                purged = await outbox_repo.purge(session, now - OUTBOX_RETENTION)
                await session.commit()
                self._purged_on = now.date()
                if purged:
                    log.info("outbox: %d finished rows older than %s purged", purged, OUTBOX_RETENTION)
        if len(self._last_hour) > 50_000:
            self._last_hour.clear()
        for tz, schools in groups.items():
            try:
                local = local_time(now, tz)
            except (ZoneInfoNotFoundError, ValueError):
                log.error("unknown time zone %r of schools %s: no reminders", tz, [s.id for s in schools[:5]])
                continue
            quiet = self.quiet.contains(local.hour)
            for start in range(0, len(schools), self.chunk_size):
                chunk = schools[start:start + self.chunk_size]
                steps = {step: self._last_hour.get(self._memo(step, tz, local, chunk)) for step in HOURLY_STEPS
                         if not quiet and self._last_hour.get(self._memo(step, tz, local, chunk)) != local.hour}
                chunk_key = (tz, chunk[0].id, chunk[-1].id, len(chunk))
                last = self._alerts_checked.get(chunk_key)
                since = max(last - ALERT_OVERLAP, now - ALERT_LOOKBACK) if last and last <= now else None
                try:
                    created += await self._plan_chunk(sessions, now, local, chunk, steps, since)
                except Exception:  # one chunk's failure must not stop the other schools; retried next pass
                    log.exception("planning reminders for schools %s..%s failed", chunk[0].id, chunk[-1].id)
                    continue
                self._last_hour.update((self._memo(step, tz, local, chunk), local.hour) for step in steps)
                self._alerts_checked[chunk_key] = now
        if created:
            log.info("reminders planned: %s", dict(created))
        return created

    async def _plan_chunk(self, sessions: async_sessionmaker[AsyncSession], now: datetime, local: datetime,
                          chunk: list[SchoolInfo], steps: dict[Step, int | None], alerts_since: datetime | None
                          ) -> Counter:
        async with sessions() as session:
            ctx = PlanContext(session=session, now=now, local=local, schools={s.id: s for s in chunk},
                              calendars=await repo.calendars(session, [s.id for s in chunk],
                                                             local.date() - timedelta(days=400)),
                              lead_days=self.lead_days, quiet=self.quiet, alerts_since=alerts_since)
            messages: list[PlannedMessage] = []
            for step, since_hour in (*steps.items(), (plan_parent_alerts, None)):
                ctx.since_hour = since_hour
                messages += await step(ctx)
            created = await store(session, messages, now)
            await session.commit()
            return created

    @staticmethod
    def _memo(step: Step, tz: str, local: datetime, chunk: list[SchoolInfo]) -> tuple:
        return step.__name__, tz, local.date(), chunk[0].id, chunk[-1].id, len(chunk)


async def store(session: AsyncSession, messages: list[PlannedMessage], now: datetime) -> Counter:
    """Insert the planned rows; keys that exist are skipped. A bundle's parts go in first (as "merged"
    markers) and the bundle carries only the parts that were new, in the same transaction: an item is told
    once even when several passes or instances plan it. Returns the rows created per kind."""
    singles = [m for m in messages if not m.parts]
    bundles = [m for m in messages if m.parts]
    new = await outbox_repo.insert_ignore(session, [_row(m, now) for m in singles])
    new_parts = await outbox_repo.insert_ignore(session, [_row(p, now, "merged") for b in bundles for p in b.parts])
    filled = []
    for bundle in bundles:
        fresh = [p for p in bundle.parts if p.key in new_parts]
        if fresh:
            # The period names its first new item: a later bundle the same day gets a key of its own.
            bundle.period = f"{bundle.period}:{fresh[0].period}"
            bundle.payload["items"] = [p.payload["item"] for p in fresh]
            filled.append(bundle)
    new |= await outbox_repo.insert_ignore(session, [_row(b, now) for b in filled])
    return Counter(m.kind for m in (*singles, *filled) if m.key in new)


def _row(message: PlannedMessage, now: datetime, status: str = "pending") -> dict:
    return {"key": message.key, "kind": message.kind, "user_id": message.user_id, "payload": message.payload,
            "status": status, "tries": 0, "created_at": now, "next_try_at": message.not_before or now}


def planner_for(app) -> ReminderPlanner:
    planner = app.extras.get("reminder_planner")
    if planner is None:
        planner = app.extras["reminder_planner"] = ReminderPlanner(app.settings)
    return planner


async def plan_reminders(app, now: datetime | None = None) -> Counter:
    """The scheduler's planning job (also called directly by tests with a frozen `now`)."""
    return await planner_for(app).run(app.sessions, now)


# --- rendering (at send time, in the recipient's locale) ---------------------------------------------------


Render = Callable[[AsyncSession, int, dict], Awaitable[Rendered | None]]


async def render(session: AsyncSession, kind: str, payload: dict, user_id: int) -> Rendered | None:
    renderer = RENDERERS.get(kind)
    if renderer is None:
        raise ValueError(f"no renderer for outbox kind {kind!r}")
    return await renderer(session, user_id, payload)


def _settings_button(kind: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("🔔 Reminder settings"), callback_data=RemindCB(a="see", k=kind).pack())


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
                                    callback_data=LessonCB(a="open", t=tt, d=day.toordinal()).pack()))
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


def summative_label(kind: str) -> str:
    return _("section summative") if kind == "section" else _("term summative")


async def render_summatives(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    """Summatives due soon or overdue, one line each; days are counted from the day of planning."""
    day = date.fromisoformat(p["day"])
    stages = dict((sid, stage) for sid, stage in p["items"])
    rows = (await session.execute(
        select(Summative, SchoolClass.name, Subject.name).join(SchoolClass, SchoolClass.id == Summative.class_id)
        .join(Subject, Subject.id == Summative.subject_id).where(Summative.id.in_(list(stages)))
        .order_by(Summative.due_on, SchoolClass.name))).all()
    if not rows:
        return None
    coming, overdue = [], []
    for summative, klass, subject in rows:
        what = summative_label(summative.kind)
        if summative.title:
            what = f"{summative.title} ({what})"
        values = {"what": what, "klass": klass, "subject": subject, "date": fmt_date(summative.due_on, fmt="d MMMM")}
        days = (summative.due_on - day).days
        if stages[summative.id].startswith("o"):
            overdue.append(_("• {what}, {klass} · {subject}: was due on {date}").format(**values))
        elif days <= 0:
            coming.append(_("• {what}, {klass} · {subject}: due today").format(**values))
        else:
            coming.append(ngettext("• {what}, {klass} · {subject}: in {n} day, on {date}",
                                   "• {what}, {klass} · {subject}: in {n} days, on {date}", days).format(
                n=days, **values))
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
             _("Students with fewer than {n} grades, by class and subject:").format(n=MIN_TERM_GRADES)]
    for cid, subject, n in p["items"][:MAX_LISTED]:
        lines.append(ngettext("• {klass} · {subject}: {n} student", "• {klass} · {subject}: {n} students", n).format(
            klass=classes.get(cid, "?"), subject=subjects.get(subject, "?"), n=n))
    return Rendered("\n".join(_more(lines, len(p["items"]))),
                    InlineKeyboardMarkup(inline_keyboard=[[_settings_button("deadlines")]]))


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
        [InlineKeyboardButton(text=_("🔕 No more of these"), callback_data=RemindCB(a="off", k="course").pack())],
    ])
    return Rendered(body, kb)


async def _still_parent(session: AsyncSession, user_id: int, student_id: int) -> bool:
    return await session.scalar(select(ParentLink.id).where(ParentLink.user_id == user_id,
                                                            ParentLink.student_id == student_id)) is not None


async def render_parent_weekly(session: AsyncSession, user_id: int, p: dict) -> Rendered | None:
    from bot.services.parent_views import week_summary_text

    if not await _still_parent(session, user_id, p["student"]):
        return None
    text = await week_summary_text(session, p["student"], date.fromisoformat(p["week"]))
    kb = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("👧 Open"), callback_data=ChildCB(a="card", s=p["student"]).pack())],
        [_settings_button("parent_weekly")]])
    return Rendered(text, kb)


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
        text = _("⚠️ {name}: grade {grade} in {subject} on {date}.").format(grade=p["grade"], **values)
    kb = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("👧 Open"), callback_data=ChildCB(a="card", s=p["student"]).pack())],
        [_settings_button("parent_alerts")]])
    return Rendered(text, kb)


RENDERERS: dict[str, Render] = {
    "lessons": render_lessons,
    "class_daily": render_class_daily,
    "class_weekly": render_class_weekly,
    "summatives": render_summatives,
    "term_end": render_term_end,
    "head_summary": render_head_summary,
    "course": render_course,
    "parent_weekly": render_parent_weekly,
    "parent_alert": render_parent_alert,
}
