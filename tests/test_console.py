"""The console chat (`python -m bot console`), driven by a script: the real bot, the stand-in, the demo data."""

from __future__ import annotations

import io
from datetime import date

from bot.config import Settings
from bot.console import Console, run_console
from bot.demo import seed_demo
from standin import ChatMessage
from storage.db import create_engine, migrate, session_factory
from tests.harness import sqlite_url

SCRIPT = """\
# A new user whose Telegram is in Russian starts, picks a role, then switches the language with a button.
/start
1
b 3:3
# A new user whose Telegram is in Kazakh is greeted in Kazakh.
:lang kk
:as new
/start
:quit
this line is never sent
"""


async def _seed_early_in_term(database_url: str) -> None:
    """The console seeds the demo school itself; seeding it first, as of a term's first days, keeps
    this test as fast on any day of the year (the demo journal grows with the days of the term)."""
    engine = create_engine(database_url)
    await migrate(engine)
    async with session_factory(engine)() as session:
        await seed_demo(session, today=date(2026, 9, 3))
        await session.commit()
    await engine.dispose()


async def test_console_script_walks_through_onboarding(tmp_path):
    database_url = sqlite_url(tmp_path / "console.db")
    await _seed_early_in_term(database_url)
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    out = io.StringIO()
    code = await run_console(Settings(_env_file=None, default_language="ru"), database_url=database_url,
                             script=script, out=out, files_dir=tmp_path / "files")
    text = out.getvalue()
    assert code == 0, text
    assert 'demo school "Toshkent shahar 110-maktab"' in text
    assert "new> /start\n── bot #2 ──\nЗдравствуйте, Guest1! Я Maktab Bot" in text
    assert "  [3] 🇰🇿 Қазақша  [4] 🇷🇺 Русский" in text  # buttons numbered, row by row
    assert "  [1] 👩‍🏫 Учитель\n  [2] 🧑‍🏫 Классный руководитель" in text
    assert "new> 1\n── bot #4 ✎ EDITED ──\nПривяжитесь к своей школе" in text  # the press edits in place
    # The language button turns that message into the role choice, now in Kazakh.
    assert "── bot #3 ✎ EDITED ──\nСіз кімсіз?" in text
    assert "💬 toast: 🇰🇿 Қазақша" in text
    assert "Telegram id 900000002, Telegram language kk" in text
    assert "Сәлеметсіз бе, Guest2!" in text and "Сіз кімсіз?" in text
    assert "never sent" not in text


def test_attachments_are_saved_and_shown(tmp_path):
    out = io.StringIO()
    console = Console(None, None, None, out=out, files_dir=tmp_path / "files", language="ru",  # type: ignore[arg-type]
                      redraw_prompt=False, echo_input=False)

    class FakeUser:
        user_id, first_name, last_name = 1001, "Dilnoza", "Karimova"
        listeners: list = []

    persona = console._add("teacher", FakeUser(), "998901000002", "Teacher")  # type: ignore[arg-type]
    console.current = persona
    message = ChatMessage(message_id=12, from_bot=True, caption="Your certificate",
                          document=("certificate 2026.pdf", b"%PDF-1.4 test"),
                          reply_markup={"inline_keyboard": [[{"text": "🏠 Menu", "callback_data": "m:main"},
                                                             {"text": "Site", "url": "https://example.org"}]]})
    FakeUser.listeners[0]("new", message)
    saved = tmp_path / "files" / "teacher-12-certificate_2026.pdf"
    assert saved.read_bytes() == b"%PDF-1.4 test"
    text = out.getvalue()
    assert f"📎 document certificate 2026.pdf, saved as {saved} (13 bytes)" in text
    assert "Your certificate\n  [1] 🏠 Menu  [2] 🔗 Site" in text
