"""Class teachers (and school administration): the class at a glance, and parents' invite codes
(usecases/class_teacher.py; someone else's class is refused there and alerted by the one error handler)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.keyboards.class_teacher import ClassAct, ClassCB
from bot.keyboards.common import MenuCB
from bot.screens import class_teacher as screens
from bot.ui import notify, show
from storage.models import User
from usecases import class_teacher
from usecases.clock import Clock
from usecases.uow import UnitOfWork


async def glance_entry(event: Message | CallbackQuery, uow: UnitOfWork, user: User, clock: Clock) -> None:
    """/class and the menu's button: the class at a glance (first the choice, with several classes)."""
    pick = await class_teacher.pick_class(uow, user.id, clock.now(), codes=False)
    await show(event, *screens.pick_screen(pick, ClassAct.glance))


async def codes_entry(event: Message | CallbackQuery, uow: UnitOfWork, user: User, clock: Clock) -> None:
    """/codes and the menu's button: the class's parent codes (first the choice, with several classes)."""
    pick = await class_teacher.pick_class(uow, user.id, clock.now(), codes=True)
    await show(event, *screens.pick_screen(pick, ClassAct.codes))


async def glance(query: CallbackQuery, callback_data: ClassCB, uow: UnitOfWork, user: User, clock: Clock) -> None:
    view = await class_teacher.class_glance(uow, user.id, callback_data.c, clock.now())
    await show(query, *screens.glance_screen(view))


async def codes(query: CallbackQuery, callback_data: ClassCB, uow: UnitOfWork, user: User) -> None:
    await show(query, *screens.codes_screen(await class_teacher.class_codes(uow, user.id, callback_data.c)))


async def student_codes(query: CallbackQuery, callback_data: ClassCB, uow: UnitOfWork, user: User,
                        clock: Clock) -> None:
    view = await class_teacher.student_codes(uow, user.id, callback_data.c, callback_data.s, clock.now())
    await show(query, *screens.student_codes_screen(view))


async def new_code(query: CallbackQuery, callback_data: ClassCB, uow: UnitOfWork, user: User, clock: Clock,
                   settings: Settings, bot: Bot) -> None:
    issued = await class_teacher.issue_code(uow, user.id, callback_data.c, callback_data.s, clock.now(),
                                            settings.invite_code_days)
    await show(query, *screens.issued_screen(issued, (await bot.me()).username))


async def revoke_code(query: CallbackQuery, callback_data: ClassCB, uow: UnitOfWork, user: User, clock: Clock,
                      callback_answer: CallbackAnswer) -> None:
    revoked = await class_teacher.revoke_code(uow, user.id, callback_data.c, callback_data.i, clock.now())
    notify(callback_answer, screens.revoked_toast(revoked))
    await show(query, *screens.student_codes_screen(revoked.codes))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(glance_entry, Command("class"))
    router.message.register(codes_entry, Command("codes"))
    router.callback_query.register(glance_entry, MenuCB.filter(F.to == "class"))
    router.callback_query.register(codes_entry, MenuCB.filter(F.to == "codes"))
    for action, handler in ((ClassAct.glance, glance), (ClassAct.codes, codes), (ClassAct.student, student_codes),
                            (ClassAct.new, new_code), (ClassAct.revoke, revoke_code)):
        router.callback_query.register(handler, ClassCB.filter(F.a == action))
    return router
