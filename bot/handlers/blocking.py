"""my_chat_member: learn when a user blocks or unblocks the bot (polling only asks for handled types)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from usecases import onboarding
from usecases.clock import Clock
from usecases.uow import UnitOfWork


async def blocked(event: ChatMemberUpdated, uow: UnitOfWork, clock: Clock) -> None:
    await onboarding.note_blocked(uow, event.from_user.id, clock.now())


async def unblocked(event: ChatMemberUpdated, uow: UnitOfWork) -> None:
    await onboarding.note_unblocked(uow, event.from_user.id)


def build_router() -> Router:
    router = Router(name=__name__)
    router.my_chat_member.register(blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    router.my_chat_member.register(unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    return router
