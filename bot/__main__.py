"""`python -m bot` runs the bot; subcommands: worker, console, import, demo, i18n, migrate, grant."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

HELP_NO_TOKEN = """\
{problem}

1. Open Telegram, talk to @BotFather, send /newbot and follow the steps.
2. Put the token it gives you into a file named .env next to this README:
       BOT_TOKEN=123456789:AA...
   (or export BOT_TOKEN in your shell), then run `python -m bot` again.

To try the bot without Telegram, run the console chat:  python -m bot console
"""

#: Libraries that log routine work at INFO (fontTools: a "subset" line per font and certificate).
QUIET_LOGGERS = ("fontTools",)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


TOKEN_SHAPE = re.compile(r"\d+:\S+")


def token_problem(token: str | None) -> str | None:
    """What is wrong with BOT_TOKEN (unset, empty, or not shaped like 123456789:AA...), or None. The shape is
    aiogram's `validate_token` rule, checked without importing aiogram, so a wrong token is told at once."""
    if not token or not token.strip():
        return "BOT_TOKEN is not set."
    if not TOKEN_SHAPE.fullmatch(token):
        return "BOT_TOKEN is not a valid token: it looks like 123456789:AA... (digits, a colon, then letters)."
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Maktab Bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (default): long polling, or a webhook with MODE=webhook")
    sub.add_parser("worker", help="run the jobs only (reminder planning and sending, exam deadlines), no updates")
    console = sub.add_parser("console", help="chat with the bot in this terminal, without Telegram")
    console.add_argument("--database", default="sqlite+aiosqlite:///console.db",
                         help="database for the console session (demo data is loaded into it)")
    console.add_argument("--script", help="a file of inputs, one per line, instead of the keyboard")
    imp = sub.add_parser("import", help="import data from a spreadsheet")
    imp.add_argument("what", choices=["roster", "journal", "calendar", "plan"], help="what the file holds")
    imp.add_argument("file", help="an .xlsx or .csv file")
    demo = sub.add_parser("demo", help="fill a sample school with a term of data")
    demo.add_argument("--reset", action="store_true", help="remove an earlier demo school first")
    i18n = sub.add_parser("i18n", help="extract, update and compile the translation catalogues")
    i18n.add_argument("action", choices=["extract", "update", "compile"])
    sub.add_parser("migrate", help="bring the database schema up to date")
    from bot.admin_cli import add_grant_parser

    add_grant_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    from bot.config import Settings

    settings = Settings()
    configure_logging(settings.log_level)
    command = COMMANDS.get(args.command or "run")
    if command is None:
        parser.print_help()
        return 2
    return command(settings, args)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    """The bot (polling or webhook), or with `worker` its jobs only."""
    problem = token_problem(settings.bot_token.get_secret_value() if settings.bot_token else None)
    if problem:
        print(HELP_NO_TOKEN.format(problem=problem), file=sys.stderr)
        return 2
    from bot.runner import run_polling, run_webhook, run_worker

    runner = run_worker if args.command == "worker" else run_webhook if settings.mode == "webhook" else run_polling
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(runner(settings))
    return 0


def _console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import run_console

    try:
        return asyncio.run(run_console(settings, database_url=args.database, script=args.script))
    except KeyboardInterrupt:
        return 130


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.importing import run_import
    from usecases.clock import SYSTEM_CLOCK

    return asyncio.run(run_import(settings, args.what, args.file, now=SYSTEM_CLOCK.now()))


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return asyncio.run(run_demo(settings, reset=args.reset))


def _i18n(settings: Settings, args: argparse.Namespace) -> int:
    from bot.i18n_tools import run_i18n

    return run_i18n(args.action)


def _grant(settings: Settings, args: argparse.Namespace) -> int:
    from bot.admin_cli import run_grant
    from usecases.clock import SYSTEM_CLOCK

    return asyncio.run(run_grant(settings, args, now=SYSTEM_CLOCK.now()))


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import create_engine, migrate

    async def go() -> None:
        engine = create_engine(settings.database_url)
        await migrate(engine)
        await engine.dispose()

    asyncio.run(go())
    print("database is up to date")
    return 0


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "run": _run, "worker": _run, "console": _console, "import": _import, "demo": _demo, "i18n": _i18n,
    "grant": _grant, "migrate": _migrate,
}


if __name__ == "__main__":
    sys.exit(main())
