"""`run_console`: the stand-in, the bot (in this process, with the demo school) and the local Mini App, then
the chat, from a script or from the terminal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from aiogram import Dispatcher

from bot.config import Settings
from bot.console.chat import Console
from standin import BotAPIStandin
from standin.session import IN_PROCESS_BASE, connect, track
from storage.models import School

CONSOLE_TOKEN = "100200300:CONSOLE-STANDIN"
FILES_DIR = Path("console-files")
#: Loggers that would write a line per update or per job run among the chat (quieted unless LOG_LEVEL=DEBUG).
NOISY_LOGGERS = ("aiogram.event", "aiogram.dispatcher", "aiogram.middlewares", "apscheduler", "alembic",
                 "bot.runner")


@dataclass
class _Started:
    api: BotAPIStandin
    app: Any
    demo: Any
    school: str


def banner(console: Console, database_url: str, school: str) -> str:
    return (f"Maktab Bot console: the real bot, talking to a local stand-in of Telegram (no network).\n"
            f'Database: {database_url}, with the demo school "{school}".\n'
            f"{console.list_personas()}\n"
            f'To be recognised as a demo persona: /start, choose its role, press "Share my phone number", '
            f"then type :phone.\n"
            f"Type a number to press a button, :help for the console's commands, :quit to leave.")


@contextlib.contextmanager
def _quiet_logs(level: str) -> Iterator[None]:
    """Keep per-update log lines out of the chat unless LOG_LEVEL=DEBUG."""
    if level.upper() == "DEBUG":
        yield
        return
    saved = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name, old in saved.items():
            logging.getLogger(name).setLevel(old)


def _console_stdout() -> TextIO:
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
    return sys.stdout


async def _start_local_webapp(app: Any) -> Any:
    """The Mini App on a free loopback port, so its web-app buttons can be opened in a local browser."""
    from aiohttp import web

    from bot.webapp import setup_webapp

    web_app = web.Application()
    setup_webapp(web_app, app, app.settings.bot_token.get_secret_value(), prefix="/webapp")
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    app.settings.webapp_url = f"http://127.0.0.1:{port}/webapp"  # the same object the handlers read
    return runner


async def _stop_polling(dispatcher: Dispatcher, polling: asyncio.Task) -> None:
    with contextlib.suppress(RuntimeError):
        await dispatcher.stop_polling()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(polling, 5)


async def _start_app(stack: contextlib.AsyncExitStack, settings: Settings) -> tuple[Any, Any, str]:
    """The app on the console's database with the demo school: (app, demo, the school's name)."""
    # Imported here so that what they log while importing (alembic) is quieted too.
    from bot.demo import seed_demo
    from bot.factory import build_app

    app = await build_app(settings)
    stack.push_async_callback(app.close)
    async with app.sessions() as session:
        demo = await seed_demo(session)
        await session.commit()
        school = await session.get(School, demo.school_id)
    return app, demo, school.name if school else "?"


async def _start(stack: contextlib.AsyncExitStack, settings: Settings, database_url: str) -> _Started:
    """The stand-in, the app with the demo school, the local Mini App, the bot polling; each stopped by
    ``stack`` in the reverse order."""
    from pydantic import SecretStr

    from bot.factory import create_bot
    from bot.runner import on_shutdown, on_startup

    api = BotAPIStandin(CONSOLE_TOKEN, bot_username="maktab_console_bot", bot_first_name="Maktab Bot")
    stack.push_async_callback(api.stop)
    settings = settings.model_copy(update={
        "bot_token": SecretStr(api.token), "bot_api_url": IN_PROCESS_BASE, "database_url": database_url,
        "scheduler_enabled": True, "mode": "polling",
    })
    app, demo, school = await _start_app(stack, settings)
    bot = connect(create_bot(settings), api)
    stack.push_async_callback(bot.session.close)
    stack.push_async_callback((await _start_local_webapp(app)).cleanup)
    stack.push_async_callback(on_shutdown, app)
    await on_startup(app, bot)
    dp = app.dispatcher
    track(dp, api)  # Console.settle waits for the updates to be handled
    # One update at a time, so the chat reads in order.
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=10,
                                                   handle_as_tasks=False, close_bot_session=False,
                                                   allowed_updates=dp.resolve_used_update_types()))
    stack.push_async_callback(_stop_polling, dp, polling)
    return _Started(api, app, demo, school)


async def run_console(settings: Settings, *, database_url: str, script: str | Path | None = None,
                      out: TextIO | None = None, stdin: TextIO | None = None,
                      files_dir: Path | None = None) -> int:
    """Run the console chat; 0 when it ended normally, 1 when a script met a problem, 2 on a bad script path."""
    out = out or _console_stdout()
    lines: list[str] | None = None
    if script is not None:
        try:
            lines = Path(script).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            print(f"cannot read the script {script}: {exc}", file=sys.stderr)
            return 2
    with _quiet_logs(settings.log_level):
        async with contextlib.AsyncExitStack() as stack:
            started = await _start(stack, settings, database_url)
            stream = stdin or sys.stdin
            interactive = lines is None and stream.isatty()
            console = Console(started.api, started.app.sessions, started.demo, out=out,
                              files_dir=files_dir or FILES_DIR, language=settings.default_language,
                              redraw_prompt=interactive, echo_input=lines is None and not interactive)
            console.add_fixed_personas()
            console.current = await console.new_persona()
            console.write(banner(console, database_url, started.school))
            console.write(console.describe(console.current))
            if lines is not None:
                await console.run_lines(lines)
                return 1 if console.problems else 0
            await console.run_stream(stream)
            return 0
