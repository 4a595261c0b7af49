"""Planning steps for the course nudges and for parents (the weekly summary, instant notices)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, timedelta

from content.catalogue import MAIN_COURSE
from domain.countries import rules_for
from domain.grading import is_low_mark
from domain.reminders import (
    PlannedMessage,
    iso_week,
    summary_weekday,
    week_covered,
)
from storage.repositories import reminders as repo
from usecases.reminder_context import ALERT_LESSON_DAYS, ALERT_LOOKBACK, PlanContext

#: Lesson marks looked at for a parent's notice: up to the highest low mark of the countries (Kazakhstan's 4
#: of 10), or the school's country's own if lower; domain.grading.is_low_mark decides.
ALERT_MAX_GRADE = 4


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
    """Parents: one digest a week for all their children, on the day and hour the parent chose (default: 18:00
    on their school's summary day, spread over the week by school id). A parent with children in several
    schools is planned with the school of the lowest id (the "home" school), wherever the others are."""
    if not await ctx.may_be_due("parent_weekly"):
        return []
    children: dict[int, list[tuple[int, int]]] = defaultdict(list)  # parent -> [(student, school)]
    for uid, student, sid in await repo.parents_with_all_children(ctx.session, list(ctx.schools)):
        children[uid].append((student, sid))
    home = {uid: min(sid for _st, sid in kids) for uid, kids in children.items()}
    home = {uid: sid for uid, sid in home.items() if sid in ctx.schools}
    due = await ctx.due("parent_weekly", home, weekdays={uid: summary_weekday(sid) for uid, sid in home.items()})
    week = week_covered(ctx.today)
    return [ctx.message("parent_weekly", uid, str(week), students=sorted({st for st, _sid in children[uid]}),
                        week=week.isoformat())
            for uid, sid in home.items()
            if uid in due and ctx.calendars[sid].school_days(week, week + timedelta(days=6))]


async def plan_parent_alerts(ctx: PlanContext) -> list[PlannedMessage]:
    """Parents: a low grade or an absence entered since the last pass. Keyed by the mark and the fact
    (absent, or the grade), so a later edit of the reason does not notify twice, a new grade does."""
    since = ctx.alerts_since or ctx.now - ALERT_LOOKBACK
    by_country: dict[str, list[int]] = defaultdict(list)
    for sid, school in ctx.schools.items():
        by_country[school.country].append(sid)
    marks = []
    for country, sids in by_country.items():
        # The database keeps the lesson marks at or below the country's low mark; summatives are judged here.
        cap = min(ALERT_MAX_GRADE, rules_for(country).low_mark_at_most.value)
        marks += await repo.recent_alert_marks(ctx.session, sids, since, ctx.today - timedelta(days=ALERT_LESSON_DAYS),
                                               max_grade=cap)
    marks = [m for m in marks if m.attendance == "absent"
             or is_low_mark(ctx.schools[m.school_id].country, m.kind, m.grade, m.points, m.max_points)]
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


