"""Texts as a native speaker writes them: dates with the day joined to the month where the language does so,
and a course page whose "previous page" and "back" buttons say different things."""

from __future__ import annotations

from datetime import date

import pytest

from bot.formatting import fmt_date
from bot.i18n import create_i18n
from tests.harness import Harness, press_data, sqlite_url
from tests.test_e2e_teacher import onboard_teacher


@pytest.mark.parametrize(("lang", "fmt", "expected"), [
    ("uz", "d MMMM", "18-dekabr"), ("uz", "long", "2026-yil 18-dekabr"), ("uz", "EEEE, d MMMM", "juma, 18-dekabr"),
    ("ky", "d MMMM", "18-декабрь"), ("ky", "EEEE, d MMMM", "жума, 18-декабрь"), ("ky", "d MMM", "18-дек."),
    ("kk", "d MMMM", "18 желтоқсан"), ("ru", "d MMMM", "18 декабря"),
])
def test_dates_as_each_language_writes_them(lang, fmt, expected):
    assert fmt_date(date(2026, 12, 18), lang, fmt) == expected


def test_uzbek_suffix_is_part_of_the_date_word():
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("uz"):
        from aiogram.utils.i18n import gettext as _

        text = _("active until {date}").format(date=fmt_date(date(2026, 12, 18), fmt="d MMMM"))
    assert text.startswith("18-dekabrgacha"), text


@pytest.fixture
async def course_harness(tmp_path):
    from bot.demo import seed_demo

    h = await Harness.start(sqlite_url(tmp_path / "bot.db"))
    async with h.db() as session:
        await seed_demo(session)
    try:
        yield h
    finally:
        await h.stop()


async def test_course_page_previous_and_back_say_different_things(course_harness):
    user = await onboard_teacher(course_harness, 5301, "ru")
    await user.send("/course")
    await user.wait_for()
    await press_data(user, "c:read:criteria_journal:1:")
    page = await press_data(user, "c:read:criteria_journal:1:1")
    labels = {b.get("callback_data", ""): b["text"] for row in page.inline_buttons() for b in row}
    previous = labels["c:read:criteria_journal:1:0"]
    back = next(text for data, text in labels.items() if data.startswith("c:list:"))
    assert "Назад" not in previous and previous != back, (previous, back)
