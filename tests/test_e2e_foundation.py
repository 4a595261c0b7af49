"""The foundation through the real dispatcher and the Bot API stand-in over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.demo import seed_demo
from storage.models import ParentLink, Staff, User
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


async def _new_user_with_role_choice(harness, user_id: int):
    user = harness.user(user_id, "Test")
    await user.send("/start")
    await user.wait_for(has_data("role:"))
    return user


async def test_role_screens_tell_a_user_without_the_role_what_to_do(harness):
    user = await _new_user_with_role_choice(harness, 4001)
    for command, who in (("/exam", "учителей"), ("/certificate", "учителей"), ("/course", "учителей"),
                         ("/journal", "учителей"), ("/class", "классных руководителей"),
                         ("/codes", "классных руководителей"), ("/children", "родителей"),
                         ("/reports", "администрации")):
        reply = await say(user, command)
        assert who in reply.text and "/start" in reply.text, (command, reply.text)
        datas = [b.get("callback_data") for row in reply.inline_buttons() for b in row]
        assert "m:role" in datas and not any(d and d.startswith("x:start") for d in datas), (command, datas)
    # The button leads to the choice of roles.
    await user.click_data("m:role")
    assert "Кто вы" in (await user.wait_for(has_data("role:"))).text


async def test_a_role_screen_opens_for_a_user_who_holds_the_role(harness):
    async with harness.db() as session:
        demo = await seed_demo(session)
    teacher = await _new_user_with_role_choice(harness, 4101)
    await teacher.click_data("role:teacher")
    await teacher.wait_for()
    await teacher.send_contact("+" + demo.teacher_phone)
    await teacher.wait_idle()
    reply = await say(teacher, "/exam")
    assert any((b.get("callback_data") or "").startswith("x:") for row in reply.inline_buttons() for b in row)


async def test_sharing_an_already_linked_phone_says_already_connected(harness):
    async with harness.db() as session:
        demo = await seed_demo(session)
    teacher = await _new_user_with_role_choice(harness, 4201)
    await teacher.click_data("role:teacher")
    await teacher.wait_for()
    await teacher.send_contact("+" + demo.teacher_phone)
    assert "✅" in (await teacher.wait_for()).text
    await teacher.wait_idle()
    await teacher.send_contact("+" + demo.teacher_phone)  # again, e.g. from the role switch
    again = await teacher.wait_for()
    assert "уже подключены" in again.text and "нет в списках" not in again.text, again.text
    await teacher.wait_idle()
    # The same number from another Telegram account is not "unknown" either.
    other = await _new_user_with_role_choice(harness, 4202)
    await other.click_data("role:teacher")
    await other.wait_for()
    await other.send_contact("+" + demo.teacher_phone)
    taken = await other.wait_for()
    assert "другому аккаунту" in taken.text, taken.text
    async with harness.db() as session:
        staff = await session.scalar(select(Staff).where(Staff.phone == demo.teacher_phone))
    assert (staff.user_id, staff.confirmed_via) == (4201, "phone")


def _run_bot(tmp_path, token: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    env.update(BOT_TOKEN=token, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
               PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    return subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("token", ["", "abc", "   "])
def test_empty_or_malformed_token_gets_the_botfather_help(tmp_path, token):
    run = _run_bot(tmp_path, token)
    assert run.returncode != 0
    assert "@BotFather" in run.stderr and "BOT_TOKEN" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
