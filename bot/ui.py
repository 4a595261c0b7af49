"""Showing screens on a phone: edit the message in place when a button was pressed, else send one."""

from __future__ import annotations

import logging

from aiogram import F
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

log = logging.getLogger(__name__)

#: Typed text that is not a command: a /command always reaches its own handler, even mid-form.
TYPED_TEXT = F.text & ~F.text.startswith("/")


async def show(event: Message | CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Navigation: replace the pressed message's text; a typed command gets a new message."""
    if isinstance(event, CallbackQuery):
        message = event.message
        if isinstance(message, Message) and message.text is not None:
            try:
                await message.edit_text(text, reply_markup=markup)
                return
            except TelegramBadRequest as exc:
                if "not modified" in exc.message:
                    return
                log.info("edit failed (%s); sending a new message", exc.message)
        if event.from_user is not None:
            await event.bot.send_message(event.from_user.id, text, reply_markup=markup)
        return
    await event.answer(text, reply_markup=markup)


def chat_id_of(event: Message | CallbackQuery) -> int:
    return event.from_user.id if isinstance(event, CallbackQuery) else event.chat.id


def notify(callback_answer: CallbackAnswer, text: str, *, alert: bool = False) -> None:
    """The text of the (single, automatic) answer to a button press: a toast, or an alert."""
    callback_answer.text = text
    callback_answer.show_alert = alert


def clip(text: str, limit: int = 60) -> str:
    """A button label that fits a phone: cut at a word with an ellipsis, never mid-word without one."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,:;–-") + "…"
