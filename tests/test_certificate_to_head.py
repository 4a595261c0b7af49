"""A certificate sent to the school head goes through the outbox: a Bot API failure on the way is retried, not
lost, and the head counts as having it only once it arrived."""

from __future__ import annotations

from sqlalchemy import select

from bot.scheduler import send_outbox
from storage.models import Certificate, Outbox
from tests.harness import answer_of, find_button, has_data
from tests.test_e2e_teacher import NAMES, _head_in_the_bot, _pass_and_issue, onboard_teacher, teacher_harness

__all__ = ["teacher_harness"]  # the fixture, shared with the teacher's end-to-end tests


async def test_certificate_reaches_the_head_through_a_502(teacher_harness):
    h = teacher_harness
    head = await _head_in_the_bot(h, 6001, "uz")
    teacher = await onboard_teacher(h, 6000, "ru")
    await head.wait_for(has_data("join:"))
    _text, approve = find_button(head, "join:ok:")
    await head.click_data(approve)
    await teacher.wait_for(lambda m: "✅" in (m.text or ""))
    await _pass_and_issue(h, teacher, NAMES["ru"])

    h.api.fail_next("sendDocument", error_code=502, description="Bad Gateway", retry_after=None, chat_id=6001)
    _text, send = find_button(teacher, "cert:send:")
    for _tap in range(2):  # a double tap queues nothing more
        told = await answer_of(teacher, await teacher.click_data(send))
        assert told.params.get("show_alert") and "📤" in told.params.get("text", "")
    async with h.db() as session:
        rows = list(await session.scalars(select(Outbox).where(Outbox.kind == "certificate_to_head")))
        assert [row.user_id for row in rows] == [6001]
        rows[0].next_try_at = rows[0].created_at

    first = await send_outbox(h.app, h.bot)  # the 502: back to the queue, not lost
    assert first.retried == 1 and first.sent == 0
    async with h.db() as session:
        assert (await session.scalar(select(Certificate).where(Certificate.user_id == 6000))).sent_to_head_at is None
        row = await session.scalar(select(Outbox).where(Outbox.kind == "certificate_to_head"))
        assert row.status == "pending"
        row.next_try_at = row.created_at

    assert (await send_outbox(h.app, h.bot)).sent == 1
    received = await head.wait_for(lambda m: m.document is not None)
    assert "/verify" in (received.caption or "") and "sertifikat" in received.caption.lower()  # in the head's uz
    async with h.db() as session:
        assert (await session.scalar(select(Certificate).where(Certificate.user_id == 6000))).sent_to_head_at
