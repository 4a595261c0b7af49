"""A Telegram user in a private chat with the bot: drives the bot and sees its answers."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from standin.models import ApiCall, ChatMessage, button_text, drop_none, utf16_len

if TYPE_CHECKING:
    from standin.server import BotAPIStandin

log = logging.getLogger(__name__)

Listener = Callable[[str, ChatMessage], Any]


async def wait_event(event: asyncio.Event, timeout: float) -> None:
    """Wait for ``event`` at most ``timeout`` seconds (no error on timeout)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)


class StandinUser:
    """A Telegram user in a private chat with the bot; drives the bot and sees its answers."""

    def __init__(self, server: BotAPIStandin, user_id: int, first_name: str, *, last_name: str | None = None,
                 username: str | None = None, language_code: str | None = "ru") -> None:
        self.server = server
        self.user_id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        #: The chat as the user sees it, oldest first: the user's and the bot's messages.
        self.messages: list[ChatMessage] = []
        #: The reply keyboard currently shown under the input field (a ReplyKeyboardMarkup), if any.
        self.reply_keyboard: dict[str, Any] | None = None
        #: The menu button set for this chat by setChatMenuButton, if any.
        self.menu_button: dict[str, Any] | None = None
        #: Callbacks ``(kind, message)`` with kind "new", "edit" or "delete", for bot messages.
        self.listeners: list[Listener] = []
        self._next_message_id = 1
        self._events: list[ChatMessage] = []  # snapshots of new and edited bot messages
        self._cursor = 0
        self._changed = asyncio.Event()

    # ---- identity -------------------------------------------------------------------------------

    def as_user(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        return drop_none({"id": self.user_id, "is_bot": False, "first_name": self.first_name,
                          "last_name": self.last_name, "username": self.username,
                          "language_code": self.language_code})

    def as_chat(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object of the private chat."""
        return drop_none({"id": self.chat_id, "type": "private", "first_name": self.first_name,
                          "last_name": self.last_name, "username": self.username})

    # ---- the chat ---------------------------------------------------------------------------------

    def bot_messages(self) -> list[ChatMessage]:
        """The bot's messages still in the chat, oldest first."""
        return [m for m in self.messages if m.from_bot]

    def last(self) -> ChatMessage:
        """The newest bot message."""
        for message in reversed(self.messages):
            if message.from_bot:
                return message
        raise AssertionError(f"user {self.user_id} has no message from the bot")

    def get(self, message_id: int) -> ChatMessage | None:
        """The message with this id, if it is still in the chat."""
        return next((m for m in self.messages if m.message_id == message_id), None)

    def reply_buttons(self) -> list[list[str]]:
        """Texts of the reply keyboard currently shown (empty when none)."""
        rows = (self.reply_keyboard or {}).get("keyboard", [])
        return [[button_text(button) for button in row] for row in rows]

    def answered(self, callback_id: str) -> ApiCall | None:
        """The successful answerCallbackQuery for that callback query id, if any."""
        record = self.server._callbacks.get(callback_id)
        return record.answer if record else None

    def transcript(self, last: int | None = None) -> str:
        """The chat rendered as text (the ``last`` messages only, if given)."""
        messages = self.messages if last is None else self.messages[-last:]
        return "\n".join(m.render() for m in messages) or "(empty chat)"

    # ---- actions ----------------------------------------------------------------------------------

    def _new_message(self, **fields: Any) -> ChatMessage:
        message = ChatMessage(message_id=self._next_message_id, chat_id=self.chat_id, date=int(time.time()),
                              **fields)
        self._next_message_id += 1
        self.messages.append(message)
        return message

    async def _post(self, message: ChatMessage) -> ChatMessage:
        """The user's new message goes to the bot as an update."""
        self.server._enqueue("message", self.server._message_dict(self, message), self.user_id)
        await asyncio.sleep(0)
        return message

    def _action(self) -> None:
        self._cursor = len(self._events)
        if self.user_id in self.server._blocked:
            self.server.unblock(self.user_id)

    async def send(self, text: str) -> ChatMessage:
        """The user sends a text message; "/cmd args" carries a bot_command entity."""
        self._action()
        entities: list[dict[str, Any]] = []
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        message = self._new_message(from_bot=False, text=text, entities=entities)
        one_time = bool(self.reply_keyboard and self.reply_keyboard.get("one_time_keyboard"))
        if one_time and any(text in row for row in self.reply_buttons()):
            self.reply_keyboard = None
        return await self._post(message)

    async def send_document(self, content: bytes, filename: str, caption: str | None = None) -> ChatMessage:
        """The user sends a file; the bot can getFile and download it."""
        self._action()
        stored = self.server._store_file("document", content, filename)
        return await self._post(self._new_message(from_bot=False, caption=caption, document=(filename, content),
                                                  file=stored))

    async def send_contact(self, phone_number: str) -> ChatMessage:
        """The user shares their own contact (as a request_contact button does)."""
        self._action()
        contact = drop_none({"phone_number": phone_number, "first_name": self.first_name,
                             "last_name": self.last_name, "user_id": self.user_id})
        message = self._new_message(from_bot=False, contact=contact)
        if self.reply_keyboard and self.reply_keyboard.get("one_time_keyboard"):
            self.reply_keyboard = None
        return await self._post(message)

    def _target(self, message: ChatMessage | None) -> ChatMessage:
        if message is not None:
            live = self.get(message.message_id)
            if live is None:
                raise AssertionError(f"message {message.message_id} is no longer in the chat")
            return live
        candidates = [m for m in reversed(self.messages) if m.from_bot and m.inline_buttons()]
        if not candidates:
            raise AssertionError(f"no bot message with an inline keyboard; chat:\n{self.transcript(last=5)}")
        return candidates[0]

    def _find_button(self, button: str | int, message: ChatMessage | None) -> tuple[ChatMessage, dict[str, Any]]:
        target = self._target(message)
        flat = [b for row in target.inline_buttons() for b in row]
        available = f"buttons of message {target.message_id}: {target.buttons()}"
        if isinstance(button, int):
            if not 0 <= button < len(flat):
                raise AssertionError(f"no button #{button}; {available}")
            found = flat[button]
        else:
            exact = [b for b in flat if b.get("text") == button]
            partial = [b for b in flat if button in b.get("text", "")]
            if not exact and len(partial) > 1:
                texts = [b.get("text") for b in partial]
                raise AssertionError(f"button {button!r} is ambiguous: {texts}; {available}")
            if not exact and not partial:
                raise AssertionError(f"no button {button!r}; {available}")
            found = (exact or partial)[0]
        if "callback_data" not in found:
            raise AssertionError(f"button {found.get('text')!r} is not a callback button: {found}")
        return target, found

    async def click(self, button: str | int, *, message: ChatMessage | None = None) -> str:
        """Press an inline button (exact text, else unique substring, else flat index).

        Looks in ``message`` (its current state) or else in the newest bot message with an inline
        keyboard; queues a callback_query carrying the message as it is now; returns the query id.
        """
        target, found = self._find_button(button, message)
        self._action()
        payload = self.server._message_dict(self, target)
        return self.server._enqueue_callback(self, str(found["callback_data"]), payload)

    async def click_data(self, data: str, *, message_id: int | None = None, inaccessible: bool = False) -> str:
        """A callback query with arbitrary (forged or stale) data.

        The message is ``message_id`` if given (an InaccessibleMessage if it is not in the chat, or if
        ``inaccessible``), else the newest bot message with an inline keyboard, else the newest one.
        """
        self._action()
        target: ChatMessage | None
        if message_id is not None:
            target = self.get(message_id)
        else:
            with_keyboard = [m for m in self.messages if m.from_bot and m.inline_buttons()]
            target = with_keyboard[-1] if with_keyboard else next(
                (m for m in reversed(self.messages) if m.from_bot), None)
            if target is None:
                raise AssertionError("click_data without message_id needs a bot message in the chat")
            message_id = target.message_id
        if target is None or inaccessible:
            payload = {"chat": self.as_chat(), "message_id": message_id, "date": 0}
        else:
            payload = self.server._message_dict(self, target)
        return self.server._enqueue_callback(self, data, payload)

    # ---- waiting ----------------------------------------------------------------------------------

    def _notify(self, kind: str, message: ChatMessage) -> None:
        if kind in ("new", "edit"):
            self._events.append(copy.copy(message))
            changed, self._changed = self._changed, asyncio.Event()
            changed.set()
        for listener in list(self.listeners):
            try:
                result = listener(kind, message)
                if isinstance(result, Awaitable):
                    self.server._spawn(result)
            except Exception:
                log.exception("stand-in listener failed")

    async def wait_for(self, predicate: Callable[[ChatMessage], bool] | None = None, *,
                       timeout: float = 5.0) -> ChatMessage:
        """Wait for a new or edited bot message since the last wait_for or action of this user.

        Returns a snapshot of the message as it was at that event (the live one is in ``messages``).
        Events the predicate rejects are skipped; raises AssertionError on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            changed = self._changed
            for index in range(self._cursor, len(self._events)):
                event = self._events[index]
                if predicate is None or predicate(event):
                    self._cursor = index + 1
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching bot message for user {self.user_id} within {timeout}s; "
                                     f"chat so far:\n{self.transcript(last=5)}")
            await wait_event(changed, remaining)

    async def wait_idle(self, *, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until the bot is done with this user's updates.

        With a dispatcher that reports the updates it handled (``standin.track``, as the test harness and
        the console do) this ends the moment the last of them is handled and no request about the user is
        in flight. Otherwise: once the bot fetched them all and made no call about them for ``quiet`` s.
        """
        deadline = time.monotonic() + timeout
        while True:
            pulse = self.server._pulse
            wait = self.server._idle_wait(self, quiet)
            if wait == 0:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pending = self.server._pending_for(self.user_id)
                raise AssertionError(f"bot not idle for user {self.user_id} within {timeout}s "
                                     f"({pending} update(s) not fetched); chat so far:\n{self.transcript(last=5)}")
            await wait_event(pulse, remaining if wait is None else min(wait, remaining))
