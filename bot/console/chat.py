"""The console session: personas, output as the bot acts, and the console's own commands."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import SUPPORTED_LANGUAGES
from bot.console.render import FIXED_PERSONAS, HELP, NEW_USER_BASE, Persona, demo_phone, render_message
from standin import BotAPIStandin, ChatMessage, StandinUser
from standin.models import button_text
from storage.models import User
from usecases.clock import SYSTEM_CLOCK

if TYPE_CHECKING:
    from bot.demo import DemoSchool

#: How long to wait for the bot to be done with an input before carrying on (with a note).
IDLE_TIMEOUT = 20.0

_PRESS_RE = re.compile(r"(?:b\s*(?:(\d+)\s*:\s*)?)?(\d+)")
_REPLY_PRESS_RE = re.compile(r"r\s*(\d+)")


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
            self.personas[key] = self._add(key, user, demo_phone(self.demo, key), role)

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
            lines.append(f" {mark}{key:<8} {first + ' ' + last:<20} phone {demo_phone(self.demo, key)}  "
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
        """Wait until the bot has handled what the persona did: the dispatcher reports each update it handled
        (``standin.track``), so this ends when the last handler returns, however busy the machine is."""
        try:
            await persona.user.wait_idle(timeout=IDLE_TIMEOUT)
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

    def _pressed_message(self, user: StandinUser, message_id: int | None) -> ChatMessage | None:
        """The message a press means: #message_id, else the newest with buttons (None, said why, if none)."""
        if message_id is None:
            target = next((m for m in reversed(user.messages) if m.from_bot and m.inline_buttons()), None)
            if target is None:
                self.problem("(no message with buttons in this chat)")
            return target
        target = user.get(message_id)
        if target is None or not target.from_bot:
            self.problem(f"(no bot message #{message_id} in this chat)")
            return None
        return target

    async def press(self, number: int, message_id: int | None) -> None:
        persona = self._persona()
        user = persona.user
        target = self._pressed_message(user, message_id)
        if target is None:
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
        elif "callback_data" not in button:
            self.write(f"(this button opens {button.get('url') or 'outside the console'})")
        else:
            callback_id = await user.click(number - 1, message=target)
            await self.settle(persona)
            self._show_callback_answer(user, callback_id)

    def web_app_link(self, persona: Persona, url: str) -> str:
        """The page's URL with initData signed for the persona, in the fragment where Telegram puts it."""
        from urllib.parse import quote

        from bot.webapp.auth import sign_init_data

        user = persona.user
        init = sign_init_data(self.api.token, {"id": user.user_id, "first_name": persona.name,
                                               "language_code": user.language_code or self.language},
                              auth_date=SYSTEM_CLOCK.now())
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
            await self.send_text(button_text(button))

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
