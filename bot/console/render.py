"""The console's personas and how it shows a message: a header, the content, numbered buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from standin import ChatMessage, StandinUser
from standin.models import button_text

if TYPE_CHECKING:
    from bot.demo import DemoSchool

#: "new" personas get ids above this one, each one more than any user the database already has there.
NEW_USER_BASE = 900_000_000

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


def demo_phone(demo: DemoSchool, key: str) -> str:
    return {"teacher": demo.teacher_phone, "class": demo.class_teacher_phone, "head": demo.head_phone,
            "parent": demo.parent_phone}[key]


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
    lines.extend(_inline_rows(message))
    keyboard = (message.reply_markup or {}).get("keyboard")
    if keyboard:
        cells = []
        for number, button in enumerate((button for row in keyboard for button in row), start=1):
            hint = " (:phone)" if isinstance(button, dict) and button.get("request_contact") else ""
            cells.append(f"(r{number}) {button_text(button)}{hint}")
        lines.append("  keyboard: " + "  ".join(cells))
    return "\n".join(lines)


def _inline_rows(message: ChatMessage) -> list[str]:
    """Inline buttons numbered across rows; a button that is not a callback (a link, an app) is marked."""
    lines, number = [], 0
    for row in message.inline_buttons():
        cells = []
        for button in row:
            number += 1
            mark = "" if "callback_data" in button else "🔗 "
            cells.append(f"[{number}] {mark}{button_text(button)}")
        lines.append("  " + "  ".join(cells))
    return lines
