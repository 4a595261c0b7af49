"""The timed exam: rules and confirmation, questions with a countdown, the result. The server's clock and
the database decide: a late, repeated or forged answer changes nothing."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.courses import MAIN_COURSE, catalogue, course_text
from bot.formatting import fmt_percent
from bot.keyboards.common import MenuCB, nav_row
from bot.keyboards.learning import CertCB, CourseCB, ExamAnswerCB, ExamCB
from bot.services.exam_flow import question_screen, result_screen
from bot.ui import notify, show
from domain.exam import (
    ExamPolicy,
    deadline,
    draw_exam,
    is_correct,
    lessons_to_revisit,
    minutes_left,
    next_attempt_at,
)
from storage.models import ExamAttempt, User
from storage.repositories import exams

router = Router(name=__name__)


def policy_of(settings: Settings) -> ExamPolicy:
    from datetime import timedelta

    return ExamPolicy(minutes=settings.exam_minutes, question_count=settings.exam_questions,
                      pass_percent=settings.exam_pass_percent,
                      cooldown=timedelta(minutes=settings.exam_cooldown_minutes))


async def show_result(event: Message | CallbackQuery, session: AsyncSession, attempt: ExamAttempt,
                      settings: Settings) -> None:
    revisit = [] if attempt.passed else lessons_to_revisit(await exams.wrong_keys(session, attempt.id),
                                                           course_text(attempt.course_id))
    await exams.mark_notified(session, attempt.id, datetime.now(UTC))
    await session.commit()
    text, markup = result_screen(attempt, revisit, settings.exam_pass_percent)
    await show(event, text, markup)


async def close_if_expired(session: AsyncSession, attempt: ExamAttempt, settings: Settings,
                           now: datetime) -> bool:
    if attempt.status == "open" and now >= attempt.deadline_at:
        await exams.close_attempt(session, attempt, now=now, status="expired",
                                  pass_percent=settings.exam_pass_percent)
        await session.commit()
        return True
    return False


async def exam_home(event: Message | CallbackQuery, session: AsyncSession, user: User, settings: Settings,
                    course_id: str) -> None:
    now = datetime.now(UTC)
    policy = policy_of(settings)
    attempt = await exams.open_attempt(session, user.id, course_id)
    if attempt is not None and await close_if_expired(session, attempt, settings, now):
        await show_result(event, session, attempt, settings)
        return
    kb = InlineKeyboardBuilder()
    if attempt is not None:
        current = await exams.current_question(session, attempt.id)
        n = current.position + 1 if current else attempt.question_count
        body = _("You have an unfinished exam: question {n}/{total}, {minutes} min left.").format(
            n=n, total=attempt.question_count, minutes=minutes_left(attempt.deadline_at, now))
        kb.button(text=_("▶️ Continue the exam"), callback_data=ExamCB(a="resume", k=course_id, t=attempt.id))
        kb.adjust(1)
        await show(event, body, nav_row(kb).as_markup())
        return
    pool = len(course_text(course_id).question_keys())
    count = min(policy.question_count, pool)
    need = int(count * policy.pass_percent // 100) + 1
    lines = [
        _("📝 Final exam: {title}").format(title=course_text(course_id).title),
        "",
        _("• {count} questions, 4 options each, one is correct").format(count=count),
        ngettext("• {minutes} minute from the start; the clock keeps running if you leave",
                 "• {minutes} minutes from the start; the clock keeps running if you leave",
                 policy.minutes).format(minutes=policy.minutes),
        _("• To pass: more than {pass_mark}, that is {need} of {count}").format(
            pass_mark=fmt_percent(policy.pass_percent), need=need, count=count),
        _("• If you do not pass, you can retake it"),
    ]
    history = await exams.finished_attempts(session, user.id, course_id)
    passed = next((a for a in history if a.passed), None)
    if history:
        last = history[0]
        lines += ["", _("Last result: {percent} ({correct} of {total})").format(
            percent=fmt_percent(last.percent or 0), correct=last.correct_count or 0, total=last.question_count)]
    retake_at = None if (not history or history[0].passed) else next_attempt_at(history[0].finished_at, policy)
    if retake_at is not None and now < retake_at:
        lines += ["", _("You can retake it in {minutes} min.").format(minutes=minutes_left(retake_at, now))]
    else:
        kb.button(text=_("▶️ Start the exam ({minutes} min)").format(minutes=policy.minutes),
                  callback_data=ExamCB(a="start", k=course_id))
    if passed is not None:
        kb.button(text=_("🎓 Certificate"), callback_data=CertCB(a="home", k=course_id))
    kb.adjust(1)
    await show(event, "\n".join(lines), nav_row(kb, CourseCB(a="home", k=course_id).pack()).as_markup())


@router.message(Command("exam"))
@router.callback_query(MenuCB.filter(F.to == "exam"))
async def exam_entry(event: Message | CallbackQuery, session: AsyncSession, user: User, settings: Settings) -> None:
    await exam_home(event, session, user, settings, MAIN_COURSE)


@router.callback_query(ExamCB.filter())
async def exam_action(query: CallbackQuery, callback_data: ExamCB, session: AsyncSession, user: User,
                      settings: Settings, callback_answer: CallbackAnswer) -> None:
    course_id = callback_data.k
    if course_id not in catalogue():
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)
        return
    if callback_data.a == "home":
        await exam_home(query, session, user, settings, course_id)
    elif callback_data.a == "start":
        await start_exam(query, session, user, settings, course_id, callback_answer)
    elif callback_data.a == "resume":
        attempt = await exams.open_attempt(session, user.id, course_id)
        if attempt is None:
            await exam_home(query, session, user, settings, course_id)
            return
        await next_step(query, session, attempt, settings)
    else:
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)


async def start_exam(query: CallbackQuery, session: AsyncSession, user: User, settings: Settings, course_id: str,
                     callback_answer: CallbackAnswer) -> None:
    now = datetime.now(UTC)
    policy = policy_of(settings)
    existing = await exams.open_attempt(session, user.id, course_id)
    if existing is not None:  # a double tap on "Start": continue the one attempt
        await next_step(query, session, existing, settings)
        return
    history = await exams.finished_attempts(session, user.id, course_id)
    if history and not history[0].passed:
        retake_at = next_attempt_at(history[0].finished_at, policy)
        if retake_at is not None and now < retake_at:
            notify(callback_answer, _("You can retake it in {minutes} min.").format(
                minutes=minutes_left(retake_at, now)), alert=True)
            return
    questions = draw_exam(course_text(course_id).question_keys(), policy.question_count, random.Random())
    try:
        attempt = await exams.create_attempt(session, user_id=user.id, course_id=course_id, questions=questions,
                                             started_at=now, deadline_at=deadline(now, policy),
                                             correct_of=lambda key: course_text(course_id).question(key).correct)
        await session.commit()
    except IntegrityError:  # the other tap of a double tap opened it a moment ago: continue that one
        await session.rollback()
        attempt = await exams.open_attempt(session, user.id, course_id)
        if attempt is None:
            raise
        await next_step(query, session, attempt, settings)
        return
    notify(callback_answer, _("The exam has started. Good luck!"))
    await next_step(query, session, attempt, settings)


async def next_step(event: CallbackQuery, session: AsyncSession, attempt: ExamAttempt, settings: Settings) -> None:
    """Show the current question, or close and score the attempt when nothing is left."""
    now = datetime.now(UTC)
    if attempt.status != "open" or await close_if_expired(session, attempt, settings, now):
        await show_result(event, session, attempt, settings)
        return
    current = await exams.current_question(session, attempt.id)
    if current is None:
        await exams.close_attempt(session, attempt, now=now, status="finished",
                                  pass_percent=settings.exam_pass_percent)
        await show_result(event, session, attempt, settings)
        return
    text, markup = question_screen(attempt, current, now)
    await show(event, text, markup)


async def answered_at_once(query: CallbackQuery, callback_data: ExamAnswerCB, session: AsyncSession, user: User,
                           settings: Settings) -> bool:
    """The common tap (issue #12's hot path): one conditional UPDATE … RETURNING stores and scores the answer,
    one read gives the next question. False when it did not apply (a late, repeated or forged tap, an attempt
    drawn before migration 0007): `exam_answer` then checks everything as before."""
    now = datetime.now(UTC)
    if not 0 <= callback_data.c < 4:
        return False
    tapped = await exams.answer_tap(session, attempt_id=callback_data.t, user_id=user.id, position=callback_data.p,
                                    chosen=callback_data.c, now=now)
    if tapped is None:
        return False
    attempt, following = tapped
    if following is None:
        await exams.close_attempt(session, attempt, now=now, status="finished", pass_percent=settings.exam_pass_percent)
        await show_result(query, session, attempt, settings)
        return True
    await session.commit()  # the answer is stored before the next question is shown
    text, markup = question_screen(attempt, following, now)
    await show(query, text, markup)
    return True


@router.callback_query(ExamAnswerCB.filter())
async def exam_answer(query: CallbackQuery, callback_data: ExamAnswerCB, session: AsyncSession, user: User,
                      settings: Settings, callback_answer: CallbackAnswer) -> None:
    if await answered_at_once(query, callback_data, session, user, settings):
        return
    attempt = await session.get(ExamAttempt, callback_data.t)
    if attempt is None or attempt.user_id != user.id or attempt.course_id not in catalogue():
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)
        return
    now = datetime.now(UTC)
    if attempt.status != "open":
        notify(callback_answer, _("This exam is already finished."), alert=True)
        await show_result(query, session, attempt, settings)
        return
    if await close_if_expired(session, attempt, settings, now):
        notify(callback_answer, _("Time is up: this answer was not counted."), alert=True)
        await show_result(query, session, attempt, settings)
        return
    answers = await exams.answers_of(session, attempt.id)
    current = next((a for a in answers if a.chosen is None), None)
    if current is None or current.position != callback_data.p or not 0 <= callback_data.c < 4:
        notify(callback_answer, _("Already answered."))
        await next_step(query, session, attempt, settings)
        return
    order = tuple(int(x) for x in current.option_order.split(","))
    question = course_text(attempt.course_id).question(current.question_key)
    recorded = await exams.record_answer(session, attempt=attempt, position=current.position,
                                         chosen=callback_data.c,
                                         is_correct=is_correct(order, callback_data.c, question.correct), now=now)
    if not recorded:
        notify(callback_answer, _("Already answered."))
        await session.commit()
        await next_step(query, session, attempt, settings)
        return
    following = next((a for a in answers if a.position > current.position and a.chosen is None), None)
    if following is None:
        await exams.close_attempt(session, attempt, now=now, status="finished",
                                  pass_percent=settings.exam_pass_percent)
        await show_result(query, session, attempt, settings)
        return
    await session.commit()  # the answer is stored before the next question is shown
    text, markup = question_screen(attempt, following, now)
    await show(query, text, markup)
