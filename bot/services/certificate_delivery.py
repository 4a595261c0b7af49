"""A certificate on its way to the school head, through the outbox.

The teacher's press stores one outbox row (key: certificate, head and day, so a double tap or a re-press the same
day queues nothing more); the outbox sender renders the PDF in the head's language and handles every Bot API error
class (a 502 or a dropped connection is retried, 429 waits, 403 marks the head blocked). The certificate counts as
received by the head only once the send went through.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.courses import course_title
from bot.formatting import fmt_percent
from bot.services.certificates import certificate_filename, certificate_pdf, school_for
from bot.services.outbox import Rendered
from domain.certificates import format_verify_code
from storage.models import Certificate, User
from storage.repositories import outbox as outbox_repo
from storage.repositories.schools import school_heads
from storage.repositories.users import users_by_ids

KIND = "certificate_to_head"


async def head_of(session: AsyncSession, school_id: int | None, teacher_id: int) -> User | None:
    """The head, else a deputy, who is in the bot and has not blocked it (never the teacher themself)."""
    if school_id is None:
        return None
    heads = await school_heads(session, school_id)
    users = await users_by_ids(session, [h.user_id for h in heads if h.user_id and h.user_id != teacher_id])
    return next((users[h.user_id] for h in heads if h.user_id in users and users[h.user_id].blocked_at is None),
                None)


async def queue_for_head(session: AsyncSession, cert: Certificate, teacher_id: int, bot_username: str | None,
                         now: datetime) -> User | None:
    """Store the certificate's trip to the head (once per head and day); the head, or None when none is in the
    bot. The caller commits."""
    head = await head_of(session, cert.school_id, teacher_id)
    if head is not None:
        await outbox_repo.insert_ignore(session, [{
            "key": f"cert-head:{cert.id}:{head.id}:{now:%Y-%m-%d}", "kind": KIND, "user_id": head.id,
            "payload": {"certificate": cert.id, "bot": bot_username}, "status": "pending", "tries": 0,
            "created_at": now, "next_try_at": now}])
    return head


async def render_certificate_to_head(session: AsyncSession, payload: dict) -> Rendered | None:
    """The PDF with a caption, in the current locale (the outbox sets the head's)."""
    cert = await session.get(Certificate, payload.get("certificate"))
    if cert is None or cert.revoked_at is not None:
        return None
    pdf = certificate_pdf(cert, await school_for(session, cert), payload.get("bot"))
    caption = _("{teacher} sent you their certificate.\n{course}\nResult: {score} · No. {number}\n"
                "Check: /verify {code}").format(
        teacher=cert.holder_name, course=course_title(cert.course_id), score=fmt_percent(cert.percent),
        number=cert.number, code=format_verify_code(cert.verify_code))
    return Rendered(caption, document=pdf, filename=certificate_filename(cert))


async def mark_received(session: AsyncSession, payload: dict, now: datetime) -> None:
    """After a successful send: the head has it (what the certification report counts)."""
    cert = await session.get(Certificate, payload.get("certificate"))
    if cert is not None and cert.sent_to_head_at is None:
        cert.sent_to_head_at = now
