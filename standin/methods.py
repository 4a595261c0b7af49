"""The Bot API methods the bot calls, each ``handler(standin, params, files) -> result`` (or raises ApiError)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import standin.files as files
import standin.updates as updates
from standin.models import as_int, bad, scope_key

if TYPE_CHECKING:
    from standin.server import BotAPIStandin

Params = dict[str, Any]
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_BOT_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_CHAT_ACTIONS = frozenset({"typing", "upload_photo", "upload_document"})


def get_me(self: BotAPIStandin, params: Params, files: Any) -> Any:
    return self.as_bot_user()


def send_message(self: BotAPIStandin, params: Params, files: Any) -> Any:
    user = self._chat(params, "sendMessage")
    source = params.get("text")
    if source is None or str(source).strip() == "":
        raise bad("message text is empty")
    text = self._text(source, params)
    entities = params.get("entities") if isinstance(params.get("entities"), list) else []
    return self._message_dict(user, self._bot_message(user, params, text=text, entities=entities))


def edit_message_text(self: BotAPIStandin, params: Params, files: Any) -> Any:
    user, message = self._editable(params, "editMessageText")
    if message.text is None:
        raise bad("there is no text in the message to edit")
    source = params.get("text")
    if source is None or str(source).strip() == "":
        raise bad("text must be non-empty")
    text = self._text(source, params)
    return self._apply_edit(user, message, {"text": text, "reply_markup": self._markup(params, inline_only=True)})


def edit_message_reply_markup(self: BotAPIStandin, params: Params, files: Any) -> Any:
    user, message = self._editable(params, "editMessageReplyMarkup")
    return self._apply_edit(user, message, {"reply_markup": self._markup(params, inline_only=True)})


def delete_message(self: BotAPIStandin, params: Params, files: Any) -> Any:
    user = self._chat(params, "deleteMessage")
    message_id = as_int(params.get("message_id"))
    message = user.get(message_id) if message_id is not None else None
    if message is None:
        raise bad("message to delete not found")
    user.messages.remove(message)
    user._notify("delete", message)
    return True


def answer_callback_query(self: BotAPIStandin, params: Params, files: Any) -> Any:
    record = self._callbacks.get(str(params.get("callback_query_id") or ""))
    if record is None or record.answer is not None:
        raise bad(_QUERY_INVALID)
    text = params.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad("MESSAGE_TOO_LONG")
    record.answer = self._current_call
    return True


def send_chat_action(self: BotAPIStandin, params: Params, files: Any) -> Any:
    self._chat(params, "sendChatAction")
    if params.get("action") not in _CHAT_ACTIONS:
        raise bad("wrong parameter action in request")
    return True


def _commands_key(params: Params) -> tuple[str, str]:
    scope = params.get("scope")
    if scope is not None and not isinstance(scope, dict):
        raise bad("can't parse BotCommandScope JSON object")
    language = str(params.get("language_code") or "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad("invalid language code specified")
    return scope_key(scope), language


def set_my_commands(self: BotAPIStandin, params: Params, files: Any) -> Any:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise bad("can't parse commands JSON array")
    if len(commands) > 100:
        raise bad("too many commands specified")
    for command in commands:
        if not isinstance(command, dict) or not _BOT_COMMAND_RE.match(str(command.get("command", ""))):
            raise bad("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
    key = _commands_key(params)
    if commands:
        self.commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
    else:
        self.commands.pop(key, None)
    return True


def get_my_commands(self: BotAPIStandin, params: Params, files: Any) -> Any:
    return self.commands.get(_commands_key(params), [])


def set_chat_menu_button(self: BotAPIStandin, params: Params, files: Any) -> Any:
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad("can't parse menu button JSON object")
    if params.get("chat_id") is not None:
        self._chat(params, "setChatMenuButton").menu_button = button
    self.menu_buttons[as_int(params.get("chat_id"))] = button
    return True


HANDLERS = {
    "getMe": get_me,
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    **files.HANDLERS,
    **updates.HANDLERS,
}
