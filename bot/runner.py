"""Running the bot: long polling by default, or a webhook server; `worker`: the scheduler alone.

Roles: `python -m bot` handles updates and (with SCHEDULER_ENABLED, the default) runs the jobs too, for a
single small install; `python -m bot worker` runs only the jobs (planning, sending, exam deadlines). Any
number of both may share one PostgreSQL: the jobs run under leases (bot/scheduler.py).
"""

from __future__ import annotations

import asyncio
import gc
import logging

from aiogram import Bot
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web

from bot.config import Settings
from bot.factory import App, build_app, create_bot
from bot.services.commands import set_default_commands
from bot.webhook_dedup import DedupRequestHandler, ledger_for
from usecases.foreground import IDLE

log = logging.getLogger(__name__)


async def on_startup(app: App, bot: Bot) -> None:
    me = await bot.get_me()
    app.dispatcher["bot_username"] = me.username
    await set_default_commands(bot, app.i18n)
    from bot.scheduler import start_scheduler

    if app.settings.scheduler_enabled:
        app.extras["scheduler"] = await start_scheduler(app, bot)
    log.info("bot @%s ready", me.username)


async def on_shutdown(app: App) -> None:
    from bot.scheduler import stop_scheduler

    await stop_scheduler(app)  # sends in flight finish, so none is left "unknown"; leases given back


def freeze_startup_objects() -> None:
    """Everything built at start-up (routers, catalogues, courses, fonts) lives as long as the process: keep
    it out of the garbage collector's full passes, which otherwise stall the loop for a third of a second."""
    gc.collect()
    gc.freeze()


def bot_for(app: App) -> Bot:
    """The bot whose replies honour the shared flood wait and overall budget."""
    return create_bot(app.settings, limiter=app.extras["rate_limiter"])


async def run_polling(settings: Settings) -> None:
    app = await build_app(settings)
    bot = bot_for(app)
    webapp_runner = await start_webapp_server(app)
    try:
        # Polling while a webhook is set fails with 409: remove it first.
        await bot.delete_webhook(drop_pending_updates=False)
        await on_startup(app, bot)
        freeze_startup_objects()
        await app.dispatcher.start_polling(bot, allowed_updates=app.dispatcher.resolve_used_update_types())
    finally:
        await on_shutdown(app)
        if webapp_runner is not None:
            await webapp_runner.cleanup()
        await bot.session.close()
        await app.close()


def webhook_app(app: App, bot: Bot) -> web.Application:
    """The aiohttp application that receives Telegram's updates (checked against the secret token), and
    serves the Mini App when WEBAPP_URL is set."""
    settings = app.settings
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    web_app = web.Application()
    ledger = ledger_for(settings, bot.id)
    app.extras["update_ledger"] = ledger
    DedupRequestHandler(dispatcher=app.dispatcher, bot=bot, secret_token=secret, ledger=ledger).register(
        web_app, path=settings.webhook_path)
    setup_application(web_app, app.dispatcher, bot=bot)
    if settings.webapp_url:
        add_webapp(web_app, app)
    return web_app


def add_webapp(web_app: web.Application, app: App) -> None:
    from bot.webapp import setup_webapp, webapp_path

    token = app.settings.bot_token.get_secret_value() if app.settings.bot_token else ""
    setup_webapp(web_app, app, token, prefix=webapp_path(app.settings.webapp_url))


async def start_webapp_server(app: App) -> web.AppRunner | None:
    """Polling mode: the Mini App on a port of its own (WEBAPP_HOST:WEBAPP_PORT), only when WEBAPP_URL is set."""
    if not app.settings.webapp_url:
        return None
    web_app = web.Application()
    add_webapp(web_app, app)
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, app.settings.webapp_host, app.settings.webapp_port).start()
    log.info("mini app on %s:%s", app.settings.webapp_host, app.settings.webapp_port)
    return runner


async def run_webhook(settings: Settings) -> None:
    if not settings.webhook_base_url:
        raise RuntimeError("MODE=webhook needs WEBHOOK_BASE_URL (the public https address of this server)")
    app = await build_app(settings)
    bot = bot_for(app)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    await on_startup(app, bot)
    await bot.set_webhook(settings.webhook_base_url.rstrip("/") + settings.webhook_path, secret_token=secret,
                          allowed_updates=app.dispatcher.resolve_used_update_types())
    runner = web.AppRunner(webhook_app(app, bot))
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    log.info("webhook on %s:%s%s", settings.webhook_host, settings.webhook_port, settings.webhook_path)
    freeze_startup_objects()
    try:
        await asyncio.Event().wait()
    finally:
        await on_shutdown(app)
        await runner.cleanup()
        await app.extras["update_ledger"].close()
        await bot.session.close()
        await app.close()


async def run_worker(settings: Settings) -> None:
    """The jobs without update handling: no polling, no webhook, no commands set."""
    app = await build_app(settings)
    app.extras["foreground"] = IDLE  # no replies here: the planner keeps its worker's pace and never waits
    bot = bot_for(app)
    from bot.scheduler import start_scheduler

    try:
        me = await bot.get_me()
        app.dispatcher["bot_username"] = me.username
        app.extras["scheduler"] = await start_scheduler(app, bot)
        log.info("worker for @%s ready", me.username)
        freeze_startup_objects()
        await asyncio.Event().wait()
    finally:
        await on_shutdown(app)
        await bot.session.close()
        await app.close()
