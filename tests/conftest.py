from __future__ import annotations

import asyncio
import os
import socket
import uuid

import pytest

from tests.harness import Harness, sqlite_url

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


POSTGRES_UP = _reachable("127.0.0.1", 5432)
REDIS_UP = _reachable("127.0.0.1", 6379)


@pytest.fixture
async def harness(tmp_path):
    h = await Harness.start(sqlite_url(tmp_path / "bot.db"))
    try:
        yield h
    finally:
        await h.stop()


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request, tmp_path):
    """Storage tests run on SQLite and, where a server answers on 127.0.0.1:5432, on PostgreSQL."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "store.db")
        return
    if not POSTGRES_UP:
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
    # A database of our own per test: only the URL changes, as in production.
    name = "maktab_" + uuid.uuid4().hex[:10]
    await _admin(f"CREATE DATABASE {name}")
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        await asyncio.sleep(0)
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
