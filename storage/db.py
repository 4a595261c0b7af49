"""Engine, sessions and migrations. SQLite by default; PostgreSQL by changing the URL alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: Advisory-lock key space held while migrating (bot/scheduler.py uses another for job leases).
MIGRATION_LOCK = 0x4D4D


def normalize_url(url: str) -> str:
    """Accept plain `sqlite:///` and `postgresql://` URLs and pick the async driver."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        # SQLite has one writer at a time: a few connections beat many (measured in bench/bench_exam.py:
        # 15 connections ≈ 90 answers/s, 3 ≈ 170/s), since more only add lock waits.
        pool = {} if ":memory:" in url else {"pool_size": 3, "max_overflow": 3, "pool_timeout": 60}
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, **pool)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        _skip_idle_transaction_ends(engine)
        return engine
    # No pool_pre_ping: it costs a round trip per checkout (≈ 20 % of a small query, ../shared/PERF.md).
    # Connections are replaced after 30 minutes instead, before a server or proxy idle timeout drops them;
    # a connection that dies anyway fails its one request and is discarded by the pool.
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_recycle=1800)


def _skip_idle_transaction_ends(engine: AsyncEngine) -> None:
    """SQLite: no COMMIT or ROLLBACK trip for a connection that only read. Python's sqlite3 opens a transaction
    only before a write, and its commit() and rollback() do nothing outside one; but aiosqlite hands each call to
    its thread and back (0.1–0.3 ms here), so a button press that only reads paid that trip for nothing."""
    dialect = engine.sync_engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def idle(connection: Any) -> bool:
        try:
            return not connection.dbapi_connection._connection.in_transaction
        except Exception:  # pragma: no cover - closed or another driver: let the driver decide
            return False

    def do_commit(connection: Any) -> None:
        if not idle(connection):
            commit(connection)

    def do_rollback(connection: Any) -> None:
        if not idle(connection):
            rollback(connection)

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback  # type: ignore[method-assign]


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def _downgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the bot does this on every start). On PostgreSQL several processes
    starting at once (instances, workers) take turns: without the lock two of them created the same table
    on an empty database and one failed."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:space, 0)"), {"space": MIGRATION_LOCK})
        await conn.run_sync(_upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_downgrade, revision)
