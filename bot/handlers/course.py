"""The course: progress, lessons page by page, and each lesson's tasks (pass above the exam's pass mark,
EXAM_PASS_PERCENT, as the course itself says; retry allowed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.courses import MAIN_COURSE, catalogue, course_text
from bot.formatting import fmt_percent, progress_bar
from bot.keyboards.common import MenuCB, nav_row
from bot.keyboards.learning import CourseCB, ExamCB, QuizCB
from bot.ui import clip, notify, show
from domain.course import CourseText, Question
from domain.exam import is_pass, percent, shuffled_order
from storage.models import QuizRun, User
from storage.repositories import learning

router = Router(name=__name__)


def option_lines(question: Question, order: list[int] | tuple[int, ...]) -> str:
    return "\n".join(f"{i + 1}) {question.options[original]}" for i, original in enumerate(order))


async def course_home(event: Message | CallbackQuery, session: AsyncSession, user: User, course_id: str) -> None:
    text = course_text(course_id)
    results = await learning.lesson_results(session, user.id, course_id)
    progress = await learning.get_progress(session, user.id, course_id)
    lessons = text.lessons
    passed = sum(1 for r in results.values() if r.passed)
    current = progress.lesson_no if progress else 1
    block = text.block_of(current)
    lesson = text.lesson(current)
    lines = [
        f"📚 {text.title}",
        "",
        _("{bar} {passed} of {total} lessons passed").format(bar=progress_bar(passed, len(lessons)),
                                                             passed=passed, total=len(lessons)),
        _("Block {block}/{blocks} · lesson {lesson}/{lessons}: {title}").format(
            block=block.number, blocks=len(text.blocks), lesson=current, lessons=len(lessons), title=lesson.title),
    ]
    if progress is None:
        lines += ["", text.description, "",
                  _("You can study first, or start the exam at once.")]
    kb = InlineKeyboardBuilder()
    start_label = _("▶️ Continue: lesson {n}") if progress else _("▶️ Start: lesson {n}")
    kb.button(text=start_label.format(n=current),
              callback_data=CourseCB(a="read", k=course_id, l=current, p=progress.page if progress else 0))
    kb.button(text=_("📋 All lessons"), callback_data=CourseCB(a="list", k=course_id, p=block.number))
    kb.button(text=_("📝 Exam"), callback_data=ExamCB(a="home", k=course_id))
    kb.adjust(1)
    back = MenuCB(to="courses").pack() if len(catalogue()) > 1 else None
    await show(event, "\n".join(lines), nav_row(kb, back).as_markup())


async def course_list(event: Message | CallbackQuery) -> None:
    kb = InlineKeyboardBuilder()
    for course_id in catalogue():
        kb.button(text=clip(course_text(course_id).title), callback_data=CourseCB(a="home", k=course_id))
    kb.adjust(1)
    await show(event, _("Choose a course:"), nav_row(kb).as_markup())


@router.message(Command("course"))
@router.callback_query(MenuCB.filter(F.to.in_({"course", "courses"})))
async def course_entry(event: Message | CallbackQuery, session: AsyncSession, user: User) -> None:
    if len(catalogue()) > 1:
        await course_list(event)
    else:
        await course_home(event, session, user, MAIN_COURSE)


def _known(callback_data: CourseCB) -> CourseText | None:
    if callback_data.k not in catalogue():
        return None
    text = course_text(callback_data.k)
    if callback_data.a in ("read", "tasks") and not 1 <= callback_data.l <= len(text.lessons):
        return None
    return text


@router.callback_query(CourseCB.filter())
async def course_action(query: CallbackQuery, callback_data: CourseCB, session: AsyncSession, user: User,
                        callback_answer: CallbackAnswer) -> None:
    text = _known(callback_data)
    if text is None:
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)
        return
    if callback_data.a == "home":
        await course_home(query, session, user, callback_data.k)
    elif callback_data.a == "list":
        await lesson_list(query, session, user, text, callback_data.p)
    elif callback_data.a == "read":
        await read_page(query, session, user, text, callback_data.l, callback_data.p)
    elif callback_data.a == "tasks":
        await start_tasks(query, session, user, text, callback_data.l)
    else:
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)


async def lesson_list(query: CallbackQuery, session: AsyncSession, user: User, text: CourseText,
                      block_no: int) -> None:
    block_no = min(max(block_no, 1), len(text.blocks))
    block = text.blocks[block_no - 1]
    results = await learning.lesson_results(session, user.id, text.course_id)
    kb = InlineKeyboardBuilder()
    for lesson in block.lessons:
        mark = "✅" if results.get(lesson.number) and results[lesson.number].passed else "▫️"
        kb.button(text=clip(f"{mark} {lesson.number}. {lesson.title}"),
                  callback_data=CourseCB(a="read", k=text.course_id, l=lesson.number))
    kb.adjust(1)
    arrows = []
    if block_no > 1:
        arrows.append(InlineKeyboardButton(
            text=_("◀️ Block {n}").format(n=block_no - 1),
            callback_data=CourseCB(a="list", k=text.course_id, p=block_no - 1).pack()))
    if block_no < len(text.blocks):
        arrows.append(InlineKeyboardButton(
            text=_("Block {n} ▶️").format(n=block_no + 1),
            callback_data=CourseCB(a="list", k=text.course_id, p=block_no + 1).pack()))
    if arrows:
        kb.row(*arrows)
    header = _("Block {n}/{total}: {title}").format(n=block_no, total=len(text.blocks), title=block.title)
    await show(query, header, nav_row(kb, CourseCB(a="home", k=text.course_id).pack()).as_markup())


async def read_page(query: CallbackQuery, session: AsyncSession, user: User, text: CourseText, lesson_no: int,
                    page: int) -> None:
    lesson = text.lesson(lesson_no)
    page = min(max(page, 0), len(lesson.pages) - 1)
    block = text.block_of(lesson_no)
    await learning.save_position(session, user.id, text.course_id, lesson_no, page, datetime.now(UTC))
    head = _("Block {block}/{blocks} · lesson {lesson}/{lessons} · ⏱ {minutes} min").format(
        block=block.number, blocks=len(text.blocks), lesson=lesson_no, lessons=len(text.lessons),
        minutes=lesson.minutes)
    body = f"{head}\n{lesson.title}\n\n{lesson.pages[page]}\n\n" + _("Page {page}/{pages}").format(
        page=page + 1, pages=len(lesson.pages))
    kb = InlineKeyboardBuilder()
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(text=_("◀️ Previous"), callback_data=CourseCB(
            a="read", k=text.course_id, l=lesson_no, p=page - 1).pack()))
    if page < len(lesson.pages) - 1:
        row.append(InlineKeyboardButton(text=_("Next ▶️"), callback_data=CourseCB(
            a="read", k=text.course_id, l=lesson_no, p=page + 1).pack()))
    else:
        row.append(InlineKeyboardButton(
            text="📝 " + ngettext("Tasks: {n} question", "Tasks: {n} questions", len(lesson.questions)).format(
                n=len(lesson.questions)),
            callback_data=CourseCB(a="tasks", k=text.course_id, l=lesson_no).pack()))
    kb.row(*row)
    back = CourseCB(a="list", k=text.course_id, p=block.number).pack()
    await show(query, body, nav_row(kb, back).as_markup())


async def start_tasks(query: CallbackQuery, session: AsyncSession, user: User, text: CourseText,
                      lesson_no: int) -> None:
    lesson = text.lesson(lesson_no)
    unfinished = await learning.open_quiz(session, user.id, text.course_id, lesson_no)
    if unfinished is not None and 0 < unfinished.answered < len(unfinished.plan):
        await show_task(query, text, unfinished)  # resume at the next question
        return
    rng = random.Random()
    plan = [[i, list(shuffled_order(rng))] for i in range(len(lesson.questions))]
    run = await learning.start_quiz(session, user.id, text.course_id, lesson_no, plan, datetime.now(UTC))
    await session.commit()
    await show_task(query, text, run)


async def show_task(query: CallbackQuery, text: CourseText, run: QuizRun) -> None:
    lesson = text.lesson(run.lesson_no)
    position = run.answered
    index, order = run.plan[position]
    question = lesson.questions[index]
    body = (_("Lesson {lesson} tasks · question {n}/{total}").format(
        lesson=lesson.number, n=position + 1, total=len(run.plan))
        + f"\n\n{question.text}\n\n{option_lines(question, order)}")
    kb = InlineKeyboardBuilder()
    for shown in range(len(order)):
        kb.button(text=str(shown + 1), callback_data=QuizCB(r=run.id, p=position, c=shown))
    kb.adjust(4)
    back = CourseCB(a="read", k=text.course_id, l=lesson.number).pack()
    await show(query, body, nav_row(kb, back).as_markup())


@router.callback_query(QuizCB.filter())
async def task_answered(query: CallbackQuery, callback_data: QuizCB, session: AsyncSession, user: User,
                        settings: Settings, callback_answer: CallbackAnswer) -> None:
    run = await session.get(QuizRun, callback_data.r)
    if run is None or run.user_id != user.id or run.course_id not in catalogue():
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)
        return
    text = course_text(run.course_id)
    if not 0 <= callback_data.c < 4 or not await learning.answer_quiz(
            session, run, callback_data.p, callback_data.c, datetime.now(UTC)):
        notify(callback_answer, _("Already answered."))
        if run.finished_at is None:
            await show_task(query, text, run)
        return
    index, order = run.plan[callback_data.p]
    question = text.lesson(run.lesson_no).questions[index]
    right = order[callback_data.c] == question.correct
    notify(callback_answer, _("✅ Correct") if right else _("❌ Not quite"))
    if run.finished_at is None:
        await session.commit()
        await show_task(query, text, run)
        return
    await finish_tasks(query, session, user, text, run, settings.exam_pass_percent)


async def finish_tasks(query: CallbackQuery, session: AsyncSession, user: User, text: CourseText,
                       run: QuizRun, pass_percent: float) -> None:
    lesson = text.lesson(run.lesson_no)
    correct = sum(1 for (index, order), choice in zip(run.plan, run.answers, strict=True)
                  if order[choice] == lesson.questions[index].correct)
    total = len(run.plan)
    passed = is_pass(correct, total, pass_percent)
    pct = percent(correct, total)
    now = datetime.now(UTC)
    await learning.record_lesson_result(session, user.id, text.course_id, lesson.number, pct, passed, now)
    next_no = lesson.number + 1 if lesson.number < len(text.lessons) else lesson.number
    if passed:
        await learning.save_position(session, user.id, text.course_id, next_no, 0, now)
    await session.commit()
    kb = InlineKeyboardBuilder()
    if passed:
        body = _("✅ {percent}: {correct} of {total} correct. Lesson {lesson} passed.").format(
            percent=fmt_percent(pct), correct=correct, total=total, lesson=lesson.number)
        if lesson.number < len(text.lessons):
            kb.button(text=_("▶️ Next lesson"), callback_data=CourseCB(a="read", k=text.course_id, l=next_no))
        else:
            body += "\n" + _("That was the last lesson. You are ready for the exam.")
            kb.button(text=_("📝 Exam"), callback_data=ExamCB(a="home", k=text.course_id))
    else:
        body = _("❌ {percent}: {correct} of {total} correct. To pass you need more than {pass_mark}.").format(
            percent=fmt_percent(pct), correct=correct, total=total, pass_mark=fmt_percent(pass_percent))
        kb.button(text=_("📖 Read again"), callback_data=CourseCB(a="read", k=text.course_id, l=lesson.number))
    kb.button(text=_("🔁 Retry the tasks"), callback_data=CourseCB(a="tasks", k=text.course_id, l=lesson.number))
    kb.adjust(1)
    await show(query, body, nav_row(kb, CourseCB(a="home", k=text.course_id).pack()).as_markup())
