"""The chat's ways into the Mini App: a "📋 Grid" web-app button on the journal's day screen and a menu button
per teacher or parent, only when WEBAPP_URL is set; without it the bot works as before."""

from __future__ import annotations

import pytest

from bot.demo import seed_demo
from tests.harness import Harness, sqlite_url
from tests.test_e2e_journal import link_staff

URL = "https://school.example/webapp"


async def started(tmp_path, **overrides) -> tuple[Harness, object]:
    h = await Harness.start(sqlite_url(tmp_path / "bot.db"), **overrides)
    async with h.db() as session:
        demo = await seed_demo(session)
    return h, demo


def web_app_buttons(user) -> list[dict]:
    return [b for m in user.bot_messages() for row in m.inline_buttons() for b in row if "web_app" in b]


@pytest.mark.parametrize("webapp_url", [URL, None])
async def test_grid_button_and_menu_button_only_with_webapp_url(tmp_path, webapp_url):
    h, demo = await started(tmp_path, webapp_url=webapp_url)
    try:
        await link_staff(h, 7001, demo.teacher_phone)
        teacher = h.user(7001, "Dilnoza")
        await teacher.send("/journal")
        await teacher.wait_for(lambda m: "📒" in (m.text or ""))
        await teacher.send("/menu")
        await teacher.wait_for(lambda m: "🏠" in (m.text or ""))
        await teacher.wait_idle()
        buttons = web_app_buttons(teacher)
        menu = h.api.menu_buttons.get(7001)
        if webapp_url is None:
            assert not buttons and menu is None
            return
        assert [b["web_app"]["url"] for b in buttons] == [URL + "/?view=grid"]
        assert buttons[0]["text"].startswith("📋")
        assert menu["type"] == "web_app" and menu["web_app"]["url"] == URL + "/?view=grid"
    finally:
        await h.stop()


async def test_console_shows_the_grid_button_and_a_signed_local_link(tmp_path):
    import io
    from datetime import UTC, datetime, timedelta
    from types import SimpleNamespace
    from urllib.parse import unquote

    from bot.config import Settings
    from bot.console import CONSOLE_TOKEN, Console, run_console
    from bot.webapp.auth import validate_init_data
    from tests.test_console import _seed_early_in_term

    database_url = sqlite_url(tmp_path / "console.db")
    await _seed_early_in_term(database_url)
    script = tmp_path / "script.txt"
    script.write_text(":as teacher\n/start\n1\n:phone\n/journal\n:quit\n", encoding="utf-8")
    out = io.StringIO()
    code = await run_console(Settings(_env_file=None, default_language="ru"), database_url=database_url,
                             script=script, out=out, files_dir=tmp_path / "files")
    assert code == 0 and "🔗 📋 Таблица" in out.getvalue(), out.getvalue()
    # Pressing it prints the page's address with initData signed for the persona, as Telegram passes it.
    console = SimpleNamespace(api=SimpleNamespace(token=CONSOLE_TOKEN), language="ru")
    persona = SimpleNamespace(name="Dilnoza", user=SimpleNamespace(user_id=900000001, language_code="uz"))
    link = Console.web_app_link(console, persona, "http://127.0.0.1:5/webapp/?view=grid")
    page, _sep, fragment = link.partition("#tgWebAppData=")
    assert page == "http://127.0.0.1:5/webapp/?view=grid"
    data = validate_init_data(CONSOLE_TOKEN, unquote(fragment), now=datetime.now(UTC), max_age=timedelta(minutes=1))
    assert data.user.id == 900000001 and data.user.language_code == "uz"


@pytest.mark.parametrize("webapp_url", [URL, None])
async def test_menu_button_is_set_as_soon_as_onboarding_ends(tmp_path, webapp_url):
    """A teacher linked by phone and a parent linked by an invite link get the Mini App's menu button at
    once, without having to open /menu first; without WEBAPP_URL nobody gets one."""
    from datetime import UTC, datetime

    from storage.repositories.invites import create_invite

    h, demo = await started(tmp_path, webapp_url=webapp_url)
    try:
        async with h.db() as session:
            invite = await create_invite(session, kind="parent", school_id=demo.school_id,
                                         student_id=demo.student_ids[0], now=datetime.now(UTC), valid_days=14,
                                         created_by=None)
            await session.commit()
        teacher, parent = h.user(7411, "Dilnoza"), h.user(7412, "Ona")  # ids no other test's menu cache holds
        await teacher.send("/start")
        await teacher.wait_for(lambda m: "role:" in str(m.inline_buttons()))
        await teacher.click_data("role:teacher")
        await teacher.wait_for()
        await teacher.send_contact("+" + demo.teacher_phone)
        await teacher.wait_for(lambda m: "🏠" in (m.text or ""))
        await parent.send("/start invite_" + invite.code)
        await parent.wait_for(lambda m: "🏠" in (m.text or ""))
        await teacher.wait_idle()
        await parent.wait_idle()
        menus = {uid: h.api.menu_buttons.get(uid) for uid in (7411, 7412)}
        if webapp_url is None:
            assert menus == {7411: None, 7412: None}
            return
        assert menus[7411]["type"] == "web_app" and menus[7411]["web_app"]["url"] == URL + "/?view=grid"
        assert menus[7412]["type"] == "web_app" and menus[7412]["web_app"]["url"] == URL + "/?view=child"
    finally:
        await h.stop()
