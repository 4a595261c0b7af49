"""The Mini App in a real browser (Playwright driving Debian's Chromium) against the bot's own web app on
loopback, with a stand-in of Telegram's `window.Telegram.WebApp`: a teacher sets attendance and a mark in
the grid and the parent's chat view shows them; the parent's page shows their child only; screenshots at
360×640 in light and dark themes in all four languages go to tests/artifacts/webapp/."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import select

from domain.journal import next_attendance, week_start
from storage.models import JournalChange, JournalLesson, JournalMark, SchoolClass, Staff, Student, Subject, User
from tests.webapp_support import CLASS_TEACHER, PARENT, TEACHER, own_slot, start_web_school

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts" / "webapp"
playwright_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed (pip install "
                                                                   "-e '.[test]')")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium; "
                                                              ".ci/run installs it)")

THEMES = {
    "light": {"bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#999999", "link_color": "#2481cc",
              "button_color": "#2481cc", "button_text_color": "#ffffff", "secondary_bg_color": "#efeff3",
              "header_bg_color": "#ffffff", "section_bg_color": "#ffffff", "destructive_text_color": "#e53935"},
    "dark": {"bg_color": "#212121", "text_color": "#ffffff", "hint_color": "#aaaaaa", "link_color": "#8774e1",
             "button_color": "#8774e1", "button_text_color": "#ffffff", "secondary_bg_color": "#181818",
             "header_bg_color": "#212121", "section_bg_color": "#212121", "destructive_text_color": "#ff595a"},
}

#: A stand-in of telegram-web-app.js: the same fields and methods the page uses, recording what it is asked.
STANDIN = """
window.__tg = {closed: false, backVisible: false, backHandler: null};
window.Telegram = {WebApp: {
  initData: %(init)s, initDataUnsafe: {}, colorScheme: %(scheme)s, themeParams: %(theme)s, platform: "tdesktop",
  version: "8.0", ready() {}, expand() {}, close() { window.__tg.closed = true; },
  enableClosingConfirmation() { window.__tg.confirmClose = true; },
  disableClosingConfirmation() { window.__tg.confirmClose = false; },
  onEvent() {}, offEvent() {},
  BackButton: {isVisible: false, show() { this.isVisible = window.__tg.backVisible = true; },
               hide() { this.isVisible = window.__tg.backVisible = false; },
               onClick(cb) { window.__tg.backHandler = cb; }},
}};
"""


@pytest.fixture
async def served(tmp_path):
    """The demo school's web app on a real loopback port."""
    school = await start_web_school(tmp_path)
    runner = web.AppRunner(school.web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        school.url = f"http://127.0.0.1:{port}/webapp/"
        yield school, school.url
    finally:
        await runner.cleanup()
        await school.app.close()


@pytest.fixture
async def browser():
    async with playwright_api.async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            yield chromium
        finally:
            await chromium.close()


async def open_page(browser, school, url: str, user_id: int, *, theme: str = "light", query: str = ""):
    context = await browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1)
    init = school.headers(user_id)["Authorization"].removeprefix("tma ")
    await context.add_init_script(STANDIN % {"init": json.dumps(init), "scheme": json.dumps(theme),
                                             "theme": json.dumps(THEMES[theme])})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(url + query)
    return context, page, errors


async def set_language(school, lang: str) -> None:
    async with school.app.sessions() as session:
        for user_id in (TEACHER, PARENT):
            (await session.get(User, user_id)).language = lang
        await session.commit()


async def no_page_scroll(page) -> None:
    width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


async def test_teacher_sets_attendance_and_a_mark_and_the_parent_sees_them(served, browser):
    school, url = served
    child_id = school.demo.student_ids[0]
    async with school.app.sessions() as session:
        child = await session.get(Student, child_id)
    slot, day, klass = await own_slot(school, TEACHER, class_id=child.class_id)
    async with school.app.sessions() as session:
        subject = (await session.get(Subject, slot.subject_id)).name
        lesson = await session.scalar(select(JournalLesson).where(
            JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
            JournalLesson.lesson_date == day, JournalLesson.period == slot.period))
        before = await session.scalar(select(JournalMark).where(JournalMark.lesson_id == lesson.id,
                                                                JournalMark.student_id == child_id)) \
            if lesson else None
    context, page, errors = await open_page(browser, school, url, TEACHER)
    await page.wait_for_selector("#grid")
    await page.select_option("#pair", f"{slot.class_id}:{slot.subject_id}")
    await page.wait_for_selector("body:not([data-loading])")
    assert (await page.text_content("#title")).startswith(klass.name)
    if day < week_start(school.clock.now.date()):
        await page.click("#earlier")
        await page.wait_for_selector("body:not([data-loading])")
    await page.wait_for_selector(f'#grid th.col[data-day="{day.isoformat()}"][data-period="{slot.period}"]')
    column = await column_index(page, day.isoformat(), slot.period)
    cell = f'td[data-key="{column}:{child_id}"]'
    await no_page_scroll(page)
    # Attendance mode: one tap moves the cell on by one, as in chat.
    expected = next_attendance(before.attendance if before else "present")
    await page.click(f"{cell} button")
    await page.wait_for_selector(f'{cell}[data-att="{expected}"]:not(.pending)')
    # Marks mode: the picker offers the country's scale; 2 is never in the demo's marks.
    await page.click('button[data-value="mark"]')
    await page.click(f"{cell} button")
    await page.click('#sheet button.mark[data-grade="2"][data-kind="regular"]')
    await page.wait_for_function(f"document.querySelector('{cell}:not(.pending) button')?.textContent.includes('2')")
    await page.wait_for_function("document.querySelector('#status').dataset.kind === 'ok'")
    assert not errors, errors
    async with school.app.sessions() as session:
        lesson = await session.scalar(select(JournalLesson).where(
            JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
            JournalLesson.lesson_date == day, JournalLesson.period == slot.period))
        mark = await session.scalar(select(JournalMark).where(JournalMark.lesson_id == lesson.id,
                                                              JournalMark.student_id == child_id))
        assert (mark.attendance, mark.grade) == (expected, 2)
        fields = [c.field for c in await session.scalars(select(JournalChange).where(
            JournalChange.lesson_id == lesson.id, JournalChange.student_id == child_id, JournalChange.changed_by ==
            TEACHER))]
        assert "attendance" in fields and "grade" in fields
    # The parent's chat screen (the function the chat's "This week" button calls) shows both.
    from bot.formatting import fmt_date, line_start
    from bot.screens.parents import week_text
    from usecases.parents import week_on
    from usecases.uow import UnitOfWork

    with school.app.i18n.context(), school.app.i18n.use_locale("ru"):
        async with UnitOfWork(school.app.sessions) as uow:
            text = week_text(await week_on(uow, PARENT, child_id, day))
        line = next(li for li in text.splitlines() if li.startswith(line_start(fmt_date(day, "ru", "EEE d MMM"))))
    icon = {"absent": "✗", "excused": "🤒", "late": "⏰"}.get(expected)
    assert f"{subject} 2" in line and (icon is None or f"{icon} {subject}" in line), text
    await context.close()


async def column_index(page, day: str, period: int) -> int:
    return await page.evaluate("""([day, period]) => {
        const heads = [...document.querySelectorAll('#grid thead th.col')];
        return heads.findIndex((th) => th.dataset.day === day && Number(th.dataset.period) === period);
    }""", [day, period])


async def test_a_change_from_another_device_is_shown_and_a_lost_connection_retried(served, browser):
    school, url = served
    slot, day, _klass = await own_slot(school, TEACHER)
    context, page, _errors = await open_page(browser, school, url, TEACHER)
    await page.wait_for_selector("#grid")
    await page.select_option("#pair", f"{slot.class_id}:{slot.subject_id}")
    await page.wait_for_selector("body:not([data-loading])")
    if day < week_start(school.clock.now.date()):
        await page.click("#earlier")
        await page.wait_for_selector("body:not([data-loading])")
    await page.wait_for_selector(f'#grid th.col[data-day="{day.isoformat()}"][data-period="{slot.period}"]')
    column = await column_index(page, day.isoformat(), slot.period)
    pupils = await page.eval_on_selector_all("#grid tbody tr", "rows => rows.map(r => r.dataset.pupil)")
    first, second = int(pupils[0]), int(pupils[1])
    # Another device marks the first pupil late meanwhile.
    grid = await (await school_get(school, TEACHER, slot, day)).json()
    version = grid["columns"][column]["version"]
    response = await school_post(school, TEACHER, {"timetable_id": slot.id, "day": day.isoformat(),
                                                   "student_id": first, "version": version, "attendance": "late"})
    assert response.status == 200
    await page.click(f'td[data-key="{column}:{first}"] button')
    await page.wait_for_selector("#toast:not([hidden])")
    assert "другом устройстве" in await page.text_content("#toast")
    await page.wait_for_selector(f'td[data-key="{column}:{first}"][data-att="late"]')
    # No connection: the tap is kept, shown as waiting, and sent when the connection is back.
    await context.set_offline(True)
    await page.click(f'td[data-key="{column}:{second}"] button')
    await page.wait_for_function("document.querySelector('#status').dataset.kind === 'warn'")
    assert await page.query_selector(f'td[data-key="{column}:{second}"].pending')
    assert await page.evaluate("window.__tg.confirmClose"), "closing is confirmed while a change waits"
    await context.set_offline(False)
    await page.wait_for_function("document.querySelector('#status').dataset.kind === 'ok'", timeout=20000)
    assert not await page.evaluate("window.__tg.confirmClose")
    async with school.app.sessions() as session:
        lesson = await session.scalar(select(JournalLesson).where(
            JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
            JournalLesson.lesson_date == day, JournalLesson.period == slot.period))
        marks = {m.student_id: m.attendance for m in await session.scalars(
            select(JournalMark).where(JournalMark.lesson_id == lesson.id))}
    assert marks[first] == "late"
    assert marks[second] == await page.get_attribute(f'td[data-key="{column}:{second}"]', "data-att") != "present"
    await context.close()


async def school_get(school, user_id, slot, day):
    from aiohttp import ClientSession

    async with ClientSession() as session:
        response = await session.get(school.url + "api/grid", params={
            "class_id": slot.class_id, "subject_id": slot.subject_id, "week": day.isoformat()},
            headers=school.headers(user_id))
        await response.read()
        return response


async def school_post(school, user_id, body):
    from aiohttp import ClientSession

    async with ClientSession() as session:
        response = await session.post(school.url + "api/cell", json=body, headers=school.headers(user_id))
        await response.read()
        return response


async def test_parents_page_shows_their_child_only_and_back_returns(served, browser):
    school, url = served
    async with school.app.sessions() as session:
        names = {s.id: s.full_name for s in await session.scalars(select(Student))}
    child_id = school.demo.student_ids[0]
    context, page, errors = await open_page(browser, school, url, PARENT, query="?view=child")
    await page.wait_for_selector("#week")
    body = await page.text_content("main")
    assert names[child_id] in await page.text_content("#title")
    assert not [n for sid, n in names.items() if sid != child_id and n in body + await page.text_content("#title")]
    refused = await page.evaluate("""async (id) => (await fetch('api/child?student_id=' + id,
        {headers: {Authorization: 'tma ' + Telegram.WebApp.initData}})).status""", school.demo.student_ids[5])
    assert refused == 403
    await page.click("#chart .bar >> nth=0")
    assert await page.text_content("#chart .detail") != ""
    await no_page_scroll(page)
    assert not errors, errors
    await context.close()


@pytest.mark.parametrize("lang", ["uz", "ky", "kk", "ru"])
async def test_screenshots_in_both_themes(served, browser, lang):
    school, url = served
    await set_language(school, lang)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    slot, _day, _klass = await own_slot(school, TEACHER)
    for theme in ("light", "dark"):
        context, page, errors = await open_page(browser, school, url, TEACHER, theme=theme)
        await page.wait_for_selector("#grid")
        await page.select_option("#pair", f"{slot.class_id}:{slot.subject_id}")
        await page.wait_for_selector("body:not([data-loading]) #grid tbody tr")
        await no_page_scroll(page)
        assert await page.evaluate("document.documentElement.lang") == lang
        await page.screenshot(path=str(ARTIFACTS / f"grid-{lang}-{theme}.png"))
        if lang == "ru":  # the whole term: many columns scroll inside the grid, never the page
            await page.click('button[data-value="term"]')
            await page.wait_for_selector("body:not([data-loading]) #grid tbody tr")
            await no_page_scroll(page)
            await page.screenshot(path=str(ARTIFACTS / f"grid-term-{lang}-{theme}.png"))
        await page.click('button[data-value="mark"]')
        await page.click("#grid tbody td.cell:not(.ro) button >> nth=0")
        await page.wait_for_selector("#sheet:not([hidden])")
        await page.screenshot(path=str(ARTIFACTS / f"picker-{lang}-{theme}.png"))
        assert await page.evaluate("window.__tg.backVisible")
        await page.evaluate("window.__tg.backHandler()")  # Telegram's Back closes the picker
        await page.wait_for_selector("#sheet", state="hidden")
        await page.click("#grid thead th.col button >> nth=0")  # a lesson's topic and homework
        await page.wait_for_selector("#sheet:not([hidden])")
        await page.screenshot(path=str(ARTIFACTS / f"lesson-{lang}-{theme}.png"))
        await context.close()
        context, page, errors2 = await open_page(browser, school, url, PARENT, theme=theme, query="?view=child")
        await page.wait_for_selector("#week")
        await no_page_scroll(page)
        await page.screenshot(path=str(ARTIFACTS / f"parent-{lang}-{theme}.png"), full_page=True)
        start = await page.get_attribute("#week", "data-start")
        await page.click("#earlier")  # last week: a full week of marks, with the averages by subject
        await page.wait_for_selector(f'#week:not([data-start="{start}"])')
        await no_page_scroll(page)
        await page.screenshot(path=str(ARTIFACTS / f"parent-earlier-{lang}-{theme}.png"))
        await context.close()
        assert not errors and not errors2, errors + errors2


async def test_an_unsent_change_survives_a_reload_and_is_saved_exactly_once(served, browser):
    school, url = served
    slot, day, _klass = await own_slot(school, TEACHER)
    context, page, errors = await open_page(browser, school, url, TEACHER)
    await page.wait_for_selector("#grid")
    await page.select_option("#pair", f"{slot.class_id}:{slot.subject_id}")
    await page.wait_for_selector("body:not([data-loading])")
    if day < week_start(school.clock.now.date()):
        await page.click("#earlier")
        await page.wait_for_selector("body:not([data-loading])")
    await page.wait_for_selector(f'#grid th.col[data-day="{day.isoformat()}"][data-period="{slot.period}"]')
    column = await column_index(page, day.isoformat(), slot.period)
    pupil = int((await page.eval_on_selector_all("#grid tbody tr", "rows => rows.map(r => r.dataset.pupil)"))[2])
    cell = f'td[data-key="{column}:{pupil}"]'
    before = await attendance_changes(school, slot, day, pupil)
    # The connection drops for saves: the tap waits, shown as such.
    await page.route("**/api/cell", lambda route: route.abort("internetdisconnected"))
    await page.click(f"{cell} button")
    await page.wait_for_function("document.querySelector('#status').dataset.kind === 'warn'")
    shown = await page.get_attribute(cell, "data-att")
    # The page is reloaded (or the Mini App closed and opened again) before the connection is back.
    await page.reload()
    await page.wait_for_selector(f"{cell}.pending")
    assert await attendance_changes(school, slot, day, pupil) == before, "nothing reached the server yet"
    await page.unroute("**/api/cell")
    await page.wait_for_function("!localStorage.length", timeout=20000)
    await page.wait_for_selector(f"{cell}:not(.pending)")
    after = await attendance_changes(school, slot, day, pupil)
    assert len(after) == len(before) + 1, after
    assert after[-1] == shown == await page.get_attribute(cell, "data-att")
    assert not errors, errors
    await context.close()


async def attendance_changes(school, slot, day, pupil) -> list[str]:
    """The history rows of one pupil's attendance in one lesson, oldest first (their new values)."""
    async with school.app.sessions() as session:
        lesson = await session.scalar(select(JournalLesson).where(
            JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
            JournalLesson.lesson_date == day, JournalLesson.period == slot.period))
        if lesson is None:
            return []
        return [c.new_value for c in await session.scalars(select(JournalChange).where(
            JournalChange.lesson_id == lesson.id, JournalChange.student_id == pupil,
            JournalChange.field == "attendance").order_by(JournalChange.id))]


async def open_lesson_column(page, school, slot, day) -> None:
    """The grid of the slot's class and subject at the week of `day`, its column shown."""
    await page.wait_for_selector("#grid")
    await page.select_option("#pair", f"{slot.class_id}:{slot.subject_id}")
    await page.wait_for_selector("body:not([data-loading])")
    if day < week_start(local_today(school)):
        await page.click("#earlier")
        await page.wait_for_selector("body:not([data-loading])")
    await page.wait_for_selector(column_selector(day, slot.period))


def column_selector(day, period: int) -> str:
    return f'#grid th.col[data-day="{day.isoformat()}"][data-period="{period}"]'


def local_today(school):
    from domain.countries import local_day

    return local_day("Asia/Tashkent", school.clock.now)


async def text_changes(school, slot, day) -> list[tuple[str, str]]:
    """The history rows of a lesson's topic and homework, oldest first: (field, new value)."""
    async with school.app.sessions() as session:
        lesson = await session.scalar(select(JournalLesson).where(
            JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
            JournalLesson.lesson_date == day, JournalLesson.period == slot.period))
        if lesson is None:
            return []
        return [(c.field, c.new_value) for c in await session.scalars(select(JournalChange).where(
            JournalChange.lesson_id == lesson.id, JournalChange.field.in_(("topic", "homework")))
            .order_by(JournalChange.id))]


async def test_an_unsent_topic_and_homework_survive_a_reload_and_are_saved_exactly_once(served, browser):
    school, url = served
    slot, day, _klass = await own_slot(school, TEACHER)
    context, page, errors = await open_page(browser, school, url, TEACHER)
    await open_lesson_column(page, school, slot, day)
    header = column_selector(day, slot.period)
    before = await text_changes(school, slot, day)
    topic, homework = "Kasrlarni qo‘shish", "§12, 3-mashq"
    # The connection drops for saves: the edit waits on the device, shown as such.
    await page.route("**/api/lesson", lambda route: route.abort("internetdisconnected"))
    await page.click(f"{header} button")
    await page.fill('#sheet input[name="topic"]', topic)
    await page.fill('#sheet textarea[name="homework"]', homework)
    await page.click("#save-texts")
    await page.wait_for_function("document.querySelector('#status').dataset.kind === 'warn'")
    await page.wait_for_selector(f"{header}.pending.failed")
    # Reloaded (or closed and opened again) before the connection is back: still waiting, still shown.
    await page.reload()
    await page.wait_for_selector(f"{header}.pending")
    await page.click(f"{header} button")
    assert await page.input_value('#sheet input[name="topic"]') == topic
    assert await page.input_value('#sheet textarea[name="homework"]') == homework
    await page.evaluate("window.__tg.backHandler()")
    assert await text_changes(school, slot, day) == before, "nothing reached the server yet"
    await page.unroute("**/api/lesson")
    await page.wait_for_function("!localStorage.length", timeout=20000)
    await page.wait_for_selector(f"{header}:not(.pending)")
    assert await text_changes(school, slot, day) == [*before, ("topic", topic), ("homework", homework)]
    # The sheet now shows what the server has.
    await page.click(f"{header} button")
    assert await page.input_value('#sheet input[name="topic"]') == topic
    assert not await page.query_selector("#sheet .warn")
    assert not errors, errors
    await context.close()


async def test_the_class_teacher_sees_the_class_gaps_and_a_subject_teacher_only_their_own(served, browser):
    school, url = served
    async with school.app.sessions() as session:
        leader = await session.scalar(select(Staff).where(Staff.user_id == CLASS_TEACHER))
        led = await session.scalar(select(SchoolClass).where(SchoolClass.class_teacher_id == leader.id))
        session.add(Student(school_id=led.school_id, class_id=led.id, full_name="Aaa Newcomer"))
        await session.commit()
    # The plain teacher's last lesson in the led class before today, its attendance never saved.
    slot, day, _klass = await own_slot(school, TEACHER, before=local_today(school) - timedelta(days=1),
                                       class_id=led.id)
    async with school.app.sessions() as session:
        lesson = await session.scalar(select(JournalLesson).where(
            JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
            JournalLesson.lesson_date == day, JournalLesson.period == slot.period))
        if lesson is not None:
            lesson.attendance_taken_at = None
            await session.commit()
    header = column_selector(day, slot.period)
    # The subject teacher: a dot on their own lesson, no class highlight, no pupils flagged, no summary.
    context, page, errors = await open_page(browser, school, url, TEACHER)
    await open_lesson_column(page, school, slot, day)
    assert await page.query_selector(f"{header}.gap-own")
    assert not await page.query_selector("#grid th.gap-attendance, #grid th.gap-marks, #grid th.too-few, #gaps")
    await context.close()
    # The class teacher: the same lesson highlighted, the newcomer flagged, the counts above the grid.
    context, page, errors2 = await open_page(browser, school, url, CLASS_TEACHER)
    await open_lesson_column(page, school, slot, day)
    assert await page.query_selector(f"{header}.gap-attendance")
    assert await page.query_selector("#grid th.name.too-few")
    assert int(await page.get_attribute("#gaps .chip.gap-attendance", "data-n")) >= 1
    assert int(await page.get_attribute("#gaps .chip.gap-pupils", "data-n")) >= 1
    await no_page_scroll(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "grid-class-teacher-ru-light.png"))
    assert not errors and not errors2, errors + errors2
    await context.close()


async def test_parents_page_shows_the_chats_weeks_term_grades_and_homework(served, browser):
    from domain.grading import school_year_start
    from storage.models import TermGrade

    school, url = served
    child_id = school.demo.student_ids[0]
    today = local_today(school)
    year = school_year_start(today)
    async with school.app.sessions() as session:
        subject = await session.scalar(select(Subject).where(Subject.school_id == school.demo.school_id)
                                       .order_by(Subject.name).limit(1))
        session.add_all([TermGrade(student_id=child_id, subject_id=subject.id, period=f"{year}-{year + 1}/T{n}",
                                   grade=5) for n in (1, 2)])
        await session.commit()
    context, page, errors = await open_page(browser, school, url, PARENT, query="?view=child")
    await page.wait_for_selector("#week")
    this_week = week_start(today).isoformat()
    assert await page.get_attribute("#week", "data-start") == this_week
    assert await page.is_disabled("#later")
    # The term: absences with and without a reason, the term grades with the half-year mark they make.
    term = await page.text_content("#term")
    assert "по уважительной причине" in term and "без уважительной причины" in term
    row = await page.text_content(f'#term tr:has(th:text-is("{subject.name}"))')
    assert "T1: 5, T2: 5, 1-е полугодие: 5" in row, row
    assert await page.locator("#homework li").count() >= 1
    # Earlier weeks, as the chat's ◀️: last week with its averages by subject, and back.
    await page.click("#earlier")
    last_week = (week_start(today) - timedelta(days=7)).isoformat()
    await page.wait_for_selector(f'#week[data-start="{last_week}"]')
    assert "Средний балл по предметам" in await page.text_content("#week-averages")
    assert await page.locator("#week-averages li").count() >= 1
    await no_page_scroll(page)
    await page.click("#later")
    await page.wait_for_selector(f'#week[data-start="{this_week}"]')
    assert not errors, errors
    await context.close()


async def test_a_change_refused_for_an_old_init_data_is_kept_for_the_reopened_page(served, browser):
    school, url = served
    slot, day, _klass = await own_slot(school, TEACHER)
    context, page, errors = await open_page(browser, school, url, TEACHER)
    await open_lesson_column(page, school, slot, day)
    column = await column_index(page, day.isoformat(), slot.period)
    pupil = int((await page.eval_on_selector_all("#grid tbody tr", "rows => rows.map(r => r.dataset.pupil)"))[3])
    cell = f'td[data-key="{column}:{pupil}"]'
    before = await attendance_changes(school, slot, day, pupil)
    # The Mini App stayed open past the initData's window: the server refuses the page, not the change.
    await page.route("**/api/cell", lambda route: route.fulfill(status=401, json={"error": "unauthorized"}))
    await page.click(f"{cell} button")
    await page.wait_for_function("document.querySelector('#status').dataset.kind === 'warn'")
    assert "закройте" in (await page.text_content("#status")).lower()
    assert await page.evaluate("localStorage.length") == 1
    shown = await page.get_attribute(cell, "data-att")
    # Opened again from the bot (fresh initData): the change goes out, once.
    await page.unroute("**/api/cell")
    await page.reload()
    await page.wait_for_function("!localStorage.length", timeout=20000)
    await page.wait_for_selector(f"{cell}:not(.pending)")
    after = await attendance_changes(school, slot, day, pupil)
    assert after == [*before, shown], after
    assert not errors, errors
    await context.close()
