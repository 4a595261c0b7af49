"""A teacher's way through the Bot API stand-in: lesson, failed exam, retake, certificate, verify."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.demo import seed_demo
from bot.scheduler import send_outbox
from bot.services.exam_jobs import close_expired_attempts
from content.catalogue import MAIN_COURSE, catalogue
from storage.models import Certificate, ExamAnswer, ExamAttempt, QuizRun, Staff, User
from tests.harness import Harness, answer_of, find_button, has_data, press_data, sqlite_url, wait_button
from usecases.clock import FakeClock

NAMES = {
    "ru": "Иванова Мария Петровна",
    "uz": "Gʻulomova Oʻgʻiloy Shuhratovna",
    "kk": "Әлібекова Гүлнұр Қайратқызы",
    "ky": "Өмүрбекова Айнура Түгөлбаевна",
}


@pytest.fixture
async def teacher_harness(tmp_path):
    h = await Harness.start(sqlite_url(tmp_path / "bot.db"), exam_questions=10)
    async with h.db() as session:
        await seed_demo(session)
    try:
        yield h
    finally:
        await h.stop()


async def onboard_teacher(h: Harness, user_id: int, lang: str):
    user = h.user(user_id, "Teacher", language_code=lang)
    await user.send("/start")
    await user.wait_for(has_data("role:"))
    await press_data(user, "role:teacher")
    await press_data(user, "sch:0:0")  # the school list
    await press_data(user, "sch:")     # the demo school
    await user.wait_idle()
    return user


async def exam_state(h: Harness, user_id: int) -> tuple[ExamAttempt, ExamAnswer | None]:
    async with h.db() as session:
        attempt = await session.scalar(select(ExamAttempt).where(ExamAttempt.user_id == user_id)
                                       .order_by(ExamAttempt.id.desc()).limit(1))
        current = await session.scalar(select(ExamAnswer).where(
            ExamAnswer.attempt_id == attempt.id, ExamAnswer.chosen.is_(None)).order_by(ExamAnswer.position).limit(1))
        return attempt, current


def shown_correct(answer: ExamAnswer, lang: str = "ru") -> int:
    question = catalogue()[MAIN_COURSE].text(lang).question(answer.question_key)
    return [int(x) for x in answer.option_order.split(",")].index(question.correct)


async def answer_exam(h: Harness, user, *, right: bool) -> None:
    while True:
        attempt, current = await exam_state(h, user.user_id)
        if current is None or attempt.status != "open":
            return
        good = shown_correct(current)
        choice = good if right else (good + 1) % 4
        await press_data(user, f"xa:{attempt.id}:{current.position}:{choice}")


async def test_lesson_exam_retake_certificate_verify(teacher_harness):
    h = teacher_harness
    user = await onboard_teacher(h, 5001, "ru")

    # Lesson 1: read every page, then the tasks, all answered correctly.
    await user.send("/course")
    home = await user.wait_for()
    assert "24" in home.text
    page = await press_data(user, "c:read:criteria_journal:1:")
    while not any(d.startswith("c:tasks") for d in _datas(user)):
        page = await press_data(user, "c:read:criteria_journal:1:" + str(_page_no(page) + 1))
    await press_data(user, "c:tasks:criteria_journal:1")
    for _ in range(5):
        async with h.db() as session:
            run = await session.scalar(select(QuizRun).where(QuizRun.user_id == 5001, QuizRun.finished_at.is_(None)))
        index, order = run.plan[run.answered]
        correct = catalogue()[MAIN_COURSE].text("ru").lesson(1).questions[index].correct
        result = await press_data(user, f"q:{run.id}:{run.answered}:{order.index(correct)}")
    assert "5" in result.text and "✅" in result.text

    # The exam, failed: every answer wrong.
    await user.send("/exam")
    rules = await user.wait_for()
    assert "45" in rules.text
    await press_data(user, "x:start")
    await answer_exam(h, user, right=False)
    await user.wait_idle()
    assert "❌" in user.last().text
    attempt, _ = await exam_state(h, 5001)
    assert attempt.passed is False and attempt.correct_count == 0

    # A stale button of the failed attempt changes nothing.
    await user.click_data(f"xa:{attempt.id}:0:0")
    await user.wait_idle()
    async with h.db() as session:
        assert (await session.get(ExamAttempt, attempt.id)).correct_count == 0

    # Retake, pass.
    await press_data(user, "x:home")
    await press_data(user, "x:start")
    await answer_exam(h, user, right=True)
    await user.wait_idle()
    attempt2, _ = await exam_state(h, 5001)
    assert attempt2.id != attempt.id and attempt2.passed and attempt2.percent == 100.0

    # Certificate: the name is asked once, confirmed, then the PDF arrives.
    await press_data(user, "cert:home")
    await user.send(NAMES["ru"])
    confirm = await user.wait_for()
    assert NAMES["ru"] in confirm.text
    await press_data(user, "cert:confirm")
    await user.wait_idle()
    documents = [m for m in user.bot_messages() if m.document]
    assert len(documents) == 1
    pdf_text = PdfReader(io.BytesIO(documents[0].document[1])).pages[0].extract_text()
    assert NAMES["ru"] in pdf_text
    assert h.api.calls_of("sendChatAction")

    async with h.db() as session:
        cert = await session.scalar(select(Certificate).where(Certificate.user_id == 5001))
    # Verify: a real code is valid, a made-up one is refused.
    checker = h.user(5999, "Anyone")
    await checker.send(f"/verify {cert.verify_code[:4]}-{cert.verify_code[4:]}")
    valid = await checker.wait_for()
    assert NAMES["ru"] in valid.text and cert.number in valid.text
    await checker.send("/verify ZZZZ-ZZZZ")
    refused = await checker.wait_for()
    assert NAMES["ru"] not in refused.text and "❌" in refused.text
    await checker.send(f"/start verify_{cert.verify_code}")
    assert NAMES["ru"] in (await checker.wait_for()).text


def _datas(user) -> list[str]:
    return [b.get("callback_data", "") for row in user.last().inline_buttons() for b in row]


def _page_no(message) -> int:
    for row in message.inline_buttons():
        for b in row:
            data = b.get("callback_data", "")
            if data.startswith("c:read:criteria_journal:1:"):
                pass
    import re

    found = re.search(r"(\d+)/(\d+)\s*$", message.text.strip())
    return int(found.group(1)) - 1 if found else 0


@pytest.mark.parametrize("lang", ["uz", "kk", "ky"])
async def test_certificate_in_each_language(teacher_harness, lang):
    h = teacher_harness
    user = await onboard_teacher(h, 5100, lang)
    await user.send("/exam")
    await user.wait_for()
    await press_data(user, "x:start")
    await answer_exam(h, user, right=True)
    await user.wait_idle()
    await press_data(user, "cert:home")
    await user.send(NAMES[lang])
    await user.wait_for()
    await press_data(user, "cert:confirm")
    await user.wait_idle()
    document = next(m for m in user.bot_messages() if m.document)
    text = PdfReader(io.BytesIO(document.document[1])).pages[0].extract_text()
    assert NAMES[lang].replace("ʻ", "‘") in text.replace("ʻ", "‘")


async def test_deadline_closes_a_silent_attempt(teacher_harness):
    h = teacher_harness
    user = await onboard_teacher(h, 5200, "ru")
    await user.send("/exam")
    await user.wait_for()
    await press_data(user, "x:start")
    attempt, current = await exam_state(h, 5200)
    await press_data(user, f"xa:{attempt.id}:0:{shown_correct(current)}")
    # The teacher goes silent; the clock runs out.
    clock = h.app.clock = FakeClock(attempt.deadline_at + timedelta(seconds=1))  # what the deadline job sees
    _text, data = find_button(user, f"xa:{attempt.id}:1:")
    queued = await close_expired_attempts(h.app, h.bot)
    assert queued == 1
    assert (await send_outbox(h.app, h.bot, clock=clock.now)).sent == 1  # the result goes out through the outbox
    result = await user.wait_for()
    assert "⏰" in result.text
    async with h.db() as session:
        closed = await session.get(ExamAttempt, attempt.id)
    assert closed.status == "expired" and closed.correct_count == 1
    # An answer after the deadline is not counted; the job does not notify twice.
    await user.click_data(data)
    await user.wait_idle()
    assert await close_expired_attempts(h.app, h.bot) == 0
    async with h.db() as session:
        assert (await session.get(ExamAttempt, attempt.id)).correct_count == 1


async def test_forged_answer_for_another_teachers_attempt_is_refused(teacher_harness):
    h = teacher_harness
    owner = await onboard_teacher(h, 5300, "ru")
    await owner.send("/exam")
    await owner.wait_for()
    await press_data(owner, "x:start")
    attempt, current = await exam_state(h, 5300)
    intruder = h.user(5301, "Intruder")
    await intruder.send("/start")
    await intruder.wait_for(has_data("role:"))
    query = await intruder.click_data(f"xa:{attempt.id}:0:{shown_correct(current)}")
    assert (await answer_of(intruder, query)).params.get("show_alert")
    _, still = await exam_state(h, 5300)
    assert still.position == 0
    # A double tap on the owner's side records one answer.
    await owner.click_data(f"xa:{attempt.id}:0:{shown_correct(current)}")
    await owner.click_data(f"xa:{attempt.id}:0:{(shown_correct(current) + 1) % 4}")
    await owner.wait_idle()
    async with h.db() as session:
        answers = list(await session.scalars(select(ExamAnswer).where(
            ExamAnswer.attempt_id == attempt.id, ExamAnswer.chosen.isnot(None))))
    # Both taps named position 0: exactly one of them counts, the other answers nothing else.
    assert [a.position for a in answers] == [0]


async def test_exam_survives_a_restart(tmp_path):
    url = sqlite_url(tmp_path / "restart.db")
    first = await Harness.start(url, exam_questions=10)
    try:
        async with first.db() as session:
            await seed_demo(session)
        user = await onboard_teacher(first, 5400, "ru")
        await user.send("/exam")
        await user.wait_for(has_data("x:start"))
        await press_data(user, "x:start")
        for _ in range(2):
            attempt, current = await exam_state(first, 5400)
            await press_data(user, f"xa:{attempt.id}:{current.position}:{shown_correct(current)}")
    finally:
        await first.stop()
    second = await Harness.start(url, exam_questions=10)
    try:
        user = second.user(5400, "Teacher")
        await user.send("/exam")
        resume = await user.wait_for(has_data("x:resume"))
        assert "3/10" in resume.text
        await press_data(user, "x:resume")
        await answer_exam(second, user, right=True)
        attempt, _ = await exam_state(second, 5400)
        assert attempt.passed and attempt.correct_count == 10
    finally:
        await second.stop()


async def test_lesson_tasks_resume_where_left(teacher_harness):
    h = teacher_harness
    user = await onboard_teacher(h, 5500, "ru")
    await user.send("/course")
    await user.wait_for(has_data("c:read"))
    await user.click_data("c:tasks:criteria_journal:2:0")
    await user.wait_for(has_data("q:"))
    async with h.db() as session:
        run = await session.scalar(select(QuizRun).where(QuizRun.user_id == 5500))
    await press_data(user, f"q:{run.id}:0:0")
    await press_data(user, f"q:{run.id}:1:0")
    await press_data(user, "m:main")  # leave halfway
    await user.click_data("c:tasks:criteria_journal:2:0")
    again = await user.wait_for(has_data(f"q:{run.id}:2:"))
    assert "3/5" in again.text


async def test_double_tap_on_start_opens_one_attempt(teacher_harness):
    h = teacher_harness
    user = await onboard_teacher(h, 5600, "uz")
    await user.send("/exam")
    _text, data = await wait_button(user, "x:start")
    first = await user.click_data(data)
    second = await user.click_data(data)
    await answer_of(user, first)
    await answer_of(user, second)
    await user.wait_idle()
    async with h.db() as session:
        attempts = list(await session.scalars(select(ExamAttempt).where(ExamAttempt.user_id == 5600)))
    assert len(attempts) == 1 and attempts[0].status == "open"


async def test_double_tap_on_issue_gives_one_certificate(teacher_harness):
    h = teacher_harness
    user = await onboard_teacher(h, 5700, "ru")
    await user.send("/exam")
    await press_data(user, "x:start")
    await answer_exam(h, user, right=True)
    await press_data(user, "cert:home")
    await user.send(NAMES["ru"])
    _text, data = await wait_button(user, "cert:confirm")
    first, second = await user.click_data(data), await user.click_data(data)
    answers = [await answer_of(user, first), await answer_of(user, second)]
    await user.wait_idle()
    # Both taps get the same friendly answer; neither ends in an error.
    assert all("🎓" in (a.params.get("text") or "") for a in answers), [a.params for a in answers]
    async with h.db() as session:
        assert len(list(await session.scalars(select(Certificate).where(Certificate.user_id == 5700)))) == 1
    assert not any("Sorry" in (m.text or "") or "Извините" in (m.text or "") for m in user.bot_messages())
    assert len([m for m in user.bot_messages() if m.document]) == 1


async def _head_in_the_bot(h: Harness, user_id: int, lang: str):
    head = h.user(user_id, "Direktor", language_code=lang)
    await head.send("/start")
    await head.wait_for(has_data("role:"))
    await press_data(head, "role:admin")
    await head.send_contact("+998901000001")  # the demo school's head
    await head.wait_idle()
    return head


async def _pass_and_issue(h: Harness, user, name: str) -> str:
    """Pass the exam, confirm the name, issue: the certificate PDF's text."""
    await user.send("/exam")
    await press_data(user, "x:start")
    await answer_exam(h, user, right=True)
    await press_data(user, "cert:home")
    await user.send(name)
    await press_data(user, "cert:confirm")
    await user.wait_idle()
    document = next(m for m in reversed(user.bot_messages()) if m.document)
    return " ".join(PdfReader(io.BytesIO(document.document[1])).pages[0].extract_text().split())


async def test_a_school_picked_from_the_list_is_printed_once_the_head_confirms(teacher_harness):
    h = teacher_harness
    head = await _head_in_the_bot(h, 5801, "uz")
    teacher = await onboard_teacher(h, 5800, "ru")  # picks the demo school from the list
    assert "директор" in teacher.last().text.lower()  # told the head was asked
    notice = await head.wait_for(has_data("join:"))
    assert "Teacher" in notice.text and "tasdiqla" in notice.text.lower()  # in the head's language
    # Someone who is not the school's head cannot answer for it.
    _text, approve = find_button(head, "join:ok:")
    stranger = h.user(5802, "Stranger")
    await stranger.send("/start")
    await stranger.wait_for(has_data("role:"))
    refused = await answer_of(stranger, await stranger.click_data(approve))
    assert refused.params.get("show_alert")
    async with h.db() as session:
        assert not list(await session.scalars(select(Staff).where(Staff.user_id == 5800)))

    await head.click_data(approve)
    assert "✅" in (await head.wait_for()).text
    told = await teacher.wait_for(lambda m: "✅" in (m.text or ""))
    assert "Toshkent" in told.text
    async with h.db() as session:
        staff = await session.scalar(select(Staff).where(Staff.user_id == 5800))
    assert staff.confirmed_via == "head" and staff.confirmed_at is not None

    text = await _pass_and_issue(h, teacher, NAMES["ru"])
    assert "Школа: Toshkent" in text
    assert "Выдан организацией: Maktab Bot" in text
    assert "Директор школы" in text and "Abdullayeva Mohira Shavkatovna" in text
    assert "Владелец сертификата" in text and "удостоверяется успешная сдача итогового экзамена" in text


async def test_until_confirmed_the_certificate_names_no_school(teacher_harness):
    h = teacher_harness
    head = await _head_in_the_bot(h, 5811, "ru")
    teacher = await onboard_teacher(h, 5810, "uz")
    _text, decline = await wait_button(head, "join:no:")
    text = await _pass_and_issue(h, teacher, NAMES["uz"])  # issued before the head answers
    assert "Maktab:" not in text and "Toshkent" not in text
    assert "Beruvchi tashkilot: Maktab Bot" in text and "tasdiqlaydiki" in text
    async with h.db() as session:
        cert = await session.scalar(select(Certificate).where(Certificate.user_id == 5810))
    assert cert.school_id is None and cert.issuer == "Maktab Bot"
    # The head declines: the teacher is told how to link themselves instead.
    await head.click_data(decline)
    told = await teacher.wait_for(lambda m: "telefon" in (m.text or "").lower())
    assert "kod" in told.text
    async with h.db() as session:
        assert (await session.get(User, 5810)).school_id is None
        assert not list(await session.scalars(select(Staff).where(Staff.user_id == 5810)))


async def test_the_certificate_is_dated_in_the_local_day_not_utc(teacher_harness):
    """19:30 UTC on 4 December is 00:30 on 5 December in Tashkent: the PDF, the certificate screen and /verify
    all say 5 December (the teacher's school is not confirmed: the picked school's country, Uzbekistan)."""
    h = teacher_harness
    user = await onboard_teacher(h, 5900, "ru")
    await _pass_and_issue(h, user, NAMES["ru"])
    async with h.db() as session:
        cert = await session.scalar(select(Certificate).where(Certificate.user_id == 5900))
        cert.issued_at = datetime(2026, 12, 4, 19, 30, tzinfo=UTC)
        await session.commit()
    await user.send("/certificate")
    home = await user.wait_for(has_data("cert:pdf"))
    assert "5 декабря 2026" in home.text and "4 декабря" not in home.text
    await press_data(user, "cert:pdf")
    await user.wait_idle()
    document = next(m for m in reversed(user.bot_messages()) if m.document)
    text = " ".join(PdfReader(io.BytesIO(document.document[1])).pages[0].extract_text().split())
    assert "Выдан 5 декабря 2026" in text and "4 декабря" not in text
    assert document.document[0] == f"Сертификат_{cert.number}.pdf"  # named in the teacher's language
    checker = h.user(5901, "Anyone")
    await checker.send(f"/verify {cert.verify_code}")
    assert "5 декабря 2026" in (await checker.wait_for()).text


async def test_a_certificate_is_dated_in_its_schools_time_zone(teacher_harness):
    """18:30 UTC is 23:30 in Tashkent but 00:30 the next day in Bishkek: a Kyrgyz school's certificate says
    the next day; without any school, Tashkent's day."""
    from storage.models import School
    from usecases.certificate import local_date, time_zone_for

    h = teacher_harness
    instant = datetime(2026, 12, 4, 18, 30, tzinfo=UTC)
    async with h.db() as session:
        session.add(User(id=5950, created_at=instant))
        school = School(name="Bishkek 5", country="KG", timezone="Asia/Bishkek")
        session.add(school)
        await session.flush()
        cert = Certificate(number="MB-2026-900001", verify_code="ABCD2345", user_id=5950, attempt_id=None,
                           course_id=MAIN_COURSE, holder_name=NAMES["ky"], school_id=school.id, percent=90.0,
                           issued_at=instant)
        assert local_date(instant, await time_zone_for(session, cert)).day == 5
        cert.school_id = None
        assert local_date(instant, await time_zone_for(session, cert)).day == 4
        (await session.get(User, 5950)).school_id = school.id  # picked, not confirmed: the country's zone
        assert local_date(instant, await time_zone_for(session, cert)).day == 5


async def test_issuing_replaces_the_confirm_message(teacher_harness):
    """Once issued, the "Is your name right?" message becomes the certificate's screen: no "Yes, issue" button
    stays clickable; a press of the old button still makes no second certificate."""
    h = teacher_harness
    user = await onboard_teacher(h, 5960, "ru")
    await user.send("/exam")
    await press_data(user, "x:start")
    await answer_exam(h, user, right=True)
    await press_data(user, "cert:home")
    await user.send(NAMES["ru"])
    confirm = await user.wait_for(has_data("cert:confirm"))
    _text, data = find_button(user, "cert:confirm")
    await press_data(user, "cert:confirm")
    await user.wait_idle()
    assert not [m.text for m in user.bot_messages() if has_data("cert:confirm")(m)]
    screen = user.get(confirm.message_id)
    assert has_data("cert:send")(screen) and has_data("cert:pdf")(screen) and "MB-2026-" in screen.text
    await answer_of(user, await user.click_data(data, message_id=confirm.message_id))
    await user.wait_idle()
    async with h.db() as session:
        assert len(list(await session.scalars(select(Certificate).where(Certificate.user_id == 5960)))) == 1
    assert len([m for m in user.bot_messages() if m.document]) == 1
