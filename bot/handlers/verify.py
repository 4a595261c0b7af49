"""/verify CODE and the deep link t.me/<bot>?start=verify_CODE: whose certificate, and is it valid."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.screens.onboarding import verification_screen, verify_prompt
from bot.ui import TYPED_TEXT
from usecases.certificate import time_zone_for
from usecases.uow import UnitOfWork
from usecases.verify import verify_certificate


class VerifyForm(StatesGroup):
    code = State()


async def answer_verification(message: Message, uow: UnitOfWork, text: str) -> bool:
    """Answer whose certificate a code is; False when it is no certificate's code."""
    found = await verify_certificate(uow, text, time_zone_for)
    answer, markup = verification_screen(found)
    await message.answer(answer, reply_markup=markup)
    return found.card is not None


async def verify_command(message: Message, command: CommandObject, uow: UnitOfWork, state: FSMContext) -> None:
    if not command.args:
        await state.set_state(VerifyForm.code)
        text, markup = verify_prompt()
        await message.answer(text, reply_markup=markup)
        return
    if not await answer_verification(message, uow, command.args):
        await state.set_state(VerifyForm.code)  # let them type it again


async def verify_code_typed(message: Message, uow: UnitOfWork, state: FSMContext) -> None:
    if await answer_verification(message, uow, message.text or ""):
        await state.set_state(None)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(verify_command, Command("verify"))
    router.message.register(verify_code_typed, StateFilter(VerifyForm.code), TYPED_TEXT)
    return router
