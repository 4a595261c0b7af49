"""`python -m bot console`: chat with the real bot in a terminal, without Telegram.

The bot built by `bot.factory.build_app` polls the Bot API stand-in (bot/standin) over HTTP on
127.0.0.1, in this process, with the demo school loaded. The person at the terminal plays demo
personas (each a separate Telegram user of the stand-in) and sees every bot message as it arrives or
is edited, with buttons numbered so a number presses one. Plain stdin/stdout, so a script
(`--script FILE`, one input per line) can drive it as well as a person.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import SUPPORTED_LANGUAGES, Settings
from bot.standin.server import BotAPIStandin, ChatMessage, StandinUser
from storage.models import School, User

if TYPE_CHECKING:
    from bot.demo import DemoSchool

CONSOLE_TOKEN = "100200300:CONSOLE-STANDIN"
FILES_DIR = Path("console-files")
#: "new" personas get ids above this one, each one more than any user the database already has there.
NEW_USER_BASE = 900_000_000
#: After the bot handled an input, wait until it made no call about the persona for this long...
IDLE_QUIET = 0.15
#: ...and give up waiting (with a note) after this long.
IDLE_TIMEOUT = 20.0
#: Loggers that would write a line per update or per job run among the chat (quieted unless LOG_LEVEL=DEBUG).
NOISY_LOGGERS = ("aiogram.event", "aiogram.dispatcher", "aiogram.middlewares", "apscheduler", "alembic",
                 "bot.runner")

HELP = """\
Console commands (the bot's commands start with /, the console's with :):
  :as NAME     play another persona: teacher, class, head, parent, or new (a brand-new user each time)
  :as          list the personas and who you are
  :lang CODE   Telegram language of this persona and of new ones: uz, ky, kk, ru
               (a language chosen in the bot with /language wins over it)
  :phone       share this persona's phone number (what "Share my phone number" asks for)
  :say TEXT    send TEXT as it is (a number, or a text starting with ":")
  :chat [N]    show the last N messages of this chat again (default 10)
  :help        this list
  :quit        leave (Ctrl+D or Ctrl+C too)
Buttons: 3 (or b 3) presses button [3] of the newest message with buttons; b 5:3 presses button [3]
of message #5; r1 presses button (r1) of the keyboard under the input field.
Anything else is sent to the bot as a message. Files the bot sends are saved in {files_dir}/."""

_PRESS_RE = re.compile(r"(?:b\s*(?:(\d+)\s*:\s*)?)?(\d+)")
_REPLY_PRESS_RE = re.compile(r"r\s*(\d+)")


@dataclass
class Persona:
    """A demo person: one Telegram user of the stand-in, with the phone the demo roster knows."""

    key: str
    name: str
    phone: str
    #: The role to choose in the bot to be recognised (English; the button is in the bot's language).
    role_hint: str | None
    user: StandinUser

    @property
    def label(self) -> str:
        return f"{self.key} ({self.name})"

    @property
    def slug(self) -> str:
        """A file-name prefix unique among the personas of a session."""
        return self.key if self.key != "new" else f"new{self.user.user_id - NEW_USER_BASE}"


#: key -> (Telegram id, first name, last name, role to choose); phones come from DemoSchool.
FIXED_PERSONAS: dict[str, tuple[int, str, str, str]] = {
    "teacher": (1001, "Dilnoza", "Karimova", "Teacher"),
    "class": (1002, "Jasur", "Tursunov", "Class teacher"),
    "head": (1003, "Mohira", "Abdullayeva", "School administration"),
    "parent": (1004, "Sanobar", "Yusupova", "Parent"),
}


def _demo_phone(demo: DemoSchool, key: str) -> str:
    return {"teacher": demo.teacher_phone, "class": demo.class_teacher_phone, "head": demo.head_phone,
            "parent": demo.parent_phone}[key]


# --------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------


def _button_text(button: dict[str, Any] | str) -> str:
    return button.get("text", "") if isinstance(button, dict) else str(button)


def render_message(message: ChatMessage, *, edited: bool = False, to: str | None = None,
                   saved: str | None = None) -> str:
    """A message as the console shows it: a header, the content, numbered buttons, the reply keyboard."""
    who = f"bot #{message.message_id}" if message.from_bot else f"you #{message.message_id}"
    if to:
        who += f" → {to}"
    if edited:
        who += " ✎ EDITED"
    lines = [f"── {who} ──"]
    if message.document is not None:
        lines.append(f"📎 document {message.document[0]}" + (f", saved as {saved}" if saved else ""))
    if message.photo is not None:
        lines.append("🖼 photo" + (f", saved as {saved}" if saved else ""))
    if message.contact is not None:
        lines.append(f"📱 contact {message.contact.get('phone_number')}")
    if message.content:
        lines.append(message.content)
    number = 0
    for row in message.inline_buttons():
        cells = []
        for button in row:
            number += 1
            mark = "" if "callback_data" in button else "🔗 "
            cells.append(f"[{number}] {mark}{_button_text(button)}")
        lines.append("  " + "  ".join(cells))
    keyboard = (message.reply_markup or {}).get("keyboard")
    if keyboard:
        number = 0
        cells = []
        for row in keyboard:
            for button in row:
                number += 1
                hint = " (:phone)" if isinstance(button, dict) and button.get("request_contact") else ""
                cells.append(f"(r{number}) {_button_text(button)}{hint}")
        lines.append("  keyboard: " + "  ".join(cells))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# The session
# --------------------------------------------------------------------------------------------------


class Console:
    """The terminal side: personas, output as the bot acts, and the console's own commands."""

    def __init__(self, api: BotAPIStandin, sessions: async_sessionmaker[AsyncSession], demo: DemoSchool, *,
                 out: TextIO, files_dir: Path, language: str, redraw_prompt: bool, echo_input: bool) -> None:
        self.api = api
        self.sessions = sessions
        self.demo = demo
        self.out = out
        self.files_dir = files_dir
        self.language = language
        self.redraw_prompt = redraw_prompt
        self.echo_input = echo_input
        self.personas: dict[str, Persona] = {}
        self.current: Persona | None = None
        self.problems = 0
        self._last_new_id = NEW_USER_BASE
        self._prompt_shown = False
        self._waiting_input = False

    # ---- output -----------------------------------------------------------------------------------

    def write(self, text: str) -> None:
        if self._prompt_shown:
            self.out.write("\n")
            self._prompt_shown = False
        self.out.write(text + "\n")
        self.out.flush()
        if self.redraw_prompt and self._waiting_input:
            self.show_prompt()

    def problem(self, text: str) -> None:
        self.problems += 1
        self.write(text)

    @property
    def prompt(self) -> str:
        return f"{self.current.key if self.current else ''}> "

    def show_prompt(self) -> None:
        self.out.write(self.prompt)
        self.out.flush()
        self._prompt_shown = True

    def _on_bot_event(self, persona: Persona, kind: str, message: ChatMessage) -> None:
        to = None if persona is self.current else persona.label
        if kind == "delete":
            self.write(f"── bot deleted message #{message.message_id}{f' of {to}' if to else ''} ──")
            return
        saved = self._save_attachment(persona, message) if kind == "new" else None
        self.write(render_message(message, edited=kind == "edit", to=to, saved=saved))

    def _save_attachment(self, persona: Persona, message: ChatMessage) -> str | None:
        if message.document is not None:
            name, content = message.document
        elif message.photo is not None:
            name, content = (message.file.filename if message.file else "photo.jpg"), message.photo
        else:
            return None
        safe = re.sub(r"[^\w.\-]+", "_", Path(name).name).strip("._") or "file"
        path = self.files_dir / f"{persona.slug}-{message.message_id}-{safe}"
        try:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        except OSError as exc:
            return f"(not saved: {exc})"
        return f"{path} ({len(content):,} bytes)"

    # ---- personas ---------------------------------------------------------------------------------

    def _add(self, key: str, user: StandinUser, phone: str, role_hint: str | None) -> Persona:
        persona = Persona(key=key, name=" ".join(filter(None, [user.first_name, user.last_name])), phone=phone,
                          role_hint=role_hint, user=user)
        user.listeners.append(lambda kind, message: self._on_bot_event(persona, kind, message))
        return persona

    def add_fixed_personas(self) -> None:
        """All demo personas exist from the start, so the bot can write to any of them (e.g. the head)."""
        for key, (user_id, first, last, role) in FIXED_PERSONAS.items():
            user = self.api.user(user_id, first, last_name=last, language_code=self.language)
            self.personas[key] = self._add(key, user, _demo_phone(self.demo, key), role)

    async def new_persona(self) -> Persona:
        async with self.sessions() as session:
            known = await session.scalar(select(func.max(User.id)).where(User.id > NEW_USER_BASE))
        self._last_new_id = max(self._last_new_id, known or NEW_USER_BASE) + 1
        number = self._last_new_id - NEW_USER_BASE
        user = self.api.user(self._last_new_id, f"Guest{number}", language_code=self.language)
        phone = f"99899{self._last_new_id % 10_000_000:07d}"  # not in the demo roster
        persona = self._add("new", user, phone, None)
        self.personas["new"] = persona
        return persona

    def describe(self, persona: Persona) -> str:
        user = persona.user
        text = (f"You are now {persona.label}: Telegram id {user.user_id}, Telegram language "
                f"{user.language_code}, phone {persona.phone}.")
        if persona.role_hint:
            text += (f'\nTo be recognised: /start, choose the role "{persona.role_hint}", press '
                     f'"Share my phone number", then type :phone.')
        else:
            text += "\nA new user the school does not know: /start shows the onboarding."
        return text

    def list_personas(self) -> str:
        lines = ["Personas (:as NAME):"]
        for key, (_id, first, last, role) in FIXED_PERSONAS.items():
            mark = "*" if self.current and self.current.key == key else " "
            lines.append(f" {mark}{key:<8} {first + ' ' + last:<20} phone {_demo_phone(self.demo, key)}  "
                         f'role "{role}"')
        mark = "*" if self.current and self.current.key == "new" else " "
        lines.append(f" {mark}{'new':<8} a brand-new user each time, no phone on file")
        return "\n".join(lines)

    async def switch(self, key: str) -> None:
        key = key.strip().lower()
        if not key:
            self.write(self.list_personas())
            return
        if key == "new":
            persona = await self.new_persona()
        elif key in self.personas:
            persona = self.personas[key]
        else:
            self.problem(f"(no persona {key!r})\n{self.list_personas()}")
            return
        self.current = persona
        self.write(self.describe(persona))
        if persona.user.messages:
            self.show_chat(3)

    def show_chat(self, last: int) -> None:
        assert self.current is not None
        messages = self.current.user.messages[-last:] if last > 0 else []
        if not messages:
            self.write("(this chat is empty: type /start)")
        for message in messages:
            self.write(render_message(message, edited=bool(message.edited)))

    def set_language(self, code: str) -> None:
        code = code.strip().lower()
        if not re.fullmatch(r"[a-z]{2}", code):
            self.problem(f"(:lang takes a language code: {', '.join(SUPPORTED_LANGUAGES)})")
            return
        self.language = code
        if self.current is not None:
            self.current.user.language_code = code
        note = "" if code in SUPPORTED_LANGUAGES else " (the bot does not speak it: it will use its default)"
        self.write(f"Telegram language is now {code} for {self.current.label if self.current else 'you'} "
                   f"and for new personas{note}.")

    # ---- actions ----------------------------------------------------------------------------------

    async def settle(self, persona: Persona) -> None:
        """Wait until the bot has handled what the persona did, then until it falls quiet.

        The dispatcher polls with handle_as_tasks=False, so an update stays unconfirmed (listed by
        api.pending_updates()) until its handler has returned: a precise end even on a busy machine,
        where a pause in a handler can outlast any quiet time. wait_idle then catches what comes just after.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + IDLE_TIMEOUT
        while self.api.pending_updates():
            if loop.time() >= deadline:
                self.problem(f"(the bot is still busy after {IDLE_TIMEOUT:.0f} s; carrying on)")
                return
            await asyncio.sleep(0.01)
        try:
            await persona.user.wait_idle(quiet=IDLE_QUIET, timeout=IDLE_TIMEOUT)
        except AssertionError:
            self.problem(f"(the bot is still busy after {IDLE_TIMEOUT:.0f} s; carrying on)")

    async def send_text(self, text: str) -> None:
        persona = self._persona()
        await persona.user.send(text)
        await self.settle(persona)

    async def share_phone(self) -> None:
        persona = self._persona()
        await persona.user.send_contact(persona.phone)
        self.write(f"(you shared your phone {persona.phone})")
        await self.settle(persona)

    async def press(self, number: int, message_id: int | None) -> None:
        persona = self._persona()
        user = persona.user
        if message_id is None:
            target = next((m for m in reversed(user.messages) if m.from_bot and m.inline_buttons()), None)
            if target is None:
                self.problem("(no message with buttons in this chat)")
                return
        else:
            target = user.get(message_id)
            if target is None or not target.from_bot:
                self.problem(f"(no bot message #{message_id} in this chat)")
                return
        flat = [button for row in target.inline_buttons() for button in row]
        if not 1 <= number <= len(flat):
            span = f"buttons 1–{len(flat)}" if flat else "no buttons"
            self.problem(f"(message #{target.message_id} has {span})")
            return
        button = flat[number - 1]
        if "web_app" in button:
            self.write("(a Mini App: open it in a browser as this persona)\n" + self.web_app_link(
                persona, button["web_app"]["url"]))
            return
        if "callback_data" not in button:
            where = button.get("url") or "outside the console"
            self.write(f"(this button opens {where})")
            return
        callback_id = await user.click(number - 1, message=target)
        await self.settle(persona)
        self._show_callback_answer(user, callback_id)

    def web_app_link(self, persona: Persona, url: str) -> str:
        """The page's URL with initData signed for the persona, in the fragment where Telegram puts it."""
        from datetime import UTC, datetime
        from urllib.parse import quote

        from bot.webapp.auth import sign_init_data

        user = persona.user
        init = sign_init_data(self.api.token, {"id": user.user_id, "first_name": persona.name,
                                               "language_code": user.language_code or self.language},
                              auth_date=datetime.now(UTC))
        return f"{url}#tgWebAppData={quote(init, safe='')}"

    async def press_reply(self, number: int) -> None:
        user = self._persona().user
        rows = (user.reply_keyboard or {}).get("keyboard") or []
        flat = [button for row in rows for button in row]
        if not 1 <= number <= len(flat):
            self.problem("(no such button under the input field)" if flat else "(no keyboard under the input field)")
            return
        button = flat[number - 1]
        if isinstance(button, dict) and button.get("request_contact"):
            await self.share_phone()
        else:
            await self.send_text(_button_text(button))

    def _show_callback_answer(self, user: StandinUser, callback_id: str) -> None:
        """The pop-up Telegram shows when the bot answers a button press with a text."""
        call = user.answered(callback_id)
        text = call.params.get("text") if call is not None else None
        if text:
            kind = "ALERT" if call.params.get("show_alert") in (True, "true") else "toast"
            self.write(f"  💬 {kind}: {text}")

    def _persona(self) -> Persona:
        assert self.current is not None
        return self.current

    # ---- input ------------------------------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """Act on one line of input; False when the person wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            return await self.command(line[1:])
        press = _PRESS_RE.fullmatch(line)
        if press:
            await self.press(int(press.group(2)), int(press.group(1)) if press.group(1) else None)
            return True
        reply = _REPLY_PRESS_RE.fullmatch(line)
        if reply:
            await self.press_reply(int(reply.group(1)))
            return True
        await self.send_text(line)
        return True

    async def command(self, text: str) -> bool:
        name, _sep, argument = text.strip().partition(" ")
        name, argument = name.lower(), argument.strip()
        if name in ("quit", "q", "exit"):
            return False
        if name in ("help", "h", "?", ""):
            self.write(HELP.format(files_dir=self.files_dir))
        elif name == "as":
            await self.switch(argument)
        elif name == "lang":
            self.set_language(argument)
        elif name == "phone":
            await self.share_phone()
        elif name == "say":
            if argument:
                await self.send_text(argument)
            else:
                self.problem("(:say needs a text)")
        elif name == "chat":
            self.show_chat(int(argument) if argument.strip().isdigit() else 10)
        else:
            self.problem(f"(unknown console command :{name}; :help lists them)")
        return True

    async def run_lines(self, lines: Iterable[str]) -> None:
        """A script: one input per line, the bot idle between lines; blank lines and # comments skipped."""
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            self.write(self.prompt + line)
            if not await self.handle(line):
                return

    async def run_stream(self, stream: TextIO) -> None:
        """Lines from a terminal or a pipe, read by a daemon thread so the bot keeps talking meanwhile."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        def read() -> None:
            with contextlib.suppress(RuntimeError):  # the loop is gone: the console has ended
                try:
                    for line in iter(stream.readline, ""):
                        loop.call_soon_threadsafe(queue.put_nowait, line)
                except (OSError, ValueError):
                    pass
                loop.call_soon_threadsafe(queue.put_nowait, None)

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        while True:
            self.show_prompt()
            self._waiting_input = True
            line = await queue.get()
            self._waiting_input = False
            if line is None:  # end of input (Ctrl+D)
                if self._prompt_shown:
                    self.out.write("\n")
                    self._prompt_shown = False
                return
            if self.echo_input:
                self.out.write(line if line.endswith("\n") else line + "\n")
            self._prompt_shown = False
            if not await self.handle(line):
                return


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
    api = BotAPIStandin(CONSOLE_TOKEN, bot_username="maktab_console_bot", bot_first_name="Maktab Bot")
    with _quiet_logs(settings.log_level):
        # Imported here so that what they log while importing (alembic) is quieted too.
        from bot.demo import seed_demo
        from bot.factory import build_app, create_bot
        from bot.runner import on_shutdown, on_startup

        await api.start()
        settings = settings.model_copy(update={
            "bot_token": SecretStr(api.token), "bot_api_url": api.base_url, "database_url": database_url,
            "scheduler_enabled": True, "mode": "polling",
        })
        app = bot = polling = webapp = None
        try:
            app = await build_app(settings)
            async with app.sessions() as session:
                demo = await seed_demo(session)
                await session.commit()
                school = await session.get(School, demo.school_id)
            bot = create_bot(settings)
            webapp = await _start_local_webapp(app)
            await on_startup(app, bot)
            dp = app.dispatcher
            # One update at a time: see Console.settle.
            polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=10,
                                                           handle_as_tasks=False,
                                                           allowed_updates=dp.resolve_used_update_types()))
            stream = stdin or sys.stdin
            interactive = lines is None and stream.isatty()
            console = Console(api, app.sessions, demo, out=out, files_dir=files_dir or FILES_DIR,
                              language=settings.default_language, redraw_prompt=interactive,
                              echo_input=lines is None and not interactive)
            console.add_fixed_personas()
            console.current = await console.new_persona()
            console.write(banner(console, database_url, school.name if school else "?"))
            console.write(console.describe(console.current))
            if lines is not None:
                await console.run_lines(lines)
                return 1 if console.problems else 0
            await console.run_stream(stream)
            return 0
        finally:
            if polling is not None:
                with contextlib.suppress(RuntimeError):
                    await app.dispatcher.stop_polling()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(polling, 5)
            if app is not None:
                await on_shutdown(app)
            if webapp is not None:
                await webapp.cleanup()
            if bot is not None:
                await bot.session.close()
            if app is not None:
                await app.close()
            await api.stop()
