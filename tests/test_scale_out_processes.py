"""A country's install in miniature, as separate processes on the machine's PostgreSQL and Redis: three bot
instances in webhook mode (`python -m bot`, MODE=webhook, no jobs) and two workers (`python -m bot worker`)
against the stand-in on loopback. Updates are spread across the instances, some delivered twice; one instance
and the worker holding the jobs are killed with SIGKILL in the middle of a reminder fan-out. Then: every
update answered exactly once, no reminder sent twice (at most the one on the wire lost), the exam deadline
notices sent once each, and never more than 30 messages in any second at the stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, update

from standin import BotAPIStandin
from storage.db import create_engine, migrate, session_factory
from storage.models import ExamAttempt, Outbox, User
from tests.conftest import PG_URL, POSTGRES_UP, REDIS_UP, _admin
from tests.harness import TOKEN

pytestmark = [
    pytest.mark.skipif(not POSTGRES_UP, reason="no PostgreSQL server answers on 127.0.0.1:5432"),
    pytest.mark.skipif(not REDIS_UP, reason="no Redis server answers on 127.0.0.1:6379"),
]

REMINDERS = 360       # about 12 s at 29/s: the worker is killed well inside the fan-out
EXAMS = 6             # half expired at the start, half expiring after the kill
STARTUP = 300.0       # seconds for a process to start (imports, migration check): minutes when the 2 cores are busy
UPDATES = 60          # two waves of /start from new users, 30 before and 30 after the kill
TWICE = 8             # deliveries repeated to another instance at the same time (Telegram's retries)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    def __init__(self, name: str, proc: asyncio.subprocess.Process, log: Path, port: int | None = None) -> None:
        self.name, self.proc, self.log, self.port = name, proc, log, port

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    async def wait_for_log(self, needle: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            assert self.proc.returncode is None, f"{self.name} exited:\n{self.text()[-3000:]}"
            assert time.monotonic() < deadline, f"{self.name}: no {needle!r} in its log:\n{self.text()[-3000:]}"
            await asyncio.sleep(0.1)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)


async def spawn(name: str, args: list[str], env: dict[str, str], tmp: Path, port: int | None = None) -> Process:
    log = tmp / f"{name}.log"
    handle = log.open("wb")
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, env=env, cwd=tmp,
                                                stdout=handle, stderr=handle)
    handle.close()
    return Process(name, proc, log, port)


async def seed(url: str, base: int) -> tuple[list[int], list[int], list[int]]:
    """Users, and exam attempts: half expired already, half to be expired by the test after the kill."""
    engine = create_engine(url)
    await migrate(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    reminded = [base + i for i in range(REMINDERS)]
    teachers = [base + 10_000 + i for i in range(EXAMS)]
    async with sessions() as session:
        session.add_all(User(id=u, tg_name="T", created_at=now, language=("uz", "ky", "kk", "ru")[u % 4])
                        for u in reminded + teachers)
        await session.flush()
        for i, teacher in enumerate(teachers):
            deadline = now - timedelta(minutes=1) if i % 2 == 0 else now + timedelta(hours=1)
            session.add(ExamAttempt(user_id=teacher, course_id="criteria_journal", status="open", question_count=5,
                                    started_at=now - timedelta(minutes=40), deadline_at=deadline))
        await session.commit()
    await engine.dispose()
    return reminded, teachers, [base + 20_000 + i for i in range(UPDATES)]


async def queue_reminders(sessions, users: list[int]) -> None:
    now = datetime.now(UTC)
    async with sessions() as session:
        session.add_all(Outbox(key=f"course:{u}:country", kind="course", user_id=u, status="pending", tries=0,
                               payload={"course": "criteria_journal", "done": 2}, created_at=now, next_try_at=now)
                        for u in users)
        await session.commit()


async def expire_the_rest(sessions) -> None:
    async with sessions() as session:
        await session.execute(update(ExamAttempt).where(ExamAttempt.status == "open").values(
            deadline_at=datetime.now(UTC)))
        await session.commit()


async def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.5)


def start_update(update_id: int, user: int) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "W", "language_code": "ru"},
        "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


async def deliver(http: aiohttp.ClientSession, instances: list[Process], first: int, update: dict) -> None:
    """As Telegram does: retried, at the next instance, until an instance answers 200."""
    for attempt in range(60):
        port = instances[(first + attempt) % len(instances)].port
        try:
            async with http.post(f"http://127.0.0.1:{port}/telegram/webhook", json=update,
                                 timeout=aiohttp.ClientTimeout(total=20)) as response:
                if response.status == 200:
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.3)
    raise AssertionError(f"update {update['update_id']} was never accepted")


async def wave(http, instances, users: list[int], first_id: int, rng: random.Random) -> None:
    twice = set(rng.sample(range(len(users)), TWICE))
    jobs = []
    for i, user in enumerate(users):
        update = start_update(first_id + i, user)
        jobs.append(deliver(http, instances, i, update))
        if i in twice:
            jobs.append(deliver(http, instances, i + 1, update))  # the same update at another instance
    await asyncio.gather(*jobs)


class StandinThread:
    """The stand-in on an event loop of its own thread: the arrival times it stamps (what the budget is judged
    by) are not held up by this process's own work, posting the waves of updates and polling the database."""

    def __init__(self, api: BotAPIStandin) -> None:
        self.api, self.loop = api, asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="standin", daemon=True)

    async def run(self, coroutine) -> None:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    async def start(self) -> None:
        self.thread.start()
        await self.run(self.api.start())

    async def stop(self) -> None:
        await self.run(self.api.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def delivered(api: BotAPIStandin) -> Counter:
    """Messages delivered per chat (a copy of the stand-in thread's list, read in one pass)."""
    return Counter(int(c.params["chat_id"]) for c in list(api.calls) if c.ok and c.method == "sendMessage")


def busiest(api: BotAPIStandin, reminded: set[int]) -> str:
    """For a failure: the busiest second's messages, reminders and replies, with their arrival times."""
    calls = [c for c in api.calls if c.ok and c.method == "sendMessage"]
    best, start, at = 0, 0, 0
    for end, call in enumerate(calls):
        while call.time - calls[start].time >= 1.0:
            start += 1
        if end - start + 1 > best:
            best, at = end - start + 1, start
    return "\n".join(f"{c.time - calls[at].time:.3f} {'reminder' if int(c.params['chat_id']) in reminded else 'reply'}"
                     for c in calls[at:at + best])


async def test_instances_and_workers_killed_mid_run_lose_and_double_nothing(tmp_path):
    name = "maktab_" + uuid.uuid4().hex[:10]
    await _admin(f"CREATE DATABASE {name}")
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    api = BotAPIStandin(TOKEN)
    served = StandinThread(api)
    await served.start()
    processes: list[Process] = []
    rng = random.Random(12)
    try:
        reminded, teachers, webhook_users = await seed(url, rng.randrange(10**8, 9 * 10**8))
        for user in reminded + teachers + webhook_users:
            api.user(user)
        env = {**os.environ, "BOT_TOKEN": TOKEN, "BOT_API_URL": api.base_url, "DATABASE_URL": url,
               "REDIS_URL": "redis://127.0.0.1:6379/15", "REDIS_PREFIX": "test-" + uuid.uuid4().hex[:8],
               "BROADCAST_RATE": "29", "LOG_LEVEL": "INFO", "MODE": "webhook",
               "WEBHOOK_BASE_URL": "https://bot.example.org", "WEBHOOK_HOST": "127.0.0.1"}
        workers = [await spawn(f"worker-{i}", ["worker"], env, tmp_path) for i in range(2)]
        instances = []
        for i in range(3):
            port = free_port()
            instances.append(await spawn(f"instance-{i}", [], {**env, "SCHEDULER_ENABLED": "false",
                                                               "WEBHOOK_PORT": str(port)}, tmp_path, port))
        processes += workers + instances
        for process in processes:
            await process.wait_for_log("webhook on" if process in instances else "ready", STARTUP)
        # The worker that took the sending lease at its start holds the jobs; the other waits to take over.
        [holder] = [w for w in workers if "lease taken: outbox-send" in w.text()]
        engine = create_engine(url)
        sessions = session_factory(engine)
        async with aiohttp.ClientSession() as http:
            await wave(http, instances, webhook_users[:UPDATES // 2], 1, rng)
            await queue_reminders(sessions, reminded)

            async def fan_out_under_way() -> bool:
                counts = delivered(api)
                return sum(counts[u] for u in reminded) >= 40

            await wait_until(fan_out_under_way, 60, "the fan-out did not start")
            holder.kill()
            instances[0].kill()
            counts = delivered(api)
            sent_before_kill = sum(counts[u] for u in reminded)
            await expire_the_rest(sessions)
            await wave(http, instances, webhook_users[UPDATES // 2:], 1 + UPDATES, rng)

        async def all_done() -> bool:
            async with sessions() as session:
                pending = await session.scalar(select(func.count()).select_from(Outbox).where(
                    Outbox.status == "pending"))
                untold = await session.scalar(select(func.count()).select_from(ExamAttempt).where(
                    ExamAttempt.notified_at.is_(None)))
            return not pending and not untold

        def logs() -> str:
            return "\n".join(f"--- {p.name}\n{p.text()[-1500:]}" for p in processes)

        try:
            await wait_until(all_done, 90, "reminders or exam results left")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{logs()}") from None
        async with sessions() as session:
            statuses = dict((await session.execute(select(Outbox.user_id, Outbox.status))).all())
        await engine.dispose()
        assert sent_before_kill < REMINDERS, "the kill should fall inside the fan-out"

        # Every update answered once, whichever instance took it, however often it was delivered.
        # (/start answers a new user with a few messages: each update's count is the same, none doubled or lost.)
        counts = delivered(api)
        answered = [counts[u] for u in webhook_users]
        assert len(set(answered)) == 1 and answered[0] > 0, (answered, logs())
        # No reminder twice. Left "sending" (never resent) only what was on the wire at the kill: one request,
        # and at most one more whose claim was so slow on this busy machine that it took a fresh permit.
        assert all(counts[u] <= 1 for u in reminded)
        on_the_wire = [u for u in reminded if statuses[u] == "sending"]
        assert len(on_the_wire) <= 2, on_the_wire
        assert all(statuses[u] == "sent" and counts[u] == 1 for u in reminded if u not in on_the_wire), logs()
        # The exam results, before and after the kill, once each.
        assert [counts[t] for t in teachers] == [1] * EXAMS, logs()
        # One budget for five processes: never more than Telegram's 30 in any second, and no 429.
        assert api.max_sent_per_second() <= 30, busiest(api, set(reminded))
        assert not [c for c in api.calls if c.error_code == 429]
    finally:
        for process in processes:
            process.kill()
        for process in processes:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(process.proc.wait(), 5)
        await served.stop()
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def test_processes_starting_at_once_on_an_empty_database_migrate_in_turn():
    name = "maktab_" + uuid.uuid4().hex[:10]
    await _admin(f"CREATE DATABASE {name}")
    engines = [create_engine(PG_URL.rsplit("/", 1)[0] + "/" + name) for _ in range(3)]
    try:
        await asyncio.gather(*(migrate(engine) for engine in engines))  # before: a duplicate key on pg_type
        async with session_factory(engines[0])() as session:
            assert await session.scalar(select(func.count()).select_from(User)) == 0
    finally:
        for engine in engines:
            await engine.dispose()
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
