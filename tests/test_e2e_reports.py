"""Reports through the Bot API stand-in: a teacher passes and sends the certificate, the head receives it and
opens the reports (summary, PDF, XLSX, chart); a supervisor sees the district side by side; forged ids of
another school or area are refused and logged."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from bot.admin_cli import grant_supervisor
from bot.demo import seed_demo
from bot.keyboards.reports import AreaCB, ReportCB
from bot.scheduler import send_outbox
from storage.models import School, SchoolClass, Staff, User
from tests.harness import Harness, press_data, sqlite_url, wait_button
from tests.test_e2e_teacher import answer_exam

HEAD, TEACHER, OTHER_TEACHER, SUPERVISOR = 7001, 7002, 7004, 7003


@pytest.fixture
async def reports_harness(tmp_path):
    h = await Harness.start(sqlite_url(tmp_path / "bot.db"), exam_questions=10)
    async with h.db() as session:
        demo = await seed_demo(session)
        other = School(name="Samarqand 5-maktab", country="UZ", timezone="Asia/Tashkent",
                       region="Samarqand viloyati", district="Urgut tumani")
        session.add(other)
        await session.flush()
        session.add_all([Staff(school_id=other.id, full_name="Secretova Maxfiy", position="teacher"),
                         SchoolClass(school_id=other.id, name="9-Z", grade=9)])
    h.demo = demo
    h.other_school_id = other.id
    try:
        yield h
    finally:
        await h.stop()


async def join_by_phone(h: Harness, user_id: int, role: str, phone: str):
    user = h.user(user_id, "User", language_code="ru")
    await user.send("/start")
    await user.wait_idle()
    await press_data(user, f"role:{role}")
    await press_data(user, "m:phone")
    await user.send_contact(phone)
    await user.wait_idle()
    return user


async def alert_of(user, query: str, timeout: float = 5.0) -> bool:
    """Whether the bot answered that button press with an alert (waits for the answer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while user.answered(query) is None:
        assert loop.time() < deadline, f"button press {query} not answered"
        await asyncio.sleep(0.02)
    return bool(user.answered(query).params.get("show_alert"))


def last_document(user) -> tuple[str, bytes]:
    return next(m for m in reversed(user.bot_messages()) if m.document).document


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_head_receives_certificate_then_reports(reports_harness, caplog):
    h = reports_harness
    school_id = h.demo.school_id
    head = await join_by_phone(h, HEAD, "admin", h.demo.head_phone)
    teacher = await join_by_phone(h, TEACHER, "teacher", h.demo.teacher_phone)

    # The teacher passes the exam, gets the certificate and sends it to the head.
    await teacher.send("/exam")
    await teacher.wait_for()
    await press_data(teacher, "x:start")
    await answer_exam(h, teacher, right=True)
    await teacher.wait_idle()
    await press_data(teacher, "cert:home")
    await teacher.send("Karimova Dilnoza Rustamovna")
    await teacher.wait_for()
    await press_data(teacher, "cert:confirm")
    await teacher.wait_idle()
    _text, data = await wait_button(teacher, "cert:send")
    query = await teacher.click_data(data)
    await teacher.wait_idle()
    assert await alert_of(teacher, query)  # "on its way to the school head"
    assert (await send_outbox(h.app, h.bot)).sent == 1  # the certificate travels through the outbox
    await head.wait_for(lambda m: m.document is not None)
    name, content = last_document(head)
    assert name.endswith(".pdf") and "Karimova Dilnoza Rustamovna" in pdf_text(content)

    # The head opens the reports from the menu.
    await head.send("/menu")
    await head.wait_for()
    home = await press_data(head, "m:reports")
    assert "Toshkent shahar 110-maktab" in home.text
    summary = await press_data(head, f"rp:cert:{school_id}:")
    # "1 of 4, 25,0 %": passed, received by the head; the plan is the whole staff, the head and deputy too
    assert re.search(r"\b1 \w+ 4, 25,0 %", summary.text)
    assert "Tursunov Jasur Baxtiyorovich" in summary.text  # not started yet
    before = len(h.api.calls_of("sendChatAction"))
    await press_data(head, f"rp:cert:{school_id}:0:0:pdf")
    await head.wait_idle()
    name, content = last_document(head)
    assert re.fullmatch(r"Сертификация_Toshkent_shahar_110-maktab_\d{4}-\d\d-\d\d\.pdf", name)  # in the head's words
    text = pdf_text(content)
    assert "Karimova" in text and "Tursunov" in text and "25,0 %" in text
    actions = h.api.calls_of("sendChatAction")[before:]
    assert actions and actions[-1].params.get("action") == "upload_document"
    await press_data(head, f"rp:cert:{school_id}:0:0:xlsx")
    await head.wait_idle()
    name, content = last_document(head)
    assert name.endswith(".xlsx")
    sheets = load_workbook(io.BytesIO(content)).worksheets
    cells = [c.value for ws in sheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Karimova Dilnoza Rustamovna" in cells and "Tursunov Jasur Baxtiyorovich" in cells

    # Journal quality, its chart, the decree 263 score and a class's term sheet.
    await press_data(head, f"rp:home:{school_id}")
    journal = await press_data(head, f"rp:jq:{school_id}:")
    assert "%" in journal.text
    await press_data(head, f"rp:jq:{school_id}:0:0:png")
    await head.wait_idle()
    assert any(m.photo for m in head.bot_messages())
    assert h.api.calls_of("sendChatAction")[-1].params.get("action") == "upload_photo"
    await press_data(head, f"rp:home:{school_id}")
    decree = await press_data(head, f"rp:dec:{school_id}:")
    assert "263" in decree.text and "15" in decree.text
    await press_data(head, f"rp:dec:{school_id}:0:0:pdf")
    await head.wait_idle()
    assert "263" in pdf_text(last_document(head)[1])
    await press_data(head, f"rp:home:{school_id}")
    await press_data(head, f"rp:cls:{school_id}:")
    class_id = h.demo.class_ids[0]
    sheet = await press_data(head, f"rp:sheet:{school_id}:{class_id}:")
    assert "5-A" in sheet.text
    await press_data(head, f"rp:sheet:{school_id}:{class_id}:0:xlsx")
    await head.wait_idle()
    assert re.fullmatch(r"Ведомость_5-\w_\d-четверть\.xlsx", last_document(head)[0])

    # Forged buttons: another school's report, another school's class; a teacher is no head.
    shown = len(head.bot_messages())
    with caplog.at_level(logging.WARNING, logger="bot.handlers.reports"):
        query = await head.click_data(ReportCB(v="cert", s=h.other_school_id).pack())
        await head.wait_idle()
        assert await alert_of(head, query)
        async with h.db() as session:
            other_class = await session.scalar(select(SchoolClass.id).where(SchoolClass.school_id ==
                                                                            h.other_school_id))
        query = await head.click_data(ReportCB(v="sheet", s=school_id, c=other_class).pack())
        await head.wait_idle()
        assert await alert_of(head, query)
        query = await teacher.click_data(ReportCB(v="cert", s=school_id).pack())
        await teacher.wait_idle()
        assert await alert_of(teacher, query)
    assert len(head.bot_messages()) == shown
    assert not any("Secretova" in m.content for m in head.bot_messages())
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 3 and str(h.other_school_id) in refusals[0]


async def test_supervisor_sees_schools_side_by_side_without_names(reports_harness, caplog):
    h = reports_harness
    async with h.db() as session:
        area = await grant_supervisor(session, user_id=SUPERVISOR, country="UZ", region="Toshkent shahri",
                                      now=datetime.now(UTC))
        foreign = await grant_supervisor(session, user_id=OTHER_TEACHER, country="UZ", now=datetime.now(UTC))
    supervisor = h.user(SUPERVISOR, "Metodist", language_code="ru")
    await supervisor.send("/menu")
    menu = await supervisor.wait_for()
    assert any(b.get("callback_data") == "m:reports" for row in menu.inline_buttons() for b in row)
    view = await press_data(supervisor, "m:reports")
    assert "Yunusobod tumani" in view.text and re.search(r"\b0 \w+ 4, 0,0 %", view.text)
    district = await press_data(supervisor, f"ra:{area.id}:2:")
    assert "Toshkent shahar 110-maktab" in district.text
    await press_data(supervisor, f"ra:{area.id}:2:{h.demo.school_id}:png")
    await supervisor.wait_idle()
    assert any(m.photo for m in supervisor.bot_messages())
    await press_data(supervisor, f"ra:{area.id}:2:{h.demo.school_id}:xlsx")
    await supervisor.wait_idle()
    _name, content = last_document(supervisor)
    cells = [c.value for ws in load_workbook(io.BytesIO(content)).worksheets for row in ws.iter_rows()
             for c in row if c.value is not None]
    assert "Toshkent shahar 110-maktab" in cells and 4 in cells  # the whole staff is the plan
    await press_data(supervisor, f"ra:{area.id}:2:{h.demo.school_id}:pdf")
    await supervisor.wait_idle()
    assert "Toshkent shahar 110-maktab" in pdf_text(last_document(supervisor)[1])
    # No person's name reaches a supervisor, and a school's own reports stay closed to them.
    names = ("Karimova", "Tursunov", "Abdullayeva", "Secretova")
    assert not any(n in m.content for m in supervisor.bot_messages() for n in names)
    with caplog.at_level(logging.WARNING, logger="bot.handlers.reports"):
        for data in (AreaCB(a=area.id, l=2, s=h.other_school_id).pack(),  # a school outside the area
                     AreaCB(a=foreign.id).pack(),  # someone else's area
                     ReportCB(v="cert", s=h.demo.school_id).pack()):  # a school's named report
            query = await supervisor.click_data(data)
            await supervisor.wait_idle()
            assert await alert_of(supervisor, query)
    assert len([r for r in caplog.records if "refused" in r.getMessage()]) == 3


async def test_decree_263_is_offered_to_uzbek_schools_only(reports_harness, caplog):
    """A Kyrgyz school's head gets no decree 263 button, and a forged or stale one is refused with a reason."""
    h = reports_harness
    async with h.db() as session:
        kg = School(name="Бишкек 5-мектеп", country="KG", timezone="Asia/Bishkek", region="Бишкек шаары")
        session.add_all([kg, User(id=HEAD, tg_name="Айгүл", language="ru", created_at=datetime.now(UTC))])
        await session.flush()
        session.add(Staff(school_id=kg.id, full_name="Асанова Айгүл", position="head", user_id=HEAD))
        kg_id = kg.id
    head = h.user(HEAD, "Айгүл", language_code="ru")
    await head.send("/reports")
    home = await head.wait_for()
    pressable = [b.get("callback_data") for row in home.inline_buttons() for b in row]
    assert any(p.startswith(f"rp:cert:{kg_id}") for p in pressable)
    assert not any(p.startswith("rp:dec:") for p in pressable)
    assert any(p.startswith(f"rp:par:{kg_id}") for p in pressable)
    async with h.db() as session:  # the user middleware recorded the visit (the parents' report reads it)
        assert (await session.get(User, HEAD)).last_seen_at is not None
    shown = len(head.bot_messages())
    with caplog.at_level(logging.WARNING, logger="bot.handlers.reports"):
        query = await head.click_data(ReportCB(v="dec", s=kg_id).pack())
        await head.wait_idle()
        assert await alert_of(head, query)
    assert "Узбекистан" in head.answered(query).params.get("text", "")
    assert len(head.bot_messages()) == shown
    assert any("decree 263" in r.getMessage() for r in caplog.records)
    parents = await press_data(head, f"rp:par:{kg_id}:")  # the parents' use of the bot, per class
    assert "Родители в боте" in parents.text
    await press_data(head, f"rp:par:{kg_id}:0:0:xlsx")
    await head.wait_idle()
    assert re.fullmatch(r"Родители_в_боте_Бишкек_5-мектеп_\d{4}-\d\d-\d\d\.xlsx", last_document(head)[0])
