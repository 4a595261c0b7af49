"""Parent "this week" latency on synthetic schools: N students (default 5,000, 50,000 and 500,000), each with
a term of grades and attendance, bulk-loaded with plain sqlite3, then queried the way the bot does
(SQLAlchemy async session, storage.repositories.journal.child_marks + domain summarize_week).

    python bench/bench_parent_week.py [--students 5000,50000,500000] [--queries 300] [--keep]
    python bench/bench_parent_week.py --postgres postgresql://postgres@127.0.0.1:5432/test --students 5000,50000

With --postgres, each size gets a fresh database next to the given one, bulk-loaded with binary COPY.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import describe

from domain.journal import summarize_week, week_start
from storage.db import create_engine, migrate, session_factory
from storage.repositories.journal import child_marks

CLASS_SIZE = 25
PERIODS = 4
SUBJECTS = 8
TERM_START = date(2025, 9, 2)
TERM_DAYS = 63  # nine weeks


def school_days() -> list[date]:
    return [TERM_START + timedelta(days=i) for i in range(TERM_DAYS) if (TERM_START + timedelta(days=i)).weekday() < 5]


def rows(students: int, rng: random.Random):
    """The synthetic school system as table rows (shared by the SQLite and PostgreSQL loaders)."""
    schools = max(1, students // 1000)
    classes = students // CLASS_SIZE
    yield "schools", ["id", "name", "country", "timezone"], [
        (s + 1, f"School {s + 1}", "UZ", "Asia/Tashkent") for s in range(schools)]
    yield "subjects", ["id", "school_id", "name"], [
        (s * SUBJECTS + k + 1, s + 1, f"Subject {k}") for s in range(schools) for k in range(SUBJECTS)]
    yield "classes", ["id", "school_id", "name", "grade"], [
        (c + 1, c % schools + 1, f"7-{c}", 7) for c in range(classes)]
    yield "students", ["id", "school_id", "class_id", "full_name"], [
        (i + 1, (i // CLASS_SIZE) % schools + 1, i // CLASS_SIZE + 1, f"Student {i}") for i in range(students)]
    days = school_days()
    lesson_id = 0
    lessons, marks = [], []
    for c in range(classes):
        school = c % schools + 1
        for day in days:
            for period in range(1, PERIODS + 1):
                lesson_id += 1
                subject = (school - 1) * SUBJECTS + (day.toordinal() + period + c) % SUBJECTS + 1
                lessons.append((lesson_id, school, c + 1, subject, day, period, 1))
                for k in range(CLASS_SIZE):
                    roll = rng.random()
                    if roll < 0.05:
                        marks.append((lesson_id, c * CLASS_SIZE + k + 1, "absent", None, "regular", 1))
                    elif roll < 0.35:
                        marks.append((lesson_id, c * CLASS_SIZE + k + 1, "present", rng.choice((3, 4, 5)),
                                      "regular", 1))
        if len(marks) > 200_000:
            yield "journal_lessons", LESSON_COLUMNS, lessons
            yield "journal_marks", MARK_COLUMNS, marks
            lessons, marks = [], []
    yield "journal_lessons", LESSON_COLUMNS, lessons
    yield "journal_marks", MARK_COLUMNS, marks


LESSON_COLUMNS = ["id", "school_id", "class_id", "subject_id", "lesson_date", "period", "version"]
MARK_COLUMNS = ["lesson_id", "student_id", "attendance", "grade", "kind", "version"]


async def load_postgres(url: str, students: int, rng: random.Random) -> int:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    marks = 0
    try:
        for table, columns, records in rows(students, rng):
            await conn.copy_records_to_table(table, records=records, columns=columns)
            marks += len(records) if table == "journal_marks" else 0
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return marks


def load(path: Path, students: int, rng: random.Random) -> int:
    """Plain sqlite3 executemany: lesson rows per class, period and day; a mark row per grade or absence
    (present without a grade is the absence of a row, as the bot writes before attendance is saved)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    marks = 0
    for table, columns, records in rows(students, rng):
        if table == "journal_lessons":
            records = [(*r[:4], r[4].isoformat(), *r[5:]) for r in records]
        placeholders = ", ".join("?" for _ in columns)
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", records)
        marks += len(records) if table == "journal_marks" else 0
    conn.commit()
    conn.close()
    return marks


async def run(students: int, queries: int, keep: bool, postgres: str | None = None) -> None:
    folder = Path(tempfile.mkdtemp())
    path = folder / f"week-{students}.db"
    url = f"sqlite+aiosqlite:///{path}"
    if postgres:
        import asyncpg

        base, _, _db = postgres.rpartition("/")
        name = f"bench_week_{students}"
        admin = await asyncpg.connect(postgres.replace("postgresql+asyncpg://", "postgresql://"))
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {name}")
        await admin.close()
        url = f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://")
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    start = time.perf_counter()
    if postgres:
        marks = await load_postgres(url, students, random.Random(students))
    else:
        marks = load(path, students, random.Random(students))
    loaded = time.perf_counter() - start
    engine = create_engine(url)
    sessions = session_factory(engine)
    rng = random.Random(1)
    weeks = sorted({week_start(d) for d in school_days()})
    latencies = []
    for _ in range(queries):
        student = rng.randint(1, students)
        monday = rng.choice(weeks)
        t0 = time.perf_counter()
        async with sessions() as session:
            summarize_week(await child_marks(session, student, monday, monday + timedelta(days=6)))
        latencies.append((time.perf_counter() - t0) * 1000)
    await engine.dispose()
    size = path.stat().st_size / 2**20 if not postgres else 0
    where = "postgres" if postgres else "sqlite"
    print(f"{where} {students:>9,} students · {marks:>12,} mark rows · {size:,.0f} MB · "
          f"loaded in {loaded:,.0f} s · week query: {describe(latencies)}")
    if not keep and not postgres:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.rmdir(folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", default="5000,50000,500000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL: run there instead of SQLite")
    args = parser.parse_args()
    for n in (int(x) for x in args.students.split(",")):
        asyncio.run(run(n, args.queries, args.keep, args.postgres))


if __name__ == "__main__":
    main()
