"""Webhook mode and a blocked user, through the stand-in."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from aiohttp import ClientSession, web

from bot.config import Settings
from bot.factory import build_app, create_bot
from bot.runner import webhook_app
from standin import BotAPIStandin
from storage.models import User
from tests.harness import TOKEN, has_data, sqlite_url


async def test_webhook_receives_an_update_and_answers_through_the_api(tmp_path):
    api = BotAPIStandin(TOKEN)
    await api.start()
    settings = Settings(bot_token=TOKEN, bot_api_url=api.base_url, database_url=sqlite_url(tmp_path / "w.db"),
                        mode="webhook", webhook_secret="s3cret", scheduler_enabled=False, _env_file=None)
    app = await build_app(settings)
    bot = create_bot(settings)
    runner = web.AppRunner(webhook_app(app, bot))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    update = {"update_id": 1, "message": {"message_id": 1, "date": int(datetime.now(UTC).timestamp()),
                                          "chat": {"id": 4242, "type": "private"},
                                          "from": {"id": 4242, "is_bot": False, "first_name": "W",
                                                   "language_code": "ru"},
                                          "text": "/start", "entities": [{"type": "bot_command", "offset": 0,
                                                                          "length": 6}]}}
    try:
        async with ClientSession() as http:
            url = f"http://127.0.0.1:{port}{settings.webhook_path}"
            forged = await http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            assert forged.status == 401
            ok = await http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            assert ok.status == 200
        with contextlib.suppress(AssertionError):  # woken by each request the bot makes
            await api.wait_until(lambda: any(c.params.get("chat_id") in (4242, "4242")
                                             for c in api.calls_of("sendMessage")))
        assert any(c.params.get("chat_id") in (4242, "4242") for c in api.calls_of("sendMessage"))
    finally:
        await runner.cleanup()
        await bot.session.close()
        await app.close()
        await api.stop()


async def test_user_who_blocks_the_bot_is_marked(harness):
    user = harness.user(6001, "B")
    await user.send("/start")
    await user.wait_for(has_data("role:"))
    harness.api.block(user.chat_id)
    await user.wait_idle()  # the my_chat_member update handled
    async with harness.db() as session:
        assert (await session.get(User, 6001)).blocked_at is not None
    # Writing to the blocked user fails with 403: the error handler logs and marks, nothing crashes.
    harness.api.unblock(user.chat_id)
    await user.send("/help")
    await user.wait_for()
    await user.wait_idle()  # the unblocking update too, handled beside the /help
    async with harness.db() as session:
        assert (await session.get(User, 6001)).blocked_at is None


async def test_a_short_flood_wait_does_not_lose_the_reply(harness):
    user = harness.user(6101, "F")
    harness.api.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=user.chat_id)
    await user.send("/help")
    reply = await user.wait_for(timeout=6)
    assert "/menu" in reply.text
    assert [c.error_code for c in harness.api.calls_of("sendMessage") if c.chat_id in (6101, "6101")][:2] == [429, None]


async def test_an_update_delivered_twice_has_its_effect_once(tmp_path):
    """Telegram retries a webhook that did not answer in time: the second delivery, during or after the first
    one's handling, changes nothing (update ids in a ledger; in-process here, Redis with REDIS_URL)."""
    api = BotAPIStandin(TOKEN)
    await api.start()
    api.user(4343)
    settings = Settings(bot_token=TOKEN, bot_api_url=api.base_url, database_url=sqlite_url(tmp_path / "d.db"),
                        mode="webhook", scheduler_enabled=False, _env_file=None)
    app = await build_app(settings)
    bot = create_bot(settings)
    runner = web.AppRunner(webhook_app(app, bot))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    update = {"update_id": 77, "message": {"message_id": 1, "date": int(datetime.now(UTC).timestamp()),
                                           "chat": {"id": 4343, "type": "private"},
                                           "from": {"id": 4343, "is_bot": False, "first_name": "D",
                                                    "language_code": "ru"},
                                           "text": "/help", "entities": [{"type": "bot_command", "offset": 0,
                                                                          "length": 5}]}}
    try:
        async with ClientSession() as http:
            url = f"http://127.0.0.1:{port}{settings.webhook_path}"
            first, second = await asyncio.gather(http.post(url, json=update), http.post(url, json=update))
            # One is handled; the other, arriving while it is, is asked to come again later.
            assert sorted([first.status, second.status]) == [200, 503]
            again = await http.post(url, json=update)  # Telegram's retry, after the first was handled
            assert again.status == 200
        assert len([c for c in api.calls_of("sendMessage") if c.params.get("chat_id") in (4343, "4343")]) == 1
    finally:
        await runner.cleanup()
        await bot.session.close()
        await app.close()
        await api.stop()
