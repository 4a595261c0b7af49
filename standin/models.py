"""What tests and the console see of the stand-in (calls, files, chat messages) and its small shared helpers."""

from __future__ import annotations

import contextlib
import json
import struct
from dataclasses import dataclass, field
from typing import Any

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

#: Methods that count as "a message sent" for flood limits and ``max_sent_per_second``.
SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})

#: Parameters that are strings in the Bot API. aiogram sends strings unencoded and everything else
#: as JSON, so these must not be JSON-decoded (a text "123" or "true" stays a string).
STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url", "language_code", "action",
    "file_id", "secret_token", "ip_address", "photo", "document", "certificate",
})


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
        return drop_none({"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                          "file_name": self.filename, "mime_type": self.mime_type, "file_size": len(self.content)})

    def as_photo(self) -> list[dict[str, Any]]:
        """The Bot API list of ``PhotoSize`` (a single size)."""
        return [{"file_id": self.file_id, "file_unique_id": self.file_unique_id, "width": self.width,
                 "height": self.height, "file_size": len(self.content)}]


@dataclass
class ChatMessage:
    """A message in a private chat as the user sees it."""

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
    contact: dict[str, Any] | None = None
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

    def render(self) -> str:
        """A plain-text rendering for a transcript: sender, content, attachments and buttons."""
        lines = [f"[{'bot' if self.from_bot else 'you'} #{self.message_id}{' (edited)' if self.edited else ''}]"]
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
        for row in (self.reply_markup or {}).get("keyboard") or []:
            lines.append("  " + " | ".join(f"<{button_text(button)}>" for button in row))
        return "\n".join(lines)


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and, for 429, ``retry_after``."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def button_text(button: dict[str, Any] | str) -> str:
    return button.get("text", "") if isinstance(button, dict) else str(button)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    return None


def decode(key: str, raw: str) -> Any:
    """A form field as aiogram encodes it: strings as they are, everything else JSON."""
    if key in STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def scope_key(scope: dict[str, Any] | None = None) -> str:
    """The key part of ``BotAPIStandin.commands`` for a command scope (default scope when None)."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG (the bot's photos are PNG charts); None if it is not one."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return width, height
    return None
