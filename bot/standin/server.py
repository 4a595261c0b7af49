"""A local stand-in of the Telegram Bot API for end-to-end tests and the console chat.

An aiohttp server on 127.0.0.1 that a real aiogram ``Bot`` talks to over HTTP::

    standin = BotAPIStandin()
    await standin.start()
    bot = Bot(standin.token, session=AiohttpSession(api=TelegramAPIServer.from_base(standin.base_url)))
    user = standin.user(1001, "Aziza")
    await user.send("/start")
    reply = await user.wait_for()

It models private chats as the user sees them: every bot message lands in ``user.messages`` and is
updated in place by edits and removed by deletions. Texts are stored as Telegram returns them
(``parse_mode`` applied: plain text plus entities), and HTML / MarkdownV2 errors are reported like
Telegram does ("Bad Request: can't parse entities: ..."), so escaping bugs show up in tests.

Requests are decoded the way aiogram encodes them: form fields (urlencoded, or multipart when files
are attached), where strings are sent as they are and every other value (numbers, booleans, objects
such as ``reply_markup``) is JSON-encoded; uploads are multipart parts referenced as ``attach://<key>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import mimetypes
import re
import secrets
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = [
    "ApiCall",
    "BotAPIStandin",
    "ChatMessage",
    "StandinUser",
    "StoredFile",
    "scope_key",
]

log = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

#: Update types delivered when ``allowed_updates`` was never set (or set to an empty list).
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

#: Parameters that are strings in the Bot API. aiogram sends strings unencoded and everything else
#: as JSON, so these must not be JSON-decoded (a text "123" or "true" stays a string).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "url",
        "title",
        "description",
        "short_description",
        "name",
        "first_name",
        "last_name",
        "username",
        "language_code",
        "phone_number",
        "vcard",
        "emoji",
        "query",
        "action",
        "file_id",
        "file_name",
        "question",
        "address",
        "secret_token",
        "ip_address",
        "custom_title",
        "invite_link",
        "sticker",
        "photo",
        "document",
        "video",
        "audio",
        "animation",
        "voice",
        "video_note",
        "thumbnail",
        "certificate",
        "performer",
        "payload",
        "currency",
        "provider_token",
        "start_parameter",
        "error_message",
        "shipping_query_id",
        "pre_checkout_query_id",
        "game_short_name",
    }
)

#: Methods that count as "a message sent" for flood limits and ``max_sent_per_second``.
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "sendMediaGroup",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
    }
)

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_BOT_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def scope_key(scope: dict[str, Any] | None = None) -> str:
    """The key part of ``BotAPIStandin.commands`` for a command scope (default scope when None)."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


# --------------------------------------------------------------------------------------------------
# Data seen by tests
# --------------------------------------------------------------------------------------------------


@dataclass
class ApiCall:
    """One request the bot made: decoded parameters, uploaded files and the outcome."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    #: ``time.monotonic()`` when the request arrived.
    time: float
    ok: bool | None = None
    error_code: int | None = None
    description: str | None = None
    result: Any = None

    @property
    def chat_id(self) -> int | str | None:
        """The ``chat_id`` parameter, if any."""
        return self.params.get("chat_id")


@dataclass
class StoredFile:
    """A file known to the stand-in (uploaded by the bot or sent by a user)."""

    file_id: str
    file_unique_id: str
    kind: str  # "document" or "photo"
    filename: str
    content: bytes
    mime_type: str | None
    file_path: str
    width: int = 0
    height: int = 0

    def as_document(self) -> dict[str, Any]:
        """The Bot API ``Document`` object."""
        return _drop_none(
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_name": self.filename,
                "mime_type": self.mime_type,
                "file_size": len(self.content),
            }
        )

    def as_photo(self) -> list[dict[str, Any]]:
        """The Bot API list of ``PhotoSize`` (a single size)."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": len(self.content),
            }
        ]


@dataclass
class ChatMessage:
    """A message in a private chat as the user sees it (text with ``parse_mode`` applied)."""

    message_id: int
    from_bot: bool
    text: str | None = None
    caption: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: tuple[str, bytes] | None = field(default=None, repr=False)
    photo: bytes | None = field(default=None, repr=False)
    #: Number of times the bot edited this message.
    edited: int = 0
    chat_id: int = 0
    date: int = 0
    edit_date: int | None = None
    entities: list[dict[str, Any]] = field(default_factory=list, repr=False)
    caption_entities: list[dict[str, Any]] = field(default_factory=list, repr=False)
    parse_mode: str | None = None
    #: The text or caption exactly as the bot sent it, before ``parse_mode`` was applied.
    source: str | None = field(default=None, repr=False)
    contact: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    file: StoredFile | None = field(default=None, repr=False, compare=False)

    @property
    def content(self) -> str:
        """The text, or else the caption, or else an empty string."""
        return self.text if self.text is not None else (self.caption or "")

    def inline_buttons(self) -> list[list[dict[str, Any]]]:
        """The inline keyboard rows as Bot API button objects (empty without an inline keyboard)."""
        if not self.reply_markup:
            return []
        return list(self.reply_markup.get("inline_keyboard") or [])

    def buttons(self) -> list[list[str]]:
        """Texts of the inline keyboard, row by row."""
        return [[button.get("text", "") for button in row] for row in self.inline_buttons()]

    def button_data(self, text: str) -> str:
        """The ``callback_data`` of the inline button with exactly this text."""
        for row in self.inline_buttons():
            for button in row:
                if button.get("text") == text:
                    if "callback_data" not in button:
                        raise AssertionError(f"button {text!r} has no callback_data: {button}")
                    return str(button["callback_data"])
        raise AssertionError(f"no button {text!r}; buttons: {self.buttons()}")

    def render(self) -> str:
        """A plain-text rendering for a console: sender, content, attachments and buttons."""
        lines = [
            f"[{'bot' if self.from_bot else 'you'} #{self.message_id}{' (edited)' if self.edited else ''}]"
        ]
        if self.document is not None:
            lines.append(f"<document {self.document[0]}, {len(self.document[1])} bytes>")
        if self.photo is not None:
            lines.append(f"<photo, {len(self.photo)} bytes>")
        if self.contact is not None:
            lines.append(f"<contact {self.contact.get('phone_number')}>")
        if self.content:
            lines.append(self.content)
        for row in self.buttons():
            lines.append("  " + " | ".join(f"[{text}]" for text in row))
        keyboard = (self.reply_markup or {}).get("keyboard")
        if keyboard:
            for row in keyboard:
                texts = [button["text"] if isinstance(button, dict) else str(button) for button in row]
                lines.append("  " + " | ".join(f"<{text}>" for text in texts))
        return "\n".join(lines)


class _ApiError(Exception):
    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


@dataclass
class _Failure:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | None
    times: int


@dataclass
class _QueuedUpdate:
    update_id: int
    kind: str
    payload: dict[str, Any]
    user_id: int | None
    delivered_at: float | None = None


@dataclass
class _Poll:
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    superseded: bool = False


@dataclass
class _CallbackRecord:
    user_id: int
    answer: ApiCall | None = None


# --------------------------------------------------------------------------------------------------
# Formatting: HTML, MarkdownV2 and Markdown, with Telegram's error messages
# --------------------------------------------------------------------------------------------------


class _TextBuilder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0  # UTF-16 code units
        self.entities: list[dict[str, Any]] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += _utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.length > start:
            self.entities.append({"type": kind, "offset": start, "length": self.length - start, **extra})

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        return "".join(self.parts), self.entities


_HTML_ENTITY_RE = re.compile(r"&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,8}|lt|gt|amp|quot);")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "tg-spoiler",
        "span",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
        "tg-time",
    }
)
_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _html_unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name[0] != "#":
            return _HTML_NAMED[name]
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        try:
            return chr(code)
        except (ValueError, OverflowError):
            return match.group(0)

    return _HTML_ENTITY_RE.sub(replace, text)


def _parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode (modelled on tdlib): plain text and entities, or _ApiError."""
    out = _TextBuilder()
    stack: list[tuple[str, dict[str, str], int]] = []
    i, n = 0, len(src)

    def fail(message: str) -> _ApiError:
        return _bad(f"can't parse entities: {message}")

    while i < n:
        char = src[i]
        if char == "&":
            match = _HTML_ENTITY_RE.match(src, i)
            if match:
                out.add(_html_unescape(match.group(0)))
                i = match.end()
            else:
                out.add("&")
                i += 1
            continue
        if char != "<":
            j = i
            while j < n and src[j] not in "<&":
                j += 1
            out.add(src[i:j])
            i = j
            continue
        begin = i
        i += 1
        if i < n and src[i] == "/":
            end = src.find(">", i)
            if end == -1:
                raise fail(f"Unclosed end tag at byte offset {_byte_offset(src, begin)}")
            name = src[i + 1 : end].strip().lower()
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {_byte_offset(src, begin)}")
            open_name, attrs, start = stack.pop()
            if name and name != open_name:
                raise fail(
                    f"Unmatched end tag at byte offset {_byte_offset(src, begin)}, "
                    f'expected "</{open_name}>", found "</{name}>"'
                )
            _html_entity(out, open_name, attrs, start, stack)
            i = end + 1
            continue
        j = i
        while j < n and not src[j].isspace() and src[j] != ">":
            j += 1
        if j >= n:
            raise fail(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        name = src[i:j].lower()
        if name not in _HTML_TAGS:
            raise fail(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, begin)}')
        attrs: dict[str, str] = {}
        i = j
        while True:
            while i < n and src[i].isspace():
                i += 1
            if i >= n:
                raise fail(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
            if src[i] == ">":
                i += 1
                break
            k = i
            while k < n and (src[k].isalnum() or src[k] in "-_"):
                k += 1
            attr = src[i:k].lower()
            if not attr:
                raise fail(
                    f'Empty attribute name in the tag "{name}" at byte offset {_byte_offset(src, begin)}'
                )
            i = k
            while i < n and src[i].isspace():
                i += 1
            if i < n and src[i] == "=":
                i += 1
                while i < n and src[i].isspace():
                    i += 1
                if i < n and src[i] in "\"'":
                    close = src.find(src[i], i + 1)
                    if close == -1:
                        raise fail(f"Unclosed end of attribute value at byte offset {_byte_offset(src, i)}")
                    value = src[i + 1 : close]
                    i = close + 1
                else:
                    k = i
                    while k < n and not src[k].isspace() and src[k] != ">":
                        k += 1
                    value = src[i:k]
                    i = k
                attrs[attr] = _html_unescape(value)
            else:
                attrs[attr] = ""
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise fail('Tag "span" must have class "tg-spoiler"')
        stack.append((name, attrs, out.length))
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _html_entity(
    out: _TextBuilder,
    name: str,
    attrs: dict[str, str],
    start: int,
    stack: list[tuple[str, dict[str, str], int]],
) -> None:
    if name in _HTML_SIMPLE:
        out.entity(_HTML_SIMPLE[name], start)
    elif name == "a":
        href = attrs.get("href", "")
        if href:
            out.entity("text_link", start, url=href)
    elif name == "code":
        language = attrs.get("class", "")
        if stack and stack[-1][0] == "pre" and language.startswith("language-"):
            stack[-1][1]["language"] = language.removeprefix("language-")
        else:
            out.entity("code", start)
    elif name == "pre":
        if attrs.get("language"):
            out.entity("pre", start, language=attrs["language"])
        else:
            out.entity("pre", start)
    elif name == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in attrs else "blockquote", start)
    elif name == "tg-emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
    elif name == "tg-time":
        out.entity("date_time", start, unix_time=int(attrs.get("unix", "0") or 0))


_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}


def _parse_markdown_v2(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's MarkdownV2 parse mode (modelled on tdlib): plain text and entities, or _ApiError."""
    out = _TextBuilder()
    stack: list[tuple[str, int, int]] = []  # (type, utf16 start, source index)
    quote_start: int | None = None
    i, n = 0, len(src)

    def fail(message: str) -> _ApiError:
        return _bad(f"can't parse entities: {message}")

    while i < n:
        char = src[i]
        top = stack[-1][0] if stack else None
        if char == "\\" and i + 1 < n and 0 < ord(src[i + 1]) <= 126:
            out.add(src[i + 1])
            i += 2
            continue
        if top in ("code", "pre"):
            if char == "`" and (top == "code" or src.startswith("```", i)):
                kind, start, _ = stack.pop()
                out.entity(kind, start)
                i += 1 if top == "code" else 3
            else:
                out.add(char)
                i += 1
            continue
        at_line_start = i == 0 or src[i - 1] == "\n"
        if char == ">" and at_line_start and not stack:
            if quote_start is None:
                quote_start = out.length
            i += 1
            continue
        if char == "\n" and quote_start is not None and not src.startswith(">", i + 1):
            out.entity("blockquote", quote_start)
            quote_start = None
        if char not in _MD2_RESERVED:
            out.add(char)
            i += 1
            continue
        closing = {
            "bold": char == "*",
            "italic": char == "_" and not src.startswith("__", i),
            "underline": char == "_" and src.startswith("__", i),
            "strikethrough": char == "~",
            "spoiler": src.startswith("||", i),
            "text_link": char == "]",
        }
        if top is not None and closing.get(top, False):
            kind, start, _ = stack.pop()
            i += 2 if kind in ("underline", "spoiler") else 1
            if kind == "text_link":
                if not src.startswith("(", i):
                    continue
                url, i = _md2_url(src, i + 1)
                if url is None:
                    raise fail(f"Can't find end of a URL at byte offset {_byte_offset(src, i)}")
                out.entity("text_link", start, url=url)
            else:
                out.entity(kind, start)
            continue
        if char == "_":
            kind, step = ("underline", 2) if src.startswith("__", i) else ("italic", 1)
        elif char == "*":
            kind, step = "bold", 1
        elif char == "~":
            kind, step = "strikethrough", 1
        elif char == "|" and src.startswith("||", i):
            kind, step = "spoiler", 2
        elif char == "[":
            kind, step = "text_link", 1
        elif char == "`":
            if src.startswith("```", i):
                newline = src.find("\n", i + 3)
                header = src[i + 3 : newline] if newline != -1 else ""
                step = (newline - i + 1) if newline != -1 and header and " " not in header else 3
                stack.append(("pre", out.length, i))
                i += step
                continue
            kind, step = "code", 1
        else:
            raise fail(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
        stack.append((kind, out.length, i))
        i += step
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    if stack:
        kind, _, index = stack[-1]
        raise fail(f"Can't find end of {_MD2_NAMES[kind]} entity at byte offset {_byte_offset(src, index)}")
    return out.result()


def _md2_url(src: str, i: int) -> tuple[str | None, int]:
    url: list[str] = []
    while i < len(src):
        if src[i] == "\\" and i + 1 < len(src):
            url.append(src[i + 1])
            i += 2
            continue
        if src[i] == ")":
            return "".join(url), i + 1
        url.append(src[i])
        i += 1
    return None, i


def _parse_markdown(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's legacy Markdown parse mode: plain text and entities, or _ApiError."""
    out = _TextBuilder()
    i, n = 0, len(src)
    kinds = {"*": "bold", "_": "italic", "`": "code", "[": "text_link"}
    while i < n:
        char = src[i]
        if char == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.add(src[i + 1])
            i += 2
            continue
        if char not in kinds:
            out.add(char)
            i += 1
            continue
        begin = i
        if src.startswith("```", i):
            end = src.find("```", i + 3)
            if end == -1:
                raise _bad(
                    f"can't parse entities: Can't find end of the entity starting at byte offset "
                    f"{_byte_offset(src, begin)}"
                )
            start = out.length
            out.add(src[i + 3 : end])
            out.entity("pre", start)
            i = end + 3
            continue
        end = src.find("]" if char == "[" else char, i + 1)
        if end == -1:
            raise _bad(
                f"can't parse entities: Can't find end of the entity starting at byte offset "
                f"{_byte_offset(src, begin)}"
            )
        start = out.length
        out.add(src[i + 1 : end])
        i = end + 1
        if char == "[":
            if src.startswith("(", i) and (close := src.find(")", i)) != -1:
                out.entity("text_link", start, url=src[i + 1 : close])
                i = close + 1
        else:
            out.entity(kinds[char], start)
    return out.result()


def _strip_entities(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims leading and trailing whitespace; entities are clipped and shifted to match."""
    stripped = text.strip()
    if stripped == text:
        result = [e for e in entities if e["length"] > 0]
        return text, sorted(result, key=lambda e: (e["offset"], -e["length"]))
    lead = _utf16_len(text[: len(text) - len(text.lstrip())])
    limit = lead + _utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"], lead)
        end = min(entity["offset"] + entity["length"], limit)
        if end > start:
            result.append({**entity, "offset": start - lead, "length": end - start})
    return stripped, sorted(result, key=lambda e: (e["offset"], -e["length"]))


def _format(
    source: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    if entities:
        return _strip_entities(source, [dict(e) for e in entities])
    mode = (parse_mode or "").lower()
    if not mode:
        text, found = source, []
    elif mode == "html":
        text, found = _parse_html(source)
    elif mode == "markdownv2":
        text, found = _parse_markdown_v2(source)
    elif mode == "markdown":
        text, found = _parse_markdown(source)
    else:
        raise _bad(f"unsupported parse_mode {parse_mode!r}")
    return _strip_entities(text, found)


def _image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG; (0, 0) for WebP; None if not an image."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return width, height
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return width, height
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return 0, 0
    if content.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(content):
            if content[i] != 0xFF:
                i += 1
                continue
            marker = content[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (length,) = struct.unpack(">H", content[i + 2 : i + 4])
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height, width = struct.unpack(">HH", content[i + 5 : i + 9])
                return width, height
            i += 2 + length
        return 0, 0
    return None


# --------------------------------------------------------------------------------------------------
# The user side
# --------------------------------------------------------------------------------------------------

Listener = Callable[[str, ChatMessage], Any]


class StandinUser:
    """A Telegram user in a private chat with the bot; drives the bot and sees its answers."""

    def __init__(
        self,
        server: BotAPIStandin,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
    ) -> None:
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
        return _drop_none(
            {
                "id": self.user_id,
                "is_bot": False,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "username": self.username,
                "language_code": self.language_code,
            }
        )

    def as_chat(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object of the private chat."""
        return _drop_none(
            {
                "id": self.chat_id,
                "type": "private",
                "first_name": self.first_name,
                "last_name": self.last_name,
                "username": self.username,
            }
        )

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
        for message in self.messages:
            if message.message_id == message_id:
                return message
        return None

    def reply_buttons(self) -> list[list[str]]:
        """Texts of the reply keyboard currently shown (empty when none)."""
        if not self.reply_keyboard:
            return []
        return [
            [button["text"] if isinstance(button, dict) else str(button) for button in row]
            for row in self.reply_keyboard.get("keyboard", [])
        ]

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
        message = ChatMessage(
            message_id=self._next_message_id,
            chat_id=self.chat_id,
            date=int(time.time()),
            **fields,
        )
        self._next_message_id += 1
        self.messages.append(message)
        return message

    def _action(self) -> None:
        self._cursor = len(self._events)
        if self.user_id in self.server._blocked:
            self.server.unblock(self.user_id)

    def _user_message_dict(self, message: ChatMessage) -> dict[str, Any]:
        return self.server._message_dict(self, message)

    async def send(self, text: str) -> ChatMessage:
        """The user sends a text message; "/cmd args" carries a bot_command entity."""
        self._action()
        entities: list[dict[str, Any]] = []
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            entities.append({"type": "bot_command", "offset": 0, "length": _utf16_len(command)})
        message = self._new_message(from_bot=False, text=text, entities=entities)
        one_time = bool(self.reply_keyboard and self.reply_keyboard.get("one_time_keyboard"))
        if one_time and any(text in row for row in self.reply_buttons()):
            self.reply_keyboard = None
        self.server._enqueue("message", self._user_message_dict(message), self.user_id)
        await asyncio.sleep(0)
        return message

    async def send_document(self, content: bytes, filename: str, caption: str | None = None) -> ChatMessage:
        """The user sends a file; the bot can getFile and download it."""
        self._action()
        stored = self.server._store_file("document", content, filename)
        message = self._new_message(
            from_bot=False, caption=caption, document=(filename, content), file=stored
        )
        self.server._enqueue("message", self._user_message_dict(message), self.user_id)
        await asyncio.sleep(0)
        return message

    async def send_photo(self, content: bytes, caption: str | None = None) -> ChatMessage:
        """The user sends a photo (bytes of an image)."""
        self._action()
        stored = self.server._store_file("photo", content, "photo.jpg")
        message = self._new_message(from_bot=False, caption=caption, photo=content, file=stored)
        self.server._enqueue("message", self._user_message_dict(message), self.user_id)
        await asyncio.sleep(0)
        return message

    async def send_contact(self, phone_number: str) -> ChatMessage:
        """The user shares their own contact (as a request_contact button does)."""
        self._action()
        contact = _drop_none(
            {
                "phone_number": phone_number,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "user_id": self.user_id,
            }
        )
        message = self._new_message(from_bot=False, contact=contact)
        if self.reply_keyboard and self.reply_keyboard.get("one_time_keyboard"):
            self.reply_keyboard = None
        self.server._enqueue("message", self._user_message_dict(message), self.user_id)
        await asyncio.sleep(0)
        return message

    def _find_button(
        self, button: str | int, message: ChatMessage | None
    ) -> tuple[ChatMessage, dict[str, Any]]:
        if message is not None:
            live = self.get(message.message_id)
            if live is None:
                raise AssertionError(f"message {message.message_id} is no longer in the chat")
            target = live
        else:
            candidates = [m for m in reversed(self.messages) if m.from_bot and m.inline_buttons()]
            if not candidates:
                raise AssertionError(
                    f"no bot message with an inline keyboard; chat:\n{self.transcript(last=5)}"
                )
            target = candidates[0]
        flat = [b for row in target.inline_buttons() for b in row]
        available = f"buttons of message {target.message_id}: {target.buttons()}"
        if isinstance(button, int):
            if not 0 <= button < len(flat):
                raise AssertionError(f"no button #{button}; {available}")
            found = flat[button]
        else:
            exact = [b for b in flat if b.get("text") == button]
            partial = [b for b in flat if button in b.get("text", "")]
            if exact:
                found = exact[0]
            elif len(partial) == 1:
                found = partial[0]
            elif partial:
                texts = [b.get("text") for b in partial]
                raise AssertionError(f"button {button!r} is ambiguous: {texts}; {available}")
            else:
                raise AssertionError(f"no button {button!r}; {available}")
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

    async def click_data(
        self, data: str, *, message_id: int | None = None, inaccessible: bool = False
    ) -> str:
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
            target = (
                with_keyboard[-1]
                if with_keyboard
                else next((m for m in reversed(self.messages) if m.from_bot), None)
            )
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

    async def wait_for(
        self, predicate: Callable[[ChatMessage], bool] | None = None, *, timeout: float = 5.0
    ) -> ChatMessage:
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
                raise AssertionError(
                    f"no matching bot message for user {self.user_id} within {timeout}s; "
                    f"chat so far:\n{self.transcript(last=5)}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def wait_idle(self, *, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until the bot fetched all this user's updates and made no call about them for ``quiet`` s."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            pending = self.server._pending_for(self.user_id)
            last = self.server._last_activity(self)
            if not pending and now - last >= quiet:
                return
            if now >= deadline:
                raise AssertionError(
                    f"bot not idle for user {self.user_id} within {timeout}s "
                    f"({pending} update(s) not fetched); chat so far:\n{self.transcript(last=5)}"
                )
            await asyncio.sleep(min(0.02, max(deadline - now, 0.001)))


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------

Handler = Callable[["BotAPIStandin", dict[str, Any], dict[str, tuple[str, bytes]]], Any]


class BotAPIStandin:
    """A local Bot API server: long polling, private chats, files, commands and failure injection."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_id: int = 123456,
        bot_username: str = "maktab_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        bot_first_name: str = "Maktab Test Bot",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.host = host
        self.port = port
        #: Every request, in order of arrival (getUpdates included).
        self.calls: list[ApiCall] = []
        #: What setMyCommands stored: ``(scope_key(scope), language_code) -> [BotCommand dicts]``.
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        #: Menu buttons by chat id (None: the default for all chats).
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        #: setMyName / setMyDescription / setMyShortDescription values, by (method suffix, language).
        self.profile: dict[tuple[str, str], str] = {}
        #: The webhook set by setWebhook (its parameters), or None.
        self.webhook: dict[str, Any] | None = None
        #: ``allowed_updates`` as last given to getUpdates / setWebhook (None: never set).
        self.allowed_updates: list[str] | None = None
        self.users: dict[int, StandinUser] = {}
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._updates: list[_QueuedUpdate] = []
        self._next_update_id = 1
        self._next_file = 1
        self._next_callback = 1
        self._callbacks: dict[str, _CallbackRecord] = {}
        self._failures: list[_Failure] = []
        self._blocked: set[int] = set()
        self._poll: _Poll | None = None
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self._sends: deque[tuple[float, int | None]] = deque()
        self._flood: tuple[int | None, int | None, int] = (None, None, 1)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._current_call: ApiCall | None = None
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in _HANDLERS.items()
        }

    # ---- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and serve (port 0 picks a free port)."""
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._closing = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self._bound_port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer waiting getUpdates requests and shut the server down."""
        self._closing = True
        if self._poll is not None:
            self._poll.wake.set()
        for task in list(self._tasks):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotAPIStandin:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The base URL for ``TelegramAPIServer.from_base``, e.g. "http://127.0.0.1:PORT"."""
        if self._bound_port is None:
            raise RuntimeError("the stand-in is not started")
        return f"http://{self.host}:{self._bound_port}"

    def as_bot_user(self) -> dict[str, Any]:
        """The bot's ``User`` object (what getMe returns)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # ---- users ------------------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
    ) -> StandinUser:
        """The user with this id, created on first use (later calls return the same object)."""
        existing = self.users.get(user_id)
        if existing is not None:
            return existing
        created = StandinUser(
            self,
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.users[user_id] = created
        return created

    # ---- inspection -------------------------------------------------------------------------------

    def calls_of(self, method: str) -> list[ApiCall]:
        """Requests of one method (case-insensitive), failed ones included (see ``ApiCall.ok``)."""
        name = method.lower()
        return [call for call in self.calls if call.method.lower() == name]

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return [{"update_id": u.update_id, u.kind: u.payload} for u in self._updates]

    def get_commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[str]:
        """The command names stored by setMyCommands for a scope and language."""
        return [c["command"] for c in self.commands.get((scope_key(scope), language_code), [])]

    def send_times(self, chat_id: int | None = None, *, methods: Iterable[str] = SEND_METHODS) -> list[float]:
        """Monotonic times of successful sends (all chats, or one chat)."""
        wanted = {m.lower() for m in methods}
        return [
            call.time
            for call in self.calls
            if call.ok
            and call.method.lower() in wanted
            and (chat_id is None or _as_int(call.chat_id) == chat_id)
        ]

    def max_sent_per_second(
        self, chat_id: int | None = None, *, window: float = 1.0, methods: Iterable[str] = SEND_METHODS
    ) -> int:
        """The most messages sent successfully within any ``window`` seconds, overall or to one chat."""
        times = self.send_times(chat_id, methods=methods)
        best, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def max_sent_per_second_per_chat(self, *, window: float = 1.0) -> dict[int, int]:
        """``max_sent_per_second`` for every chat that received messages."""
        chats = {_as_int(call.chat_id) for call in self.calls if call.ok and call.method in SEND_METHODS}
        return {chat: self.max_sent_per_second(chat, window=window) for chat in chats if chat is not None}

    # ---- failure injection ------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str = "Too Many Requests: retry after 1",
        retry_after: int | None = 1,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, if given) fail with this error."""
        self._failures.append(_Failure(method.lower(), error_code, description, retry_after, chat_id, times))

    def set_flood_limits(
        self, *, overall: int | None = 30, per_chat: int | None = None, retry_after: int = 1
    ) -> None:
        """Answer 429 to sends beyond ``overall`` per second, or ``per_chat`` per second to one chat."""
        self._flood = (overall, per_chat, retry_after)

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: sends and edits to the chat get 403; a my_chat_member update is queued."""
        if chat_id in self._blocked:
            return
        self._blocked.add(chat_id)
        self._enqueue_member_change(chat_id, "member", "kicked")

    def unblock(self, chat_id: int) -> None:
        """The user unblocks (restarts) the bot; a my_chat_member update (member) is queued."""
        if chat_id not in self._blocked:
            return
        self._blocked.discard(chat_id)
        self._enqueue_member_change(chat_id, "kicked", "member")

    def _enqueue_member_change(self, chat_id: int, old: str, new: str) -> None:
        user = self.users.get(chat_id)
        if user is None:
            return
        bot_user = self.as_bot_user()

        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"user": bot_user, "status": status}
            if status == "kicked":
                data["until_date"] = 0
            return data

        payload = {
            "chat": user.as_chat(),
            "from": user.as_user(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self._enqueue("my_chat_member", payload, user.user_id)

    # ---- updates ----------------------------------------------------------------------------------

    def _enqueue(self, kind: str, payload: dict[str, Any], user_id: int | None) -> int | None:
        allowed = set(self.allowed_updates) if self.allowed_updates else DEFAULT_UPDATE_TYPES
        if kind not in allowed:
            return None
        update = _QueuedUpdate(self._next_update_id, kind, payload, user_id)
        self._next_update_id += 1
        self._updates.append(update)
        if self._poll is not None:
            self._poll.wake.set()
        return update.update_id

    def _enqueue_callback(self, user: StandinUser, data: str, message: dict[str, Any]) -> str:
        callback_id = str(4_200_000_000_000_000 + self._next_callback)
        self._next_callback += 1
        self._callbacks[callback_id] = _CallbackRecord(user.user_id)
        payload = {
            "id": callback_id,
            "from": user.as_user(),
            "message": message,
            "chat_instance": str(abs(user.chat_id) * 7919 % 10**12 + 10**12),
            "data": data,
        }
        self._enqueue("callback_query", payload, user.user_id)
        return callback_id

    def _pending_for(self, user_id: int) -> int:
        return sum(1 for u in self._updates if u.user_id == user_id and u.delivered_at is None)

    def _last_activity(self, user: StandinUser) -> float:
        last = 0.0
        for update in self._updates:
            if update.user_id == user.user_id and update.delivered_at is not None:
                last = max(last, update.delivered_at)
        for call in reversed(self.calls):
            if call.time <= last:
                break
            if call.method == "getUpdates":
                continue
            chat = _as_int(call.chat_id)
            if call.method == "answerCallbackQuery":
                record = self._callbacks.get(str(call.params.get("callback_query_id")))
                relevant = record is None or record.user_id == user.user_id
            else:
                relevant = chat is None or chat == user.chat_id
            if relevant:
                return call.time
        return last

    def _spawn(self, awaitable: Awaitable[Any]) -> None:
        async def run() -> None:
            await awaitable

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- files ------------------------------------------------------------------------------------

    def _store_file(self, kind: str, content: bytes, filename: str) -> StoredFile:
        number = self._next_file
        self._next_file += 1
        prefix = "BQACAgIAAxkBAA" if kind == "document" else "AgACAgIAAxkBAA"
        extension = filename.rsplit(".", 1)[-1] if "." in filename else ("jpg" if kind == "photo" else "bin")
        folder = "documents" if kind == "document" else "photos"
        size = _image_size(content) or (0, 0)
        stored = StoredFile(
            file_id=f"{prefix}{number:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AgAD{number:06d}{secrets.token_hex(3)}",
            kind=kind,
            filename=filename,
            content=content,
            mime_type=mimetypes.guess_type(filename)[0] if kind == "document" else None,
            file_path=f"{folder}/file_{number}.{extension}",
            width=size[0],
            height=size[1],
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _media(self, kind: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> StoredFile:
        if kind in files:
            filename, content = files[kind]
            if not content:
                raise _bad("file must be non-empty")
            if len(content) > MAX_UPLOAD_BYTES:
                raise _ApiError(413, "Request Entity Too Large")
            if kind == "photo" and _image_size(content) is None:
                raise _bad("IMAGE_PROCESS_FAILED")
            return self._store_file(kind, content, filename)
        value = params.get(kind)
        if value is None or value == "":
            raise _bad(f"there is no {kind} in the request")
        value = str(value)
        if value.startswith("attach://"):
            raise _bad(f"file {value} not found in the request")
        if value.startswith(("http://", "https://")):
            raise _bad("failed to get HTTP URL content")
        stored = self.files.get(value)
        if stored is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise _bad(f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}")
        return stored

    # ---- rendering --------------------------------------------------------------------------------

    def _message_dict(
        self, user: StandinUser, message: ChatMessage, *, nested: bool = False
    ) -> dict[str, Any]:
        """The Bot API ``Message`` object for a message of this chat, as it is now."""
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.as_bot_user() if message.from_bot else user.as_user(),
            "chat": user.as_chat(),
            "date": message.date,
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.reply_to_message_id is not None and not nested:
            replied = user.get(message.reply_to_message_id)
            if replied is not None:
                data["reply_to_message"] = self._message_dict(user, replied, nested=True)
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.file is not None:
            if message.file.kind == "document":
                data["document"] = message.file.as_document()
            else:
                data["photo"] = message.file.as_photo()
        if message.caption is not None:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.contact is not None:
            data["contact"] = message.contact
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data

    # ---- HTTP -------------------------------------------------------------------------------------

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        params: dict[str, Any] = {key: _decode(key, value) for key, value in request.query.items()}
        raw_files: dict[str, tuple[str, bytes]] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        raw_files[key] = (value.filename or key, value.file.read())
                    else:
                        params[key] = _decode(key, str(value))
        files: dict[str, tuple[str, bytes]] = {}
        used: set[str] = set()
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                ref = value.removeprefix("attach://")
                if ref in raw_files:
                    files[key] = raw_files[ref]
                    used.add(ref)
        for key, value in raw_files.items():
            if key in used:
                continue
            files[key] = value
            params.setdefault(key, f"attach://{key}")
        return params, files

    async def _handle_api(self, request: web.Request) -> web.Response:
        method_name = request.match_info["method"]
        call = ApiCall(method=method_name, params={}, files={}, time=time.monotonic())
        known = self._methods.get(method_name.lower())
        if known is not None:
            call.method = known[0]
        self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise _ApiError(401, "Unauthorized")
            try:
                call.params, call.files = await self._read_params(request)
            except ValueError as exc:
                raise _bad(f"can't parse request: {exc}") from exc
            if known is None:
                raise _ApiError(404, "Not Found: method not found")
            self._check_failures(call)
            self._current_call = call  # read synchronously by handlers that need the call itself
            result = known[1](self, call.params, call.files)
            if asyncio.iscoroutine(result):
                result = await result
        except _ApiError as error:
            return self._error_response(call, error)
        except Exception as exc:
            log.exception("stand-in failed on %s", method_name)
            return self._error_response(call, _ApiError(500, f"Internal Server Error: {exc!r}"))
        call.ok = True
        call.result = result
        if call.method == "getUpdates":
            self._mark_delivered(request, result)
        if call.method in SEND_METHODS:
            self._sends.append((call.time, _as_int(call.chat_id)))
        return web.json_response({"ok": True, "result": result})

    def _mark_delivered(self, request: web.Request, result: list[dict[str, Any]]) -> None:
        """Updates count as fetched (for wait_idle) only if the poller is still connected."""
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        ids = {update["update_id"] for update in result}
        now = time.monotonic()
        for update in self._updates:
            if update.update_id in ids and update.delivered_at is None:
                update.delivered_at = now

    def _error_response(self, call: ApiCall, error: _ApiError) -> web.Response:
        call.ok = False
        call.error_code = error.error_code
        call.description = error.description
        body: dict[str, Any] = {"ok": False, "error_code": error.error_code, "description": error.description}
        if error.retry_after is not None:
            body["parameters"] = {"retry_after": error.retry_after}
        return web.json_response(body, status=error.error_code)

    def _check_failures(self, call: ApiCall) -> None:
        chat = _as_int(call.chat_id)
        for failure in self._failures:
            if failure.method != call.method.lower():
                continue
            if failure.chat_id is not None and failure.chat_id != chat:
                continue
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            raise _ApiError(failure.error_code, failure.description, failure.retry_after)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    # ---- shared checks ----------------------------------------------------------------------------

    def _chat(self, params: dict[str, Any], method: str) -> StandinUser:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        user = self.users.get(_as_int(chat_id))  # type: ignore[arg-type]
        if user is None:
            raise _bad("chat not found")
        if user.chat_id in self._blocked and not method.startswith("get"):
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return user

    def _check_flood(self, chat_id: int) -> None:
        overall, per_chat, retry_after = self._flood
        if overall is None and per_chat is None:
            return
        now = time.monotonic()
        while self._sends and now - self._sends[0][0] >= 1.0:
            self._sends.popleft()
        too_many = overall is not None and len(self._sends) >= overall
        if per_chat is not None and sum(1 for _, chat in self._sends if chat == chat_id) >= per_chat:
            too_many = True
        if too_many:
            raise _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def _markup(self, params: dict[str, Any], *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise _bad("can't parse inline keyboard button: Text must be non-empty")
                    data = button.get("callback_data")
                    if (
                        data is not None
                        and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                    ):
                        raise _bad("BUTTON_DATA_INVALID")
                    actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
                    if not actions:
                        raise _bad(
                            "can't parse inline keyboard button: "
                            "Text buttons are unallowed in the inline keyboard"
                        )
                    url = button.get("url")
                    if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                        raise _bad("BUTTON_URL_INVALID")
            return markup if any(rows) else None
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup or "remove_keyboard" in markup or "force_reply" in markup:
            return markup
        raise _bad("can't parse reply keyboard markup JSON object")

    def _text(
        self, source: Any, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[dict[str, Any]]]:
        text, found = _format(str(source), parse_mode, entities if isinstance(entities, list) else None)
        limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
        if _utf16_len(text) > limit:
            raise _bad("message caption is too long" if caption else "message is too long")
        return text, found

    def _bot_message(self, user: StandinUser, params: dict[str, Any], **fields: Any) -> ChatMessage:
        markup = self._markup(params)
        reply_to = _reply_to(params)
        if reply_to is not None and user.get(reply_to) is None:
            allow = params.get("allow_sending_without_reply") or (params.get("reply_parameters") or {}).get(
                "allow_sending_without_reply"
            )
            if not allow:
                raise _bad("message to be replied not found")
            reply_to = None
        self._check_flood(user.chat_id)
        message = user._new_message(
            from_bot=True,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            parse_mode=params.get("parse_mode") or None,
            **fields,
        )
        if markup is not None:
            if "keyboard" in markup:
                user.reply_keyboard = markup
            elif markup.get("remove_keyboard"):
                user.reply_keyboard = None
        user._notify("new", message)
        return message

    def _editable(self, params: dict[str, Any], method: str) -> tuple[StandinUser, ChatMessage]:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        user = self._chat(params, method)
        message_id = _as_int(params.get("message_id"))
        message = user.get(message_id) if isinstance(message_id, int) else None
        if message is None:
            raise _bad("message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        if message.reply_markup and "inline_keyboard" not in message.reply_markup:
            # "it is currently only possible to edit messages without reply_markup or with inline keyboards"
            raise _bad("message can't be edited")
        return user, message

    def _apply_edit(
        self, user: StandinUser, message: ChatMessage, changes: dict[str, Any], extra: dict[str, Any]
    ) -> dict[str, Any]:
        """Apply an edit (``changes`` decide "not modified"; ``extra`` is bookkeeping) and notify."""
        if all(getattr(message, key) == value for key, value in changes.items()):
            raise _ApiError(400, _NOT_MODIFIED)
        for key, value in {**changes, **extra}.items():
            setattr(message, key, value)
        message.edited += 1
        message.edit_date = int(time.time())
        user._notify("edit", message)
        return self._message_dict(user, message)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    return None


def _decode(key: str, raw: str) -> Any:
    if key in _STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _reply_to(params: dict[str, Any]) -> int | None:
    parameters = params.get("reply_parameters")
    if isinstance(parameters, dict) and parameters.get("message_id") is not None:
        return _as_int(parameters["message_id"])
    return _as_int(params.get("reply_to_message_id"))


# --------------------------------------------------------------------------------------------------
# Method handlers
# --------------------------------------------------------------------------------------------------

Files = dict[str, tuple[str, bytes]]


def _get_me(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    return self.as_bot_user()


async def _get_updates(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    if self.webhook is not None:
        raise _ApiError(409, _CONFLICT_WEBHOOK)
    if "allowed_updates" in params and params["allowed_updates"] is not None:
        self.allowed_updates = list(params["allowed_updates"])
    offset = _as_int(params.get("offset")) or 0
    limit = min(max(_as_int(params.get("limit")) or 100, 1), 100)
    timeout = max(float(params.get("timeout") or 0), 0.0)
    if offset < 0:
        self._updates = self._updates[offset:]
    elif offset > 0:
        self._updates = [u for u in self._updates if u.update_id >= offset]

    previous, poll = self._poll, _Poll()
    if previous is not None:
        previous.superseded = True
        previous.wake.set()
    self._poll = poll
    try:
        deadline = time.monotonic() + timeout
        while not self._updates and not self._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(poll.wake.wait(), remaining)
            poll.wake.clear()
            if poll.superseded:
                raise _ApiError(409, _CONFLICT_POLL)
    finally:
        if self._poll is poll:
            self._poll = None
    return [{"update_id": u.update_id, u.kind: u.payload} for u in self._updates[:limit]]


def _set_webhook(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    url = params.get("url") or ""
    if not url:
        self.webhook = None
        return True
    if not str(url).startswith("https://"):
        raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
    self.webhook = dict(params)
    if params.get("allowed_updates") is not None:
        self.allowed_updates = list(params["allowed_updates"])
    if params.get("drop_pending_updates") is True:
        self._updates.clear()
    return True


def _delete_webhook(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    self.webhook = None
    if params.get("drop_pending_updates") is True:
        self._updates.clear()
    return True


def _get_webhook_info(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    info: dict[str, Any] = {
        "url": (self.webhook or {}).get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(self._updates),
    }
    if self.webhook is not None and self.allowed_updates is not None:
        info["allowed_updates"] = self.allowed_updates
    return info


def _true(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    return True


def _send_message(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    user = self._chat(params, "sendMessage")
    source = params.get("text")
    if source is None or str(source).strip() == "":
        raise _bad("message text is empty")
    text, entities = self._text(source, params.get("parse_mode"), params.get("entities"))
    if not text:
        raise _bad("message text is empty")
    message = self._bot_message(user, params, text=text, entities=entities, source=str(source))
    return self._message_dict(user, message)


def _send_file(kind: str) -> Handler:
    method = "sendDocument" if kind == "document" else "sendPhoto"

    def handler(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
        user = self._chat(params, method)
        stored = self._media(kind, params, files)
        caption: str | None = None
        caption_entities: list[dict[str, Any]] = []
        source = params.get("caption")
        if source is not None and source != "":
            caption, caption_entities = self._text(
                source, params.get("parse_mode"), params.get("caption_entities"), caption=True
            )
            caption = caption or None
        fields: dict[str, Any] = {
            "caption": caption,
            "caption_entities": caption_entities,
            "source": None if source is None else str(source),
            "file": stored,
        }
        if kind == "document":
            fields["document"] = (stored.filename, stored.content)
        else:
            fields["photo"] = stored.content
        message = self._bot_message(user, params, **fields)
        return self._message_dict(user, message)

    return handler


def _edit_message_text(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    user, message = self._editable(params, "editMessageText")
    if message.text is None:
        raise _bad("there is no text in the message to edit")
    source = params.get("text")
    if source is None or str(source).strip() == "":
        raise _bad("text must be non-empty")
    text, entities = self._text(source, params.get("parse_mode"), params.get("entities"))
    markup = self._markup(params, inline_only=True)
    return self._apply_edit(
        user,
        message,
        {"text": text, "entities": entities, "reply_markup": markup},
        {"source": str(source), "parse_mode": params.get("parse_mode") or None},
    )


def _edit_message_caption(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    user, message = self._editable(params, "editMessageCaption")
    if message.file is None:
        raise _bad("there is no caption in the message to edit")
    source = params.get("caption")
    caption: str | None = None
    entities: list[dict[str, Any]] = []
    if source is not None and source != "":
        caption, entities = self._text(
            source, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        caption = caption or None
    markup = self._markup(params, inline_only=True)
    return self._apply_edit(
        user,
        message,
        {"caption": caption, "caption_entities": entities, "reply_markup": markup},
        {"source": None if source is None else str(source), "parse_mode": params.get("parse_mode") or None},
    )


def _edit_message_reply_markup(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    user, message = self._editable(params, "editMessageReplyMarkup")
    markup = self._markup(params, inline_only=True)
    return self._apply_edit(user, message, {"reply_markup": markup}, {})


def _delete_message(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    user = self._chat(params, "deleteMessage")
    message_id = _as_int(params.get("message_id"))
    message = user.get(message_id) if message_id is not None else None
    if message is None:
        raise _bad("message to delete not found")
    user.messages.remove(message)
    user._notify("delete", message)
    return True


def _delete_messages(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    user = self._chat(params, "deleteMessages")
    ids = params.get("message_ids")
    if not isinstance(ids, list) or not ids:
        raise _bad("message_ids must be a non-empty array")
    for message_id in ids:
        message = user.get(_as_int(message_id) or 0)
        if message is not None:
            user.messages.remove(message)
            user._notify("delete", message)
    return True


def _answer_callback_query(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    callback_id = str(params.get("callback_query_id") or "")
    record = self._callbacks.get(callback_id)
    if record is None or record.answer is not None:
        raise _bad(_QUERY_INVALID.removeprefix("Bad Request: "))
    text = params.get("text")
    if text is not None and len(str(text)) > 200:
        raise _bad("MESSAGE_TOO_LONG")
    record.answer = self._current_call
    return True


def _send_chat_action(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    self._chat(params, "sendChatAction")
    if params.get("action") not in _CHAT_ACTIONS:
        raise _bad("wrong parameter action in request")
    return True


def _get_file(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    stored = self.files.get(str(params.get("file_id") or ""))
    if stored is None:
        raise _bad("invalid file_id")
    if len(stored.content) > MAX_DOWNLOAD_BYTES:
        raise _bad("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
        "file_path": stored.file_path,
    }


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope")
    if scope is not None and not isinstance(scope, dict):
        raise _bad("can't parse BotCommandScope JSON object")
    language = str(params.get("language_code") or "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise _bad("invalid language code specified")
    return scope_key(scope), language


def _set_my_commands(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise _bad("can't parse commands JSON array")
    if len(commands) > 100:
        raise _bad("too many commands specified")
    for command in commands:
        if not isinstance(command, dict) or not _BOT_COMMAND_RE.match(str(command.get("command", ""))):
            raise _bad("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
    key = _commands_key(params)
    if commands:
        self.commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
    else:
        self.commands.pop(key, None)
    return True


def _get_my_commands(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    return self.commands.get(_commands_key(params), [])


def _delete_my_commands(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    self.commands.pop(_commands_key(params), None)
    return True


def _set_chat_menu_button(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise _bad("can't parse menu button JSON object")
    chat_id = _as_int(params.get("chat_id"))
    if params.get("chat_id") is not None:
        user = self._chat(params, "setChatMenuButton")
        user.menu_button = button
    self.menu_buttons[chat_id] = button
    return True


def _get_chat_menu_button(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    chat_id = _as_int(params.get("chat_id"))
    if chat_id is not None and chat_id in self.menu_buttons:
        return self.menu_buttons[chat_id]
    return self.menu_buttons.get(None, {"type": "default"})


def _get_chat(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
    user = self._chat(params, "getChat")
    return {
        **user.as_chat(),
        "accent_color_id": user.user_id % 7,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }


def _profile_setter(name: str) -> Handler:
    def handler(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
        language = str(params.get("language_code") or "")
        value = str(params.get(name) or "")
        if value:
            self.profile[(name, language)] = value
        else:
            self.profile.pop((name, language), None)
        return True

    return handler


def _profile_getter(name: str) -> Handler:
    def handler(self: BotAPIStandin, params: dict[str, Any], files: Files) -> Any:
        language = str(params.get("language_code") or "")
        value = self.profile.get((name, language), self.profile.get((name, ""), ""))
        if name == "name" and not value:
            value = self.bot_first_name
        return {name: value}

    return handler


_HANDLERS: dict[str, Handler] = {
    "getMe": _get_me,
    "getUpdates": _get_updates,
    "setWebhook": _set_webhook,
    "deleteWebhook": _delete_webhook,
    "getWebhookInfo": _get_webhook_info,
    "close": _true,
    "logOut": _true,
    "sendMessage": _send_message,
    "sendDocument": _send_file("document"),
    "sendPhoto": _send_file("photo"),
    "editMessageText": _edit_message_text,
    "editMessageCaption": _edit_message_caption,
    "editMessageReplyMarkup": _edit_message_reply_markup,
    "deleteMessage": _delete_message,
    "deleteMessages": _delete_messages,
    "answerCallbackQuery": _answer_callback_query,
    "sendChatAction": _send_chat_action,
    "getFile": _get_file,
    "setMyCommands": _set_my_commands,
    "getMyCommands": _get_my_commands,
    "deleteMyCommands": _delete_my_commands,
    "setChatMenuButton": _set_chat_menu_button,
    "getChatMenuButton": _get_chat_menu_button,
    "getChat": _get_chat,
    "setMyName": _profile_setter("name"),
    "getMyName": _profile_getter("name"),
    "setMyDescription": _profile_setter("description"),
    "getMyDescription": _profile_getter("description"),
    "setMyShortDescription": _profile_setter("short_description"),
    "getMyShortDescription": _profile_getter("short_description"),
}
