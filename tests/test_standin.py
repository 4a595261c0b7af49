"""The Bot API stand-in, driven by a real aiogram Bot and a small Dispatcher polling it, over HTTP and in process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.filters import Command, CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from standin import BotAPIStandin
from standin.session import StandinSession, track

USER_ID = 1001


def _keyboard(*texts: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=f"cb:{t.lower()}") for t in texts]]
    )


@dataclass
class Seen:
    """What the tiny bot observed."""

    callbacks: list[str] = field(default_factory=list)
    member_updates: list[str] = field(default_factory=list)
    documents: list[bytes] = field(default_factory=list)


def _router(seen: Seen) -> Router:
    router = Router(name="standin-test")

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            f"Hello, {message.from_user.first_name}!", reply_markup=_keyboard("Next", "Stop")
        )

    @router.message(Command("args"))
    async def args(message: Message) -> None:
        await message.answer(f"args={message.text.split(maxsplit=1)[1]}")

    @router.message(F.document)
    async def document(message: Message, bot: Bot) -> None:
        data = await bot.download(message.document.file_id)
        seen.documents.append(data.read())
        await message.answer(f"got {message.document.file_name}")

    @router.callback_query(F.data == "cb:next")
    async def next_page(callback: CallbackQuery) -> None:
        seen.callbacks.append(callback.data)
        await callback.message.edit_text("Page 2", reply_markup=_keyboard("Stop"))
        await callback.answer("ok")

    @router.my_chat_member()
    async def member(update: ChatMemberUpdated) -> None:
        seen.member_updates.append(update.new_chat_member.status)

    return router


@dataclass
class Env:
    standin: BotAPIStandin
    bot: Bot
    seen: Seen


def _bot(standin: BotAPIStandin) -> Bot:
    """Over HTTP when the stand-in serves it, else in this process; plain text, as the bot sends."""
    if standin.started:
        session = AiohttpSession(api=TelegramAPIServer.from_base(standin.base_url))
    else:
        session = StandinSession(standin)
    return Bot(standin.token, session=session, default=DefaultBotProperties(parse_mode=None))


async def _close(bot: Bot) -> None:
    """Close the bot's session without aiogram's 250 ms wait for TLS connections to end (none on loopback)."""
    client = getattr(bot.session, "_session", None)
    if client is not None:
        await client.close()


@pytest_asyncio.fixture(params=["http", "in-process"])
async def env(request) -> AsyncIterator[Env]:
    """HTTP with a dispatcher that reports nothing (wait_idle waits for quiet), or in process with one that
    reports each update it handled (wait_idle ends when the handler returns)."""
    standin = BotAPIStandin()
    seen = Seen()
    dp = Dispatcher()
    dp.include_router(_router(seen))
    if request.param == "http":
        await standin.start()
    else:
        track(dp, standin)
    bot = _bot(standin)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1,
                                                   close_bot_session=False))
    try:
        yield Env(standin, bot, seen)
    finally:
        await dp.stop_polling()
        await polling
        await _close(bot)
        await standin.stop()


@pytest_asyncio.fixture
async def bare() -> AsyncIterator[Env]:
    """The stand-in and a Bot, no polling (for driving getUpdates by hand)."""
    standin = BotAPIStandin()
    await standin.start()
    bot = _bot(standin)
    try:
        yield Env(standin, bot, Seen())
    finally:
        await _close(bot)
        await standin.stop()


@pytest.mark.asyncio
async def test_start_gets_a_reply(env: Env) -> None:
    user = env.standin.user(USER_ID, "Aziza")
    await user.send("/start")
    reply = await user.wait_for()
    assert reply.from_bot
    assert reply.text == "Hello, Aziza!"
    assert reply.entities == []
    assert reply.buttons() == [["Next", "Stop"]]
    assert [m.from_bot for m in user.messages] == [False, True]
    sent = env.standin.calls_of("sendMessage")[-1]
    assert sent.params["chat_id"] == USER_ID
    assert sent.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "cb:next"

    await user.send("/args 123")
    assert (await user.wait_for()).text == "args=123"
    assert env.standin.calls_of("getMe")


@pytest.mark.asyncio
async def test_click_edits_the_users_view(env: Env) -> None:
    user = env.standin.user(USER_ID)
    await user.send("/start")
    first = await user.wait_for()

    callback_id = await user.click("Next")
    edited = await user.wait_for()
    assert edited.message_id == first.message_id
    assert edited.text == "Page 2"
    assert edited.edited == 1
    assert user.last().buttons() == [["Stop"]]
    assert len(user.bot_messages()) == 1  # edited in place, not a new message
    await user.wait_idle(quiet=0.05)
    assert env.seen.callbacks == ["cb:next"]
    answer = user.answered(callback_id)
    assert answer is not None and answer.params["text"] == "ok"

    with pytest.raises(AssertionError, match="no button 'Nope'"):
        await user.click("Nope")


@pytest.mark.asyncio
async def test_fail_next_429_reaches_the_caller(env: Env) -> None:
    env.standin.user(USER_ID)
    env.standin.fail_next("sendMessage", retry_after=3, description="Too Many Requests: retry after 3")
    with pytest.raises(TelegramRetryAfter) as error:
        await env.bot.send_message(USER_ID, "hi")
    assert error.value.retry_after == 3
    assert (await env.bot.send_message(USER_ID, "hi")).text == "hi"
    assert [c.ok for c in env.standin.calls_of("sendMessage")] == [False, True]


@pytest.mark.asyncio
async def test_block_gives_403_and_a_member_update(env: Env) -> None:
    user = env.standin.user(USER_ID)
    env.standin.block(USER_ID)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await env.bot.send_message(USER_ID, "still there?")
    await user.wait_idle(quiet=0.05)
    assert env.seen.member_updates == ["kicked"]
    env.standin.unblock(USER_ID)
    assert (await env.bot.send_message(USER_ID, "welcome back")).text == "welcome back"


@pytest.mark.asyncio
async def test_documents_round_trip(env: Env) -> None:
    user = env.standin.user(USER_ID)
    payload = bytes(range(256)) * 10
    sent = await env.bot.send_document(USER_ID, BufferedInputFile(payload, "report.bin"), caption="Report")
    assert user.last().document == ("report.bin", payload)
    assert user.last().caption == "Report"
    assert env.standin.calls_of("sendDocument")[-1].files["document"] == ("report.bin", payload)
    downloaded = await env.bot.download(sent.document.file_id)
    assert downloaded.read() == payload
    again = await env.bot.send_document(USER_ID, sent.document.file_id)  # re-send by file_id
    assert again.document.file_id == sent.document.file_id

    await user.send_document(b"%PDF-1.4 fake", "lesson.pdf")
    assert (await user.wait_for()).text == "got lesson.pdf"
    assert env.seen.documents == [b"%PDF-1.4 fake"]


@pytest.mark.asyncio
async def test_get_updates_confirms_and_conflicts(bare: Env) -> None:
    user = bare.standin.user(USER_ID)
    await user.send("one")
    first = await bare.bot.get_updates(timeout=0)
    assert [u.message.text for u in first] == ["one"]
    again = await bare.bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [first[0].update_id]  # not confirmed yet: redelivered
    assert await bare.bot.get_updates(offset=first[0].update_id + 1, timeout=0) == []
    assert bare.standin.pending_updates() == []

    waiting = asyncio.create_task(bare.bot.get_updates(timeout=2))
    await asyncio.sleep(0.05)
    await user.send("two")
    delivered = await waiting  # long polling returns as soon as an update arrives
    assert [u.message.text for u in delivered] == ["two"]

    stale = asyncio.create_task(bare.bot.get_updates(offset=delivered[0].update_id + 1, timeout=2))
    await asyncio.sleep(0.05)
    assert await bare.bot.get_updates(offset=delivered[0].update_id + 1, timeout=0) == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await stale


@pytest.mark.asyncio
async def test_bad_requests_look_like_telegram(bare: Env) -> None:
    bot, standin = bare.bot, bare.standin
    standin.user(USER_ID)
    with pytest.raises(TelegramBadRequest, match="unsupported parse mode in the stand-in"):
        await bot.send_message(USER_ID, "1 <3 2", parse_mode="HTML")  # the bot sends plain text
    message = await bot.send_message(USER_ID, "same", reply_markup=_keyboard("A"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "same", chat_id=USER_ID, message_id=message.message_id, reply_markup=_keyboard("A")
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=999)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(4242, "who?")
    await bot.set_my_commands([BotCommand(command="start", description="Start")], language_code="ru")
    assert standin.get_commands(language_code="ru") == ["start"]
    assert [c.command for c in await bot.get_my_commands(language_code="ru")] == ["start"]

    url = f"{standin.base_url}/bot{standin.token}/noSuchMethod"
    async with aiohttp.ClientSession() as http, http.post(url) as response:
        assert response.status == 404
        assert await response.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
    assert standin.calls[-1].method == "noSuchMethod"
