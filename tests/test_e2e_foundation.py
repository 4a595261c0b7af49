"""The foundation through the real dispatcher and the Bot API stand-in over HTTP."""

from __future__ import annotations

from sqlalchemy import select

from bot.demo import seed_demo
from storage.models import ParentLink, User
from storage.repositories.invites import create_invite
from tests.harness import answer_of, has_data, say


async def test_start_greets_in_client_language_and_switches(harness):
    kk = harness.user(1001, "Айгүл", language_code="kk")
    await kk.send("/start")
    greeting = await kk.wait_for()
    assert "Maktab Bot" in greeting.text
    roles = await kk.wait_for(has_data("role:"))
    assert "рөл" in roles.text.lower() or "кімсіз" in roles.text.lower(), roles.text

    en = harness.user(1002, "John", language_code="en")
    await en.send("/start")
    assert "Кто вы" in (await en.wait_for(has_data("role:"))).text  # unsupported -> Russian

    await en.send("/language")
    menu = await en.wait_for()
    await en.click("Oʻzbekcha", message=menu)
    # Before onboarding, the language message becomes the role choice in the new language.
    assert "Siz kimsiz" in (await en.wait_for(has_data("role:"))).text
    async with harness.db() as session:
        assert (await session.get(User, 1002)).language == "uz"
    await en.send("/help")
    answer = await en.wait_for()
    assert "/language" in answer.text and "til" in answer.text.lower()


async def test_parent_links_with_code_once(harness):
    async with harness.db() as session:
        demo = await seed_demo(session)
        from datetime import UTC, datetime

        invite = await create_invite(session, kind="parent", school_id=demo.school_id,
                                     student_id=demo.student_ids[0], now=datetime.now(UTC), valid_days=14,
                                     created_by=None)
    parent = harness.user(2001, "Ona")
    await parent.send("/start")
    await parent.wait_for(has_data("role:"))
    await parent.click("Родитель")
    await parent.wait_for()
    await parent.click("У меня есть код")
    await parent.wait_for()
    reply = await say(parent, "NOT-A-CODE")
    assert "не похоже" in reply.text.lower() or "12" in reply.text
    reply = await say(parent, invite.display.lower())
    assert "✅" in reply.text
    await parent.wait_idle()
    async with harness.db() as session:
        links = list(await session.scalars(select(ParentLink).where(ParentLink.user_id == 2001)))
        assert [link.student_id for link in links] == [demo.student_ids[0]]
    # The parent's own command menu (chat scope) lists the parent's commands.
    scoped = [c for c in harness.api.calls_of("setMyCommands") if '"chat_id": 2001' in str(c.params.get("scope"))
              or "2001" in str(c.params.get("scope"))]
    assert scoped and "children" in str(scoped[-1].params.get("commands"))

    other = harness.user(2002, "Ota")
    await other.send("/start")
    await other.wait_for(has_data("role:"))
    await other.click("Родитель")
    await other.wait_for()
    await other.click("У меня есть код")
    await other.wait_for()
    reply = await say(other, invite.display)
    assert "уже использован" in reply.text
    async with harness.db() as session:
        assert not list(await session.scalars(select(ParentLink).where(ParentLink.user_id == 2002)))


async def test_bad_input_gets_an_answer(harness):
    user = harness.user(3001)
    reply = await say(user, "/nonsense")
    assert "/help" in reply.text
    reply = await say(user, "hello there")
    assert "/menu" in reply.text
    await user.send("/start")
    await user.wait_for(has_data("role:"))
    query_id = await user.click_data("c:read:unknown_course:1:0")
    answer = await answer_of(user, query_id)
    assert answer is not None and answer.params.get("show_alert")
