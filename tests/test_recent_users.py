"""The user middleware's short memory of users' rows (storage.repositories.users.RecentUsers): a user's next
update reads no row, and any write to the row in this process (another session's change, a block) makes the
next update read it again; instances sharing a database (REDIS_URL) read it every time."""

from __future__ import annotations

from types import SimpleNamespace

from aiogram.types import User as TgUser
from sqlalchemy import event

from bot.middlewares import UserMiddleware
from storage.db import create_engine, migrate, session_factory
from storage.models import User
from storage.repositories.users import RecentUsers, mark_blocked
from usecases.clock import FakeClock

USER = TgUser(id=701, is_bot=False, first_name="Dilnoza", language_code="uz")


async def setup(database_url: str):
    engine = create_engine(database_url)
    await migrate(engine)
    reads: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, sql, _p, _ctx, _many: reads.append(sql) if "FROM users" in sql else None)
    return engine, session_factory(engine), reads


async def update_as(middleware: UserMiddleware, sessions, clock: FakeClock,
                    redis_url: str | None = None) -> tuple[User, str | None]:
    """One update through the middleware: the user the handler gets, and its language as the handler sees it."""
    seen: dict = {}

    async def handler(_event, data):
        seen["user"], seen["language"] = data["user"], data["user"].language

    async with sessions() as session:
        await middleware(handler, None, {"event_from_user": USER, "session": session, "clock": clock,
                                         "settings": SimpleNamespace(redis_url=redis_url)})
        await session.commit()
    return seen["user"], seen["language"]


async def test_next_update_reads_no_row_until_the_row_changes(database_url):
    engine, sessions, reads = await setup(database_url)
    middleware, clock = UserMiddleware(RecentUsers()), FakeClock()
    try:
        _user, language = await update_as(middleware, sessions, clock)
        assert language == "uz" and reads  # a new user: created (a write, so not remembered yet)
        await update_as(middleware, sessions, clock)  # read, and remembered
        reads.clear()
        user, language = await update_as(middleware, sessions, clock)
        assert (user.id, language, reads) == (701, "uz", [])  # from memory, attached to the update's session

        async with sessions() as session:  # another session changes the row (a language switch)
            (await session.get(User, 701)).language = "ru"
            await session.commit()
        reads.clear()
        _user, language = await update_as(middleware, sessions, clock)
        assert language == "ru" and reads

        async with sessions() as session:  # blocked (e.g. by the sender on a 403): forgotten, so the next
            await mark_blocked(session, 701, clock.now())  # update reads the row and clears the mark
            await session.commit()
        reads.clear()
        await update_as(middleware, sessions, clock)
        assert reads
        async with sessions() as session:
            assert (await session.get(User, 701)).blocked_at is None
    finally:
        await engine.dispose()


async def test_a_change_made_through_the_remembered_row_is_written(database_url):
    engine, sessions, _reads = await setup(database_url)
    middleware, clock = UserMiddleware(RecentUsers()), FakeClock()
    try:
        await update_as(middleware, sessions, clock)
        await update_as(middleware, sessions, clock)

        async def switch(_event, data):
            data["user"].language = "kk"

        async with sessions() as session:
            await middleware(switch, None, {"event_from_user": USER, "session": session, "clock": clock,
                                            "settings": SimpleNamespace(redis_url=None)})
            await session.commit()
        async with sessions() as session:
            assert (await session.get(User, 701)).language == "kk"
        assert (await update_as(middleware, sessions, clock))[1] == "kk"
    finally:
        await engine.dispose()


async def test_shared_instances_read_the_row_every_time(database_url):
    engine, sessions, reads = await setup(database_url)
    middleware, clock = UserMiddleware(RecentUsers()), FakeClock()
    try:
        await update_as(middleware, sessions, clock, redis_url="redis://shared")
        reads.clear()
        await update_as(middleware, sessions, clock, redis_url="redis://shared")
        assert reads
    finally:
        await engine.dispose()


async def test_the_memory_lasts_its_ttl(database_url):
    engine, sessions, reads = await setup(database_url)
    middleware, clock = UserMiddleware(RecentUsers(ttl=0.0)), FakeClock()
    try:
        await update_as(middleware, sessions, clock)
        reads.clear()
        await update_as(middleware, sessions, clock)
        assert reads
    finally:
        await engine.dispose()
