"""Parents: their children's week, term attendance, term grades, homework and a chart — only their own
(usecases/parents.py refuses anyone else's child; the error handler shows the alert)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatAction
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.keyboards.common import MenuCB
from bot.keyboards.parents import ChildAct, ChildCB
from bot.screens import parents as screens
from bot.ui import show
from storage.models import User
from usecases import parents
from usecases.clock import Clock
from usecases.uow import UnitOfWork


async def children_entry(event: Message | CallbackQuery, uow: UnitOfWork, user: User) -> None:
    """/children and the menu's button: the list, or a typed command's only child's card at once."""
    children = await parents.children(uow, user.id)
    if len(children) == 1 and isinstance(event, Message):
        await show(event, *screens.card_screen(children[0]))
        return
    await show(event, *screens.children_screen(children))


async def child_card(query: CallbackQuery, callback_data: ChildCB, uow: UnitOfWork, user: User) -> None:
    await show(query, *screens.card_screen(await parents.open_child(uow, user.id, callback_data.s)))


async def child_week(query: CallbackQuery, callback_data: ChildCB, uow: UnitOfWork, user: User,
                     clock: Clock) -> None:
    view = await parents.child_week(uow, user.id, callback_data.s, clock.now(), callback_data.w)
    await show(query, *screens.week_screen(view))


async def child_attendance(query: CallbackQuery, callback_data: ChildCB, uow: UnitOfWork, user: User,
                           clock: Clock) -> None:
    view = await parents.child_attendance(uow, user.id, callback_data.s, clock.now())
    await show(query, *screens.attendance_screen(view))


async def child_terms(query: CallbackQuery, callback_data: ChildCB, uow: UnitOfWork, user: User,
                      clock: Clock) -> None:
    await show(query, *screens.terms_screen(await parents.child_terms(uow, user.id, callback_data.s, clock.now())))


async def child_homework(query: CallbackQuery, callback_data: ChildCB, uow: UnitOfWork, user: User,
                         clock: Clock) -> None:
    view = await parents.child_homework(uow, user.id, callback_data.s, clock.now())
    await show(query, *screens.homework_screen(view))


async def child_chart(query: CallbackQuery, callback_data: ChildCB, uow: UnitOfWork, user: User,
                      clock: Clock) -> None:
    """A picture takes a moment: "sending a photo…" first, then the chart as a new message."""
    view = await parents.child_chart(uow, user.id, callback_data.s, clock.now())
    await query.bot.send_chat_action(query.from_user.id, ChatAction.UPLOAD_PHOTO)
    png, caption, markup = screens.chart_photo(view)
    await query.bot.send_photo(query.from_user.id, BufferedInputFile(png, "chart.png"), caption=caption,
                               reply_markup=markup)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(children_entry, Command("children"))
    router.callback_query.register(children_entry, MenuCB.filter(F.to == "kids"))
    for action, handler in ((ChildAct.card, child_card), (ChildAct.week, child_week),
                            (ChildAct.attendance, child_attendance), (ChildAct.terms, child_terms),
                            (ChildAct.homework, child_homework), (ChildAct.chart, child_chart)):
        router.callback_query.register(handler, ChildCB.filter(F.a == action))
    return router
