"""The chat side of the stand-in: checks Telegram makes on a request, and the messages it keeps per chat."""

from __future__ import annotations

import time
from typing import Any

from standin.models import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    ApiError,
    ChatMessage,
    as_int,
    bad,
    utf16_len,
)
from standin.users import StandinUser

NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
#: The bot sends plain text (parse_mode None); the stand-in does not model Telegram's HTML or Markdown.
UNSUPPORTED_PARSE_MODE = "unsupported parse mode in the stand-in"


class Chats:
    """Mixin of BotAPIStandin: private chats, their messages and the checks on what the bot sends there."""

    users: dict[int, StandinUser]
    _blocked: set[int]

    def as_bot_user(self) -> dict[str, Any]:
        raise NotImplementedError

    def _check_flood(self, chat_id: int) -> None:
        raise NotImplementedError

    def _chat(self, params: dict[str, Any], method: str) -> StandinUser:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad("chat_id is empty")
        user = self.users.get(as_int(chat_id))  # type: ignore[arg-type]
        if user is None:
            raise bad("chat not found")
        if user.chat_id in self._blocked and not method.startswith("get"):
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return user

    def _markup(self, params: dict[str, Any], *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
            for button in (button for row in rows for button in row):
                _check_inline_button(button)
            return markup if any(rows) else None
        if inline_only:
            raise bad("inline keyboard expected")
        if "keyboard" in markup or "remove_keyboard" in markup or "force_reply" in markup:
            return markup
        raise bad("can't parse reply keyboard markup JSON object")

    def _text(self, source: Any, params: dict[str, Any], *, caption: bool = False) -> str:
        """The text as the user sees it: Telegram trims it; a parse_mode is refused (the bot sends none)."""
        if params.get("parse_mode"):
            raise bad(UNSUPPORTED_PARSE_MODE)
        text = str(source).strip()
        if utf16_len(text) > (MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH):
            raise bad("message caption is too long" if caption else "message is too long")
        return text

    def _bot_message(self, user: StandinUser, params: dict[str, Any], **fields: Any) -> ChatMessage:
        markup = self._markup(params)
        self._check_flood(user.chat_id)
        message = user._new_message(from_bot=True, reply_markup=markup, **fields)
        if markup is not None:
            if "keyboard" in markup:
                user.reply_keyboard = markup
            elif markup.get("remove_keyboard"):
                user.reply_keyboard = None
        user._notify("new", message)
        return message

    def _editable(self, params: dict[str, Any], method: str) -> tuple[StandinUser, ChatMessage]:
        if params.get("inline_message_id"):
            raise bad("MESSAGE_ID_INVALID")
        user = self._chat(params, method)
        message_id = as_int(params.get("message_id"))
        message = user.get(message_id) if isinstance(message_id, int) else None
        if message is None:
            raise bad("message to edit not found")
        if not message.from_bot or (message.reply_markup and "inline_keyboard" not in message.reply_markup):
            # "it is currently only possible to edit messages without reply_markup or with inline keyboards"
            raise bad("message can't be edited")
        return user, message

    def _apply_edit(self, user: StandinUser, message: ChatMessage, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply an edit (an edit that changes nothing is refused, as Telegram does) and notify."""
        if all(getattr(message, key) == value for key, value in changes.items()):
            raise ApiError(400, NOT_MODIFIED)
        for key, value in changes.items():
            setattr(message, key, value)
        message.edited += 1
        message.edit_date = int(time.time())
        user._notify("edit", message)
        return self._message_dict(user, message)

    def _message_dict(self, user: StandinUser, message: ChatMessage) -> dict[str, Any]:
        """The Bot API ``Message`` object for a message of this chat, as it is now."""
        data: dict[str, Any] = {"message_id": message.message_id,
                                "from": self.as_bot_user() if message.from_bot else user.as_user(),
                                "chat": user.as_chat(), "date": message.date}
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.file is not None:
            key = "document" if message.file.kind == "document" else "photo"
            data[key] = message.file.as_document() if key == "document" else message.file.as_photo()
        if message.caption is not None:
            data["caption"] = message.caption
        if message.contact is not None:
            data["contact"] = message.contact
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad("can't parse inline keyboard button: Text must be non-empty")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise bad("BUTTON_DATA_INVALID")
    if not set(button) - {"text", "style", "icon_custom_emoji_id"}:
        raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    url = button.get("url")
    if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
        raise bad("BUTTON_URL_INVALID")
