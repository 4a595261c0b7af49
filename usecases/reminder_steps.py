"""Planning steps for staff: unfilled lessons and class digests, summatives and the term's end, the class
teachers' data check (the head's half-month summary: reminder_summary_steps). Each step takes a PlanContext
and returns the messages to store."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from domain.countries import rules_for
from domain.reminders import (
    SUMMATIVE_EARLY_RESULTS_DAYS,
    SUMMATIVE_MAX_OVERDUE,
    LessonGap,
    PlannedMessage,
    TermSpan,
    data_check_due,
    summative_has_results,
    summative_stage,
    tally_by,
    term_end_approaching,
)
from storage.repositories import reminder_counts as counts
from storage.repositories import reminders as repo
from storage.repositories.reminders import ClassInfo, StaffUser
from usecases.reminder_context import PlanContext

#: The most lessons a week a subject is counted with (the minimum of term marks beyond it stays the same).
MAX_WEEKLY_HOURS = 60


@dataclass(frozen=True)
class _JournalDue:
    """Who is due for the journal reminders now: subject teachers (lessons), class teachers (daily digest, and
    the weekly one in the schools whose week ends today)."""

    class_teacher_of: dict[int, StaffUser]  # class -> its class teacher, in the schools open today
    teachers: set[int]
    daily: set[int]
    weekly: set[int]
    weekly_schools: set[int]

    def __bool__(self) -> bool:
        return bool(self.teachers or self.daily or self.weekly)


async def _journal_due(ctx: PlanContext, open_ids: list[int], staff: dict[int, StaffUser],
                       classes: dict[int, ClassInfo]) -> _JournalDue:
    class_teacher_of = {cid: staff[c.class_teacher_id] for cid, c in classes.items()
                        if c.class_teacher_id in staff and c.school_id in open_ids}
    teachers = await ctx.due("lessons", (s.user_id for s in staff.values() if s.school_id in open_ids))
    daily = await ctx.due("class_daily", (s.user_id for s in class_teacher_of.values()))
    weekly_schools = {sid for sid in open_ids if ctx.calendars[sid].last_school_day_of_week(ctx.today) == ctx.today}
    weekly = await ctx.due("class_weekly", (s.user_id for cid, s in class_teacher_of.items()
                                            if classes[cid].school_id in weekly_schools))
    return _JournalDue(class_teacher_of, teachers, daily, weekly, weekly_schools)


async def plan_journal(ctx: PlanContext) -> list[PlannedMessage]:
    """Subject teachers: the day's unfilled lessons. Class teachers: their class's daily and weekly digest."""
    day, open_ids = ctx.today, ctx.open_schools()
    if not open_ids or not await ctx.may_be_due("lessons", "class_daily", "class_weekly"):
        return []
    staff, classes = await ctx.staff(), await ctx.classes()
    due = await _journal_due(ctx, open_ids, staff, classes)
    if not due:
        return []
    needed = ({s.school_id for s in staff.values() if s.user_id in due.teachers}
              | {classes[cid].school_id for cid, s in due.class_teacher_of.items()
                 if s.user_id in due.daily or s.user_id in due.weekly})
    gaps = await _gaps_on(ctx, sorted(needed & set(open_ids)), day)
    by_class = _by_class(gaps)
    messages = _lessons_messages(ctx, gaps, staff, due.teachers)
    messages += [ctx.message("class_daily", member.user_id, f"{cid}:{day}", cls=cid, day=day.isoformat(),
                             items=_tally_items(by_class[cid]))
                 for cid, member in due.class_teacher_of.items() if member.user_id in due.daily and by_class.get(cid)]
    if due.weekly:
        weekly = {cid: member for cid, member in due.class_teacher_of.items()
                  if member.user_id in due.weekly and classes[cid].school_id in due.weekly_schools}
        messages += await _class_weekly(ctx, weekly, classes, by_class)
    return messages


def _by_class(gaps: dict[int, list[LessonGap]]) -> dict[int, list[LessonGap]]:
    by_class: dict[int, list[LessonGap]] = defaultdict(list)
    for school_gaps in gaps.values():
        for gap in school_gaps:
            by_class[gap.lesson.class_id].append(gap)
    return by_class


def _lessons_messages(ctx: PlanContext, gaps: dict[int, list[LessonGap]], staff: dict[int, StaffUser],
                      due: set[int]) -> list[PlannedMessage]:
    """One message per subject teacher and school: the day's lessons without attendance or grades."""
    per_teacher: dict[tuple[int, int], list[LessonGap]] = defaultdict(list)
    for sid, school_gaps in gaps.items():
        for gap in school_gaps:
            member = staff.get(gap.lesson.teacher_id)
            if member is not None and member.user_id in due:
                per_teacher[(member.user_id, sid)].append(gap)
    day = ctx.today
    return [ctx.message("lessons", user_id, f"{sid}:{day}", day=day.isoformat(), items=[
                [g.lesson.timetable_id, int(g.no_attendance), int(g.no_grades)] for g in teacher_gaps])
            for (user_id, sid), teacher_gaps in per_teacher.items()]


async def _class_weekly(ctx: PlanContext, weekly: dict[int, StaffUser], classes: dict[int, ClassInfo],
                        today_by_class: dict[int, list[LessonGap]]) -> list[PlannedMessage]:
    """The week's digest of each class (today's gaps and the earlier days' of the week), for the class
    teachers not told yet this week."""
    day = ctx.today
    monday = day - timedelta(days=day.weekday())
    wanted = await ctx.unplanned([ctx.message("class_weekly", member.user_id, f"{cid}:{monday}", cls=cid,
                                              week=monday.isoformat()) for cid, member in weekly.items()])
    if not wanted:
        return []
    week_gaps: dict[int, list[LessonGap]] = defaultdict(list, {c: list(g) for c, g in today_by_class.items()})
    schools = sorted({classes[m.payload["cls"]].school_id for m in wanted})
    earlier = monday
    while earlier < day:
        for cid, class_gaps in _by_class(await _gaps_on(ctx, schools, earlier)).items():
            week_gaps[cid] += class_gaps
        earlier += timedelta(days=1)
    messages = []
    for message in wanted:
        if week_gaps.get(message.payload["cls"]):
            message.payload["items"] = _tally_items(week_gaps[message.payload["cls"]])
            messages.append(message)
    return messages


async def _gaps_on(ctx: PlanContext, school_ids: list[int], day: date) -> dict[int, list[LessonGap]]:
    """The day's unfilled lessons per school (domain.reminders.lesson_gaps, filtered by the database): one
    query for the schools that give marks in the same grades that day."""
    groups: dict[frozenset[int], list[int]] = defaultdict(list)
    for sid in school_ids:
        if ctx.calendars[sid].is_school_day(day):
            groups[await ctx.unmarked_grades(sid, day)].append(sid)
    gaps: dict[int, list[LessonGap]] = {}
    for unmarked, sids in groups.items():
        gaps.update(await counts.unfilled_lessons(ctx.session, sids, day, unmarked))
    return gaps


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
    start = today - timedelta(days=SUMMATIVE_MAX_OVERDUE)
    summatives = await repo.summatives_between(ctx.session, open_ids, start, today + timedelta(days=max(ctx.lead_days)))
    items = await _untold(ctx, _summative_items(ctx, summatives, due, staff, classes, teachers))
    messages = await _summative_bundles(ctx, items, start) if items else []
    messages += await _plan_term_end(ctx, open_ids, due, staff, classes, teachers)
    return messages


SummativeItem = tuple[repo.SummativeInfo, str, int]  # (summative, stage, recipient)


def _summative_items(ctx: PlanContext, summatives: list[repo.SummativeInfo], due: set[int],
                     staff: dict[int, StaffUser], classes: dict[int, ClassInfo],
                     teachers: dict[tuple[int, int], set[int]]) -> list[SummativeItem]:
    """Each summative at a stage today, for its subject teachers (and its class teacher when overdue, or when
    the subject has no teacher in the bot)."""
    items: list[SummativeItem] = []
    for summative in summatives:
        stage = summative_stage(summative.due_on, ctx.today, lead_days=ctx.lead_days)
        if stage is None:
            continue
        recipients = {staff[t].user_id for t in teachers.get((summative.class_id, summative.subject_id), ())
                      if t in staff}
        klass = classes.get(summative.class_id)
        if klass and klass.class_teacher_id in staff and (stage.startswith("o") or not recipients):
            recipients.add(staff[klass.class_teacher_id].user_id)
        items += [(summative, stage, user_id) for user_id in sorted(recipients & due)]
    return items


async def _untold(ctx: PlanContext, items: list[SummativeItem]) -> list[SummativeItem]:
    """Items told already (their marker exists) are dropped before the results are looked up."""
    told = await repo.planned_keys(ctx.session, [f"summative:{u}:{s.id}:{st}" for s, st, u in items])
    return [(s, st, u) for s, st, u in items if f"summative:{u}:{s.id}:{st}" not in told]


async def _summative_bundles(ctx: PlanContext, items: list[SummativeItem], start: date) -> list[PlannedMessage]:
    """One message per recipient, its parts the summatives still without results."""
    marks = await repo.summative_marks(ctx.session, list({s.id: s for s, _st, _u in items}.values()),
                                       start - timedelta(days=SUMMATIVE_EARLY_RESULTS_DAYS))
    today = ctx.today.isoformat()
    bundles: dict[int, PlannedMessage] = {}
    for summative, stage, user_id in items:
        if summative_has_results(summative.id, summative.due_on, marks.get(summative.id, [])):
            continue
        bundle = bundles.setdefault(user_id, ctx.message("summatives", user_id, today, day=today))
        part = ctx.message("summative", user_id, f"{summative.id}:{stage}")
        part.payload = {"item": [summative.id, stage]}
        bundle.parts.append(part)
    return list(bundles.values())


async def _plan_term_end(ctx: PlanContext, open_ids: list[int], due: set[int], staff: dict[int, StaffUser],
                         classes: dict[int, ClassInfo], teachers: dict[tuple[int, int], set[int]]
                         ) -> list[PlannedMessage]:
    """A week before the term ends: the classes and subjects with students short of grades, to their subject
    teachers and class teachers, once per person and term."""
    today = ctx.today
    ending = {sid: term for sid in open_ids
              if (term := ctx.calendars[sid].term_on(today)) is not None and term_end_approaching(term, today)}
    if not ending:
        return []
    pending = await _term_end_wanted(ctx, ending, due, staff, classes, teachers)
    if not pending:
        return []
    short = await _short_of_grades(ctx, ending, classes)
    for (cid, subject), (few, minimum) in sorted(short.items()):
        klass = classes[cid]
        people = {staff[t].user_id for t in teachers.get((cid, subject), ()) if t in staff}
        if klass.class_teacher_id in staff:
            people.add(staff[klass.class_teacher_id].user_id)
        term = ending[klass.school_id]
        for user_id in people:
            message = pending.get(f"term_end:{user_id}:{term.id}")
            if message is not None:
                message.payload["items"].append([cid, subject, few, minimum])
    return [m for m in pending.values() if m.payload["items"]]


async def _term_end_wanted(ctx: PlanContext, ending: dict[int, TermSpan], due: set[int], staff: dict[int, StaffUser],
                           classes: dict[int, ClassInfo], teachers: dict[tuple[int, int], set[int]]
                           ) -> dict[str, PlannedMessage]:
    """Who would hear about it, before counting anything: one message per person and term, not planned yet."""
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
    return {m.key: m for m in await ctx.unplanned(wanted)}


async def _short_of_grades(ctx: PlanContext, ending: dict[int, TermSpan], classes: dict[int, ClassInfo]
                           ) -> dict[tuple[int, int], tuple[int, int]]:
    """Per class and subject taught (in classes that get marks): how many students are short of the grades a
    term mark needs (by the subject's lessons a week and the country), and that minimum; counted in SQL."""
    today = ctx.today
    class_ids = [cid for cid, c in classes.items()
                 if c.school_id in ending and c.grade not in await ctx.unmarked_grades(c.school_id, today)]
    steps = {ctx.schools[sid].country: minimum_steps(ctx.schools[sid].country) for sid in ending}
    short: dict[tuple[int, int], tuple[int, int]] = {}
    for starts_on in sorted({t.starts_on for t in ending.values()}):
        same_start = [cid for cid in class_ids if ending[classes[cid].school_id].starts_on == starts_on]
        short.update(await counts.short_of_grades(ctx.session, same_start, starts_on, today, steps))
    return short


@cache
def minimum_steps(country: str) -> tuple[tuple[int, int], ...]:
    """The country's minimum of term marks by a subject's lessons a week (`CountryRules.min_marks`), as
    ((from hours, minimum), ...) from 0 to MAX_WEEKLY_HOURS: what the SQL count compares with."""
    rules, steps = rules_for(country), []
    for hours in range(MAX_WEEKLY_HOURS + 1):
        need = rules.min_marks(hours)
        if not steps or steps[-1][1] != need:
            steps.append((hours, need))
    return tuple(steps)


async def plan_data_check(ctx: PlanContext) -> list[PlannedMessage]:
    """Class teachers: check pupils' and parents' data once a term (seed 001: "at least once a quarter"), on
    a school day at their hour; one message per class teacher and term, listing their classes."""
    open_ids = ctx.open_schools()
    if not open_ids or not await ctx.may_be_due("data_check"):
        return []
    staff, classes = await ctx.staff(), await ctx.classes()
    mine: dict[tuple[int, int], list[int]] = defaultdict(list)  # (user, term) -> classes
    for cid, klass in classes.items():
        term = ctx.calendars[klass.school_id].term_on(ctx.today) if klass.school_id in open_ids else None
        if klass.class_teacher_id in staff and data_check_due(term, ctx.today):
            mine[(staff[klass.class_teacher_id].user_id, term.id)].append(cid)
    due = await ctx.due("data_check", {user for user, _term in mine})
    wanted = [ctx.message("data_check", user, str(term), term=term, classes=sorted(cids))
              for (user, term), cids in sorted(mine.items()) if user in due]
    return await ctx.unplanned(wanted)
