"""Planning steps for staff: unfilled lessons and class digests, summatives and the term's end, the head's
half-month summary. Each step takes a PlanContext and returns the messages to store."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from domain.journal import MIN_TERM_GRADES
from domain.reminders import (
    SUMMATIVE_EARLY_RESULTS_DAYS,
    SUMMATIVE_MAX_OVERDUE,
    LessonGap,
    PlannedMessage,
    class_gets_marks,
    data_check_due,
    half_month,
    lesson_gaps,
    students_short_of_grades,
    summative_has_results,
    summative_stage,
    tally_by,
    term_end_approaching,
    term_minimums,
)
from storage.repositories import outbox as outbox_repo
from storage.repositories import reminders as repo
from storage.repositories.journal import weekly_hours
from storage.repositories.reminders import ClassInfo, StaffUser
from usecases.reminder_context import PlanContext


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
    hours = await weekly_hours(ctx.session, class_ids)
    minimums = term_minimums({cid: ctx.schools[classes[cid].school_id].country for cid in class_ids}, hours)
    short = students_short_of_grades(students, pairs, counts, minimums)
    for (cid, subject), few in sorted(short.items()):
        klass = classes[cid]
        people = {staff[t].user_id for t in teachers.get((cid, subject), ()) if t in staff}
        if klass.class_teacher_id in staff:
            people.add(staff[klass.class_teacher_id].user_id)
        term = ending[klass.school_id]
        for user_id in people:
            message = pending.get(f"term_end:{user_id}:{term.id}")
            if message is not None:
                message.payload["items"].append([cid, subject, len(few), minimums.get((cid, subject), MIN_TERM_GRADES)])
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
