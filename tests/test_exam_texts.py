"""The exam's length and pass mark are named as configured (EXAM_MINUTES, EXAM_PASS_PERCENT), in the help, the
exam rules, the results of the exam and of a lesson's tasks, and never as a number written into a translation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.formatting import fmt_minutes
from bot.i18n import create_i18n
from bot.keyboards.learning import CourseCB
from content.catalogue import MAIN_COURSE, catalogue
from storage.models import QuizRun
from tests.harness import Harness, press_data, sqlite_url
from tests.test_e2e_teacher import answer_exam, onboard_teacher

PASS_PERCENT = 70
MINUTES = 30


@pytest.fixture
async def strict_harness(tmp_path):
    from bot.demo import seed_demo

    h = await Harness.start(sqlite_url(tmp_path / "bot.db"), exam_questions=10,
                            exam_pass_percent=PASS_PERCENT, exam_minutes=MINUTES)
    async with h.db() as session:
        await seed_demo(session)
    try:
        yield h
    finally:
        await h.stop()


def assert_no_default_policy(text: str) -> None:
    assert "60 %" not in text and "45" not in text, text


async def test_help_rules_and_results_name_the_configured_exam(strict_harness):
    h = strict_harness
    user = await onboard_teacher(h, 5201, "ru")

    await user.send("/help")
    shown = (await user.wait_for()).text
    assert f"{MINUTES} минут," in shown and f"{PASS_PERCENT} %" in shown
    assert_no_default_policy(shown)

    await user.send("/certificate")
    assert_no_default_policy((await user.wait_for()).text)

    await user.send("/exam")
    rules = (await user.wait_for()).text
    assert f"• {MINUTES} минут с момента" in rules and f"более {PASS_PERCENT} %" in rules
    assert "не меньше 8 из 10" in rules  # 7 of 10 is exactly 70 %: not enough
    assert_no_default_policy(rules)

    await press_data(user, "x:start")
    await answer_exam(h, user, right=False)
    await user.wait_idle()
    result = user.last().text
    assert "❌" in result and f"более {PASS_PERCENT} %" in result
    assert_no_default_policy(result)


async def test_lesson_tasks_name_the_configured_pass_mark(strict_harness):
    h = strict_harness
    user = await onboard_teacher(h, 5202, "ru")
    await user.send("/course")
    await user.wait_for()
    await press_data(user, "c:read:criteria_journal:1:")
    await user.click_data(CourseCB(a="tasks", k=MAIN_COURSE, l=1).pack())
    await user.wait_for()
    lesson = catalogue()[MAIN_COURSE].text("ru").lesson(1)
    for _ in lesson.questions:
        async with h.db() as session:
            run = await session.scalar(select(QuizRun).where(QuizRun.user_id == 5202, QuizRun.finished_at.is_(None)))
        index, order = run.plan[run.answered]
        wrong = (order.index(lesson.questions[index].correct) + 1) % 4
        result = await press_data(user, f"q:{run.id}:{run.answered}:{wrong}")
    assert "❌" in result.text and f"более {PASS_PERCENT} %" in result.text
    assert_no_default_policy(result.text)


@pytest.mark.parametrize(("lang", "expected"), [
    ("uz", f"{PASS_PERCENT} %dan ortiq"),   # the suffix joins the number's sign, as Uzbek writes it
    ("kk", f"{PASS_PERCENT} %-дан жоғары"),
    ("ky", f"{PASS_PERCENT} %дан ашык"),
])
async def test_exam_rules_in_each_language(strict_harness, lang, expected):
    user = await onboard_teacher(strict_harness, 5210, lang)
    await user.send("/exam")
    rules = (await user.wait_for()).text
    assert expected in rules and f"{MINUTES} " in rules
    assert_no_default_policy(rules)


@pytest.mark.parametrize(("lang", "minutes", "expected"), [
    ("ru", 21, "21 минута"), ("ru", 22, "22 минуты"), ("ru", 45, "45 минут"), ("ru", 11, "11 минут"),
    ("uz", 45, "45 daqiqa"), ("kk", 1, "1 минут"), ("ky", 30, "30 мүнөт"),
])
def test_minutes_are_spelled_with_the_plural_form(lang, minutes, expected):
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale(lang):
        assert fmt_minutes(minutes) == expected
