"""Shared by the benchmarks: a bot session with no network, and update builders."""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.types import CallbackQuery, Chat, Message, Update, User

from usecases.clock import SYSTEM_CLOCK


class NullSession(BaseSession):
    """Answers every Bot API call at once: measures the bot, not the network (see ../shared/PERF.md)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def make_request(self, bot: Bot, method: Any, timeout: int | None = None) -> Any:
        self.calls += 1
        returning = getattr(method, "__returning__", bool)
        if returning is bool or ("bool" in str(returning) and "Message" not in str(returning)):
            return True
        if "Message" in str(returning):
            return Message(message_id=1, date=SYSTEM_CLOCK.now(), chat=Chat(id=getattr(method, "chat_id", 1) or 1,
                                                                        type="private"), text="ok")
        if "User" in str(returning):
            return User(id=1, is_bot=True, first_name="Bench", username="bench_bot")
        return True

    async def close(self) -> None:
        return None

    async def stream_content(self, *args, **kwargs):  # pragma: no cover - not used
        yield b""


def callback_update(update_id: int, user_id: int, data: str, message_id: int = 1) -> Update:
    user = User(id=user_id, is_bot=False, first_name="T", language_code="ru")
    message = Message(message_id=message_id, date=SYSTEM_CLOCK.now(), chat=Chat(id=user_id, type="private"),
                      text="question", from_user=User(id=1, is_bot=True, first_name="Bot"))
    return Update(update_id=update_id, callback_query=CallbackQuery(
        id=str(update_id), from_user=user, chat_instance="c", data=data, message=message))


async def fresh_database(given: str | None, name: str) -> str:
    """A new SQLite file in a temporary folder, or with `given` a PostgreSQL URL, a fresh database `name` created
    (dropped first if there) beside the given one, whose own data is left alone."""
    if not given:
        return f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / f'{name}.db'}"
    import asyncpg

    base, _, _db = given.rpartition("/")
    admin = await asyncpg.connect(given.replace("postgresql+asyncpg://", "postgresql://"))
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    return f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def describe(values_ms: list[float]) -> str:
    return (f"median {statistics.median(values_ms):.2f} ms, p99 {percentile(values_ms, 99):.2f} ms, "
            f"n={len(values_ms)}")


def message_update(update_id: int, user_id: int, text: str) -> Update:
    """A private text message from a user, e.g. "/start" (no network: fed with `dp.feed_update`)."""
    user = User(id=user_id, is_bot=False, first_name="U", language_code="ru")
    return Update(update_id=update_id, message=Message(message_id=update_id, date=SYSTEM_CLOCK.now(),
                                                       chat=Chat(id=user_id, type="private"), from_user=user,
                                                       text=text))


def rss_mb() -> float:
    """Resident memory of this process (Linux /proc), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20
