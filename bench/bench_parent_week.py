"""Parent "this week" latency on synthetic schools: N students (default 5,000, 50,000 and 500,000), each with
a term of grades and attendance, bulk-loaded with plain sqlite3, then queried the way the bot does
(SQLAlchemy async session, storage.repositories.journal.child_marks + domain summarize_week).

    python bench/bench_parent_week.py [--students 5000,50000,500000] [--queries 300] [--keep]
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


def load(path: Path, students: int, rng: random.Random) -> int:
    """Schools of 1,000 students, classes of 25; a lesson row per class, period and day; a mark row per
    grade or absence (present without a grade is the absence of a row, as the bot writes before saving)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    schools = max(1, students // 1000)
    classes = students // CLASS_SIZE
    conn.executemany("INSERT INTO schools (id, name, country, timezone) VALUES (?, ?, 'UZ', 'Asia/Tashkent')",
                     [(s + 1, f"School {s + 1}") for s in range(schools)])
    conn.executemany("INSERT INTO subjects (id, school_id, name) VALUES (?, ?, ?)",
                     [(s * SUBJECTS + k + 1, s + 1, f"Subject {k}") for s in range(schools) for k in range(SUBJECTS)])
    conn.executemany("INSERT INTO classes (id, school_id, name, grade) VALUES (?, ?, ?, 7)",
                     [(c + 1, c % schools + 1, f"7-{c}") for c in range(classes)])
    conn.executemany("INSERT INTO students (id, school_id, class_id, full_name) VALUES (?, ?, ?, ?)",
                     [(i + 1, (i // CLASS_SIZE) % schools + 1, i // CLASS_SIZE + 1, f"Student {i}")
                      for i in range(students)])
    days = school_days()
    lesson_id = 0
    marks = 0
    batch_lessons, batch_marks = [], []
    for c in range(classes):
        school = c % schools + 1
        for day in days:
            for period in range(1, PERIODS + 1):
                lesson_id += 1
                subject = (school - 1) * SUBJECTS + (day.toordinal() + period + c) % SUBJECTS + 1
                batch_lessons.append((lesson_id, school, c + 1, subject, day.isoformat(), period))
                for k in range(CLASS_SIZE):
                    roll = rng.random()
                    if roll < 0.05:
                        batch_marks.append((lesson_id, c * CLASS_SIZE + k + 1, "absent", None))
                    elif roll < 0.35:
                        batch_marks.append((lesson_id, c * CLASS_SIZE + k + 1, "present", rng.choice((3, 4, 5))))
        if len(batch_marks) > 200_000:
            marks += _flush(conn, batch_lessons, batch_marks)
            batch_lessons, batch_marks = [], []
    marks += _flush(conn, batch_lessons, batch_marks)
    conn.commit()
    conn.close()
    return marks


def _flush(conn, lessons, marks) -> int:
    conn.executemany("INSERT INTO journal_lessons (id, school_id, class_id, subject_id, lesson_date, period, version)"
                     " VALUES (?, ?, ?, ?, ?, ?, 1)", lessons)
    conn.executemany("INSERT INTO journal_marks (lesson_id, student_id, attendance, grade, kind, version)"
                     " VALUES (?, ?, ?, ?, 'regular', 1)", marks)
    return len(marks)


async def run(students: int, queries: int, keep: bool) -> None:
    folder = Path(tempfile.mkdtemp())
    path = folder / f"week-{students}.db"
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    start = time.perf_counter()
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
    size = path.stat().st_size / 2**20
    print(f"{students:>9,} students · {marks:>12,} mark rows · {size:,.0f} MB · loaded in {loaded:,.0f} s · "
          f"week query: {describe(latencies)}")
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.rmdir(folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", default="5000,50000,500000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    for n in (int(x) for x in args.students.split(",")):
        asyncio.run(run(n, args.queries, args.keep))


if __name__ == "__main__":
    main()
