"""The exam's screens, from usecases/exam.py's views: the rules, the unfinished attempt, a question, the
result (also the deadline job's message). Wording comes from the course file in the user's language."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.courses import course_text
from bot.formatting import fmt_percent
from bot.keyboards.common import menu_button, nav_row
from bot.keyboards.learning import CertAct, CertCB, CourseCB, ExamAct, ExamAnswerCB, ExamCB
from usecases.exam import ExamQuestion, ExamResult, ExamResume, ExamRules, ExamView, Score

Screen = tuple[str, InlineKeyboardMarkup]


def exam_screen(view: ExamView) -> Screen:
    """The screen of any exam view."""
    return _SCREENS[type(view)](view)


def rules_screen(view: ExamRules) -> Screen:
    lines = [
        _("📝 Final exam: {title}").format(title=course_text(view.course_id).title),
        "",
        _("• {count} questions, 4 options each, one is correct").format(count=view.count),
        ngettext("• {minutes} minute from the start; the clock keeps running if you leave",
                 "• {minutes} minutes from the start; the clock keeps running if you leave",
                 view.minutes).format(minutes=view.minutes),
        _("• To pass: more than {pass_mark}, that is {need} of {count}").format(
            pass_mark=fmt_percent(view.pass_percent), need=view.need, count=view.count),
        _("• If you do not pass, you can retake it"),
    ]
    if view.last is not None:
        lines += ["", _("Last result: {percent} ({correct} of {total})").format(
            percent=fmt_percent(view.last.percent), correct=view.last.correct, total=view.last.total)]
    kb = InlineKeyboardBuilder()
    if view.retake_in is not None:
        lines += ["", _("You can retake it in {minutes} min.").format(minutes=view.retake_in)]
    else:
        kb.button(text=_("▶️ Start the exam ({minutes} min)").format(minutes=view.minutes),
                  callback_data=ExamCB(a=ExamAct.start, k=view.course_id))
    if view.passed:
        kb.button(text=_("🎓 Certificate"), callback_data=CertCB(a=CertAct.home, k=view.course_id))
    kb.adjust(1)
    return "\n".join(lines), nav_row(kb, CourseCB(a="home", k=view.course_id).pack()).as_markup()


def resume_screen(view: ExamResume) -> Screen:
    body = _("You have an unfinished exam: question {n}/{total}, {minutes} min left.").format(
        n=view.number, total=view.total, minutes=view.minutes_left)
    kb = InlineKeyboardBuilder()
    kb.button(text=_("▶️ Continue the exam"),
              callback_data=ExamCB(a=ExamAct.resume, k=view.course_id, t=view.attempt_id))
    kb.adjust(1)
    return body, nav_row(kb).as_markup()


def question_screen(view: ExamQuestion) -> Screen:
    question = course_text(view.course_id).question(view.question_key)
    options = "\n".join(f"{i + 1}) {question.options[o]}" for i, o in enumerate(view.option_order))
    head = _("Question {n}/{total} · ⏱ {minutes} min left").format(
        n=view.position + 1, total=view.total, minutes=view.minutes_left)
    # The hot path (issue #12): the markup built at once, not through a builder that deep-copies every button
    # on each add and again for the markup. Four options a row, then Menu.
    answers = [InlineKeyboardButton(text=str(shown + 1), callback_data=ExamAnswerCB(
        t=view.attempt_id, p=view.position, c=shown).pack()) for shown in range(len(view.option_order))]
    rows = [answers[i:i + 4] for i in range(0, len(answers), 4)]
    return f"{head}\n\n{question.text}\n\n{options}", InlineKeyboardMarkup(inline_keyboard=[*rows, [menu_button()]])


def result_screen(view: ExamResult) -> Screen:
    """The pass mark is named to the teacher who did not reach it."""
    kb = InlineKeyboardBuilder()
    lines = [_("⏰ Time is up. Answers after the deadline are not counted.")] if view.expired else []
    if view.passed:
        lines.append(_("✅ Exam passed: {score}.").format(score=_score(view.score)))
        lines.append(_("Get your certificate with your name on it."))
        kb.button(text=_("🎓 Get the certificate"), callback_data=CertCB(a=CertAct.home, k=view.course_id))
    else:
        lines.append(_("❌ Not passed: {score}. To pass you need more than {pass_mark}.").format(
            score=_score(view.score), pass_mark=fmt_percent(view.pass_percent)))
        lines += _revisit_lines(view)
        lines.append(_("You can retake the exam."))
        kb.button(text=_("🔁 Retake the exam"), callback_data=ExamCB(a=ExamAct.home, k=view.course_id))
        if view.revisit:
            kb.button(text=_("📖 Lesson {n}").format(n=view.revisit[0]),
                      callback_data=CourseCB(a="read", k=view.course_id, l=view.revisit[0]))
    kb.adjust(1)
    return "\n".join(lines), nav_row(kb).as_markup()


def _score(score: Score) -> str:
    return _("{percent} ({correct} of {total})").format(
        percent=fmt_percent(score.percent), correct=score.correct, total=score.total)


def _revisit_lines(view: ExamResult) -> list[str]:
    if not view.revisit:
        return []
    text = course_text(view.course_id)
    return [_("Lessons to revisit:")] + [f"• {n}. {text.lesson(n).title}" for n in view.revisit]


_SCREENS = {ExamRules: rules_screen, ExamResume: resume_screen, ExamQuestion: question_screen,
            ExamResult: result_screen}
