"""my_chat_member: learn when a user blocks or unblocks the bot (polling only asks for handled types)."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User
from storage.repositories.users import mark_blocked

router = Router(name=__name__)


@router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=KICKED))
async def blocked(event: ChatMemberUpdated, session: AsyncSession) -> None:
    await mark_blocked(session, event.from_user.id, datetime.now(UTC))


@router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=MEMBER))
async def unblocked(event: ChatMemberUpdated, session: AsyncSession) -> None:
    await session.execute(update(User).where(User.id == event.from_user.id).values(blocked_at=None))
