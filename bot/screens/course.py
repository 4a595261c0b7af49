"""The course's screens: the choice of courses, a course's progress, a block's lessons, a page, a task and a
lesson's result. Pure: a view model in, text and keyboard out (in the current language)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.formatting import fmt_percent, progress_bar
from bot.keyboards.common import MenuCB, nav_row
from bot.keyboards.learning import CourseAct, CourseCB, ExamAct, ExamCB, QuizCB
from bot.ui import clip
from domain.course import Question
from usecases.course import CourseChoice, CourseHome, LessonList, Page, Task, TasksResult

Screen = tuple[str, InlineKeyboardMarkup]


def option_lines(question: Question, order: list[int] | tuple[int, ...]) -> str:
    return "\n".join(f"{i + 1}) {question.options[original]}" for i, original in enumerate(order))


def courses_screen(view: CourseHome | CourseChoice) -> Screen:
    """/course: the choice of courses, or the only course's progress."""
    if isinstance(view, CourseHome):
        return course_home_screen(view)
    kb = InlineKeyboardBuilder()
    for course_id, title in view.courses:
        kb.button(text=clip(title), callback_data=CourseCB(a=CourseAct.home, k=course_id))
    kb.adjust(1)
    return _("Choose a course:"), nav_row(kb).as_markup()


def course_home_screen(home: CourseHome) -> Screen:
    text, lessons = home.text, home.text.lessons
    block, lesson = text.block_of(home.lesson), text.lesson(home.lesson)
    lines = [
        f"📚 {text.title}",
        "",
        _("{bar} {passed} of {total} lessons passed").format(bar=progress_bar(home.passed, len(lessons)),
                                                             passed=home.passed, total=len(lessons)),
        _("Block {block}/{blocks} · lesson {lesson}/{lessons}: {title}").format(
            block=block.number, blocks=len(text.blocks), lesson=home.lesson, lessons=len(lessons), title=lesson.title),
    ]
    if not home.started:
        lines += ["", text.description, "", _("You can study first, or start the exam at once.")]
    kb = InlineKeyboardBuilder()
    start_label = _("▶️ Continue: lesson {n}") if home.started else _("▶️ Start: lesson {n}")
    kb.button(text=start_label.format(n=home.lesson),
              callback_data=CourseCB(a=CourseAct.read, k=text.course_id, l=home.lesson, p=home.page))
    kb.button(text=_("📋 All lessons"), callback_data=CourseCB(a=CourseAct.list, k=text.course_id, p=block.number))
    kb.button(text=_("📝 Exam"), callback_data=ExamCB(a=ExamAct.home, k=text.course_id))
    kb.adjust(1)
    back = MenuCB(to="courses").pack() if home.several_courses else None
    return "\n".join(lines), nav_row(kb, back).as_markup()


def lesson_list_screen(view: LessonList) -> Screen:
    text, block = view.text, view.block
    kb = InlineKeyboardBuilder()
    for lesson in block.lessons:
        mark = "✅" if lesson.number in view.passed else "▫️"
        kb.button(text=clip(f"{mark} {lesson.number}. {lesson.title}"),
                  callback_data=CourseCB(a=CourseAct.read, k=text.course_id, l=lesson.number))
    kb.adjust(1)
    arrows = []
    if block.number > 1:
        arrows.append(InlineKeyboardButton(
            text=_("◀️ Block {n}").format(n=block.number - 1),
            callback_data=CourseCB(a=CourseAct.list, k=text.course_id, p=block.number - 1).pack()))
    if block.number < len(text.blocks):
        arrows.append(InlineKeyboardButton(
            text=_("Block {n} ▶️").format(n=block.number + 1),
            callback_data=CourseCB(a=CourseAct.list, k=text.course_id, p=block.number + 1).pack()))
    if arrows:
        kb.row(*arrows)
    header = _("Block {n}/{total}: {title}").format(n=block.number, total=len(text.blocks), title=block.title)
    return header, nav_row(kb, CourseCB(a=CourseAct.home, k=text.course_id).pack()).as_markup()


def page_screen(view: Page) -> Screen:
    text, lesson, page = view.text, view.lesson, view.page
    head = _("Block {block}/{blocks} · lesson {lesson}/{lessons} · ⏱ {minutes} min").format(
        block=view.block.number, blocks=len(text.blocks), lesson=lesson.number, lessons=len(text.lessons),
        minutes=lesson.minutes)
    body = f"{head}\n{lesson.title}\n\n{lesson.pages[page]}\n\n" + _("Page {page}/{pages}").format(
        page=page + 1, pages=len(lesson.pages))
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(text=_("◀️ Previous"), callback_data=CourseCB(
            a=CourseAct.read, k=text.course_id, l=lesson.number, p=page - 1).pack()))
    if page < len(lesson.pages) - 1:
        row.append(InlineKeyboardButton(text=_("Next ▶️"), callback_data=CourseCB(
            a=CourseAct.read, k=text.course_id, l=lesson.number, p=page + 1).pack()))
    else:
        row.append(InlineKeyboardButton(
            text="📝 " + ngettext("Tasks: {n} question", "Tasks: {n} questions", len(lesson.questions)).format(
                n=len(lesson.questions)),
            callback_data=CourseCB(a=CourseAct.tasks, k=text.course_id, l=lesson.number).pack()))
    kb = InlineKeyboardBuilder()
    kb.row(*row)
    back = CourseCB(a=CourseAct.list, k=text.course_id, p=view.block.number).pack()
    return body, nav_row(kb, back).as_markup()


def task_screen(task: Task) -> Screen:
    body = (_("Lesson {lesson} tasks · question {n}/{total}").format(
        lesson=task.lesson_no, n=task.position + 1, total=task.total)
        + f"\n\n{task.question.text}\n\n{option_lines(task.question, task.order)}")
    kb = InlineKeyboardBuilder()
    for shown in range(len(task.order)):
        kb.button(text=str(shown + 1), callback_data=QuizCB(r=task.run_id, p=task.position, c=shown))
    kb.adjust(4)
    back = CourseCB(a=CourseAct.read, k=task.course_id, l=task.lesson_no).pack()
    return body, nav_row(kb, back).as_markup()


def answer_toast(right: bool | None) -> str:
    if right is None:
        return _("Already answered.")
    return _("✅ Correct") if right else _("❌ Not quite")


def result_screen(result: TasksResult) -> Screen:
    course_id, lesson_no = result.course_id, result.lesson_no
    kb = InlineKeyboardBuilder()
    if result.passed:
        body = _("✅ {percent}: {correct} of {total} correct. Lesson {lesson} passed.").format(
            percent=fmt_percent(result.percent), correct=result.correct, total=result.total, lesson=lesson_no)
        if not result.last_lesson:
            kb.button(text=_("▶️ Next lesson"), callback_data=CourseCB(a=CourseAct.read, k=course_id, l=lesson_no + 1))
        else:
            body += "\n" + _("That was the last lesson. You are ready for the exam.")
            kb.button(text=_("📝 Exam"), callback_data=ExamCB(a=ExamAct.home, k=course_id))
    else:
        body = _("❌ {percent}: {correct} of {total} correct. To pass you need more than {pass_mark}.").format(
            percent=fmt_percent(result.percent), correct=result.correct, total=result.total,
            pass_mark=fmt_percent(result.pass_percent))
        kb.button(text=_("📖 Read again"), callback_data=CourseCB(a=CourseAct.read, k=course_id, l=lesson_no))
    kb.button(text=_("🔁 Retry the tasks"), callback_data=CourseCB(a=CourseAct.tasks, k=course_id, l=lesson_no))
    kb.adjust(1)
    return body, nav_row(kb, CourseCB(a=CourseAct.home, k=course_id).pack()).as_markup()
