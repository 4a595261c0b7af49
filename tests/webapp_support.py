"""Shared set-up of the Mini App tests: the bot's app over a SQLite demo school, the web app on loopback,
people linked as teacher, class teacher and parent, and initData signed as Telegram signs it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.config import Settings
from bot.demo import DemoSchool, seed_demo
from bot.factory import App, build_app
from bot.webapp import setup_webapp
from bot.webapp.auth import sign_init_data
from storage.models import ParentLink, SchoolClass, Staff, TimetableLesson, User
from tests.harness import school_lesson_day, sqlite_url

TOKEN = "123456:TEST-TOKEN"
TEACHER, CLASS_TEACHER, PARENT, STRANGER = 7001, 7002, 7100, 7300


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class WebSchool:
    app: App
    demo: DemoSchool
    clock: Clock
    web_app: web.Application
    client: TestClient | None = None
    url: str = ""

    def headers(self, user_id: int, *, lang: str = "ru", auth_date: datetime | None = None,
                token: str = TOKEN) -> dict[str, str]:
        user = {"id": user_id, "first_name": "Test", "language_code": lang}
        return {"Authorization": "tma " + sign_init_data(token, user, auth_date=auth_date or self.clock.now)}

    async def db(self):
        return self.app.sessions()


async def start_web_school(tmp_path: Path, *, telegram_script: str = "") -> WebSchool:
    settings = Settings(bot_token=TOKEN, database_url=sqlite_url(tmp_path / "web.db"), scheduler_enabled=False,
                        webapp_url="http://127.0.0.1/webapp", _env_file=None)
    app = await build_app(settings)
    async with app.sessions() as session:
        demo = await seed_demo(session, today=school_lesson_day())
        await _link(session, TEACHER, demo.teacher_phone, "ru")
        await _link(session, CLASS_TEACHER, demo.class_teacher_phone, "ru")
        session.add(User(id=PARENT, tg_name="P", created_at=datetime.now(UTC), role="parent", language="ru"))
        session.add(User(id=STRANGER, tg_name="S", created_at=datetime.now(UTC), role="parent", language="ru"))
        await session.flush()
        session.add(ParentLink(user_id=PARENT, student_id=demo.student_ids[0], created_at=datetime.now(UTC)))
        await session.commit()
    clock = Clock()
    web_app = web.Application()
    setup_webapp(web_app, app, TOKEN, clock=clock, telegram_script=telegram_script)
    return WebSchool(app=app, demo=demo, clock=clock, web_app=web_app)


async def _link(session, user_id: int, phone: str, lang: str) -> None:
    session.add(User(id=user_id, tg_name="T", created_at=datetime.now(UTC), role="teacher", language=lang))
    await session.flush()
    staff = await session.scalar(select(Staff).where(Staff.phone == phone))
    staff.user_id = user_id


async def own_slot(school: WebSchool, user_id: int, *, before: date | None = None, class_id: int | None = None
                   ) -> tuple[TimetableLesson, date, SchoolClass]:
    """The user's latest timetable lesson on a school day up to `before` (default: the school's today)."""
    from domain.countries import local_day

    day = before or local_day("Asia/Tashkent", school.clock.now)
    async with school.app.sessions() as session:
        staff = await session.scalar(select(Staff).where(Staff.user_id == user_id))
        for _ in range(14):
            query = select(TimetableLesson).where(TimetableLesson.teacher_id == staff.id,
                                                  TimetableLesson.weekday == day.weekday())
            if class_id is not None:
                query = query.where(TimetableLesson.class_id == class_id)
            slot = await session.scalar(query.order_by(TimetableLesson.period).limit(1))
            if slot is not None:
                return slot, day, await session.get(SchoolClass, slot.class_id)
            day -= timedelta(days=1)
    raise AssertionError("the demo teacher has no lesson in two weeks")


async def client_for(school: WebSchool) -> TestClient:
    client = TestClient(TestServer(school.web_app))
    await client.start_server()
    school.client = client
    return client


def shifted(clock: Clock, **delta) -> Callable[[], None]:
    old = clock.now

    def restore() -> None:
        clock.now = old

    clock.now = old + timedelta(**delta)
    return restore
