"""A certificate on its way to the school head, through the outbox: the outbox's two calls for it.

The teacher's press stores one outbox row (usecases.certificate.send_to_head: key per certificate, head and day,
so a double tap or a re-press the same day queues nothing more); the outbox sender renders the PDF here in the
head's language and handles every Bot API error class (a 502 or a dropped connection is retried, 429 waits, 403
marks the head blocked). The certificate counts as received by the head only once the send went through.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.screens.certificate import certificate_filename, certificate_pdf, head_caption
from bot.services.outbox import Rendered
from storage.repositories.certificates import mark_sent_to_head
from usecases.certificate import certificate_for_head
from usecases.uow import UnitOfWork


async def render_certificate_to_head(session: AsyncSession, payload: dict) -> Rendered | None:
    """The PDF with a caption, in the current locale (the outbox sets the head's)."""
    doc = await certificate_for_head(UnitOfWork.over(session), payload.get("certificate"))
    if doc is None:
        return None
    return Rendered(head_caption(doc), document=certificate_pdf(doc, payload.get("bot")),
                    filename=certificate_filename(doc.number))


async def mark_received(session: AsyncSession, payload: dict, now: datetime) -> None:
    """After a successful send: the head has it (what the certification report counts)."""
    await mark_sent_to_head(session, payload.get("certificate"), now)
