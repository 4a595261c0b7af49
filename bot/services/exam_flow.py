"""Exam screens shared by the handlers and the deadline job: the question and the result."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.courses import course_text
from bot.formatting import fmt_percent
from bot.keyboards.common import nav_row
from bot.keyboards.learning import CertCB, CourseCB, ExamAnswerCB, ExamCB
from domain.exam import minutes_left
from storage.models import ExamAnswer, ExamAttempt


def question_screen(attempt: ExamAttempt, answer: ExamAnswer, now) -> tuple[str, InlineKeyboardMarkup]:
    text = course_text(attempt.course_id)
    question = text.question(answer.question_key)
    order = [int(x) for x in answer.option_order.split(",")]
    options = "\n".join(f"{i + 1}) {question.options[o]}" for i, o in enumerate(order))
    head = _("Question {n}/{total} · ⏱ {minutes} min left").format(
        n=answer.position + 1, total=attempt.question_count, minutes=minutes_left(attempt.deadline_at, now))
    kb = InlineKeyboardBuilder()
    for shown in range(len(order)):
        kb.button(text=str(shown + 1), callback_data=ExamAnswerCB(t=attempt.id, p=answer.position, c=shown))
    kb.adjust(4)
    return f"{head}\n\n{question.text}\n\n{options}", nav_row(kb).as_markup()


def result_screen(attempt: ExamAttempt, revisit: list[int],
                  pass_percent: float) -> tuple[str, InlineKeyboardMarkup]:
    """`pass_percent`: the settings' pass mark, named to the teacher who did not reach it."""
    text = course_text(attempt.course_id)
    kb = InlineKeyboardBuilder()
    score = _("{percent} ({correct} of {total})").format(
        percent=fmt_percent(attempt.percent or 0), correct=attempt.correct_count or 0, total=attempt.question_count)
    lines = []
    if attempt.status == "expired":
        lines.append(_("⏰ Time is up. Answers after the deadline are not counted."))
    if attempt.passed:
        lines.append(_("✅ Exam passed: {score}.").format(score=score))
        lines.append(_("Get your certificate with your name on it."))
        kb.button(text=_("🎓 Get the certificate"), callback_data=CertCB(a="home", k=attempt.course_id))
    else:
        lines.append(_("❌ Not passed: {score}. To pass you need more than {pass_mark}.").format(
            score=score, pass_mark=fmt_percent(pass_percent)))
        if revisit:
            lines.append(_("Lessons to revisit:"))
            lines += [f"• {n}. {text.lesson(n).title}" for n in revisit]
        lines.append(_("You can retake the exam."))
        kb.button(text=_("🔁 Retake the exam"), callback_data=ExamCB(a="home", k=attempt.course_id))
        if revisit:
            kb.button(text=_("📖 Lesson {n}").format(n=revisit[0]),
                      callback_data=CourseCB(a="read", k=attempt.course_id, l=revisit[0]))
    kb.adjust(1)
    return "\n".join(lines), nav_row(kb).as_markup()
