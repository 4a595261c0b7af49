"""Synthetic schools for bench_reminders.py, straight into SQLite (executemany) or PostgreSQL (COPY).

Per school: 11 classes, 32 staff with Telegram accounts (a head, a deputy, teachers), 8 subjects, 25 pupils a
class, a parent for one pupil in five, a 6-lesson timetable on 5 days, `history_days` school days of journal
before the day (95 % of lessons filled, 5 marks each) and the day itself (70 % filled), four summatives a class
around the day, four terms (the second ends a week after the day) and an autumn holiday. Ids are assigned here,
so both databases get the same rows.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

CLASSES, STAFF, PUPILS, PERIODS, SUBJECTS = 11, 32, 25, 6, 8
MARKS_PER_LESSON = 5  # pupils with a grade or an absence; the others' "present" rows do not change the queries
TIMEZONES = (("UZ", "Asia/Tashkent"), ("KG", "Asia/Bishkek"), ("KZ", "Asia/Almaty"))

#: Each table's columns, parents before children (the order rows are written in).
COLUMNS: dict[str, tuple[str, ...]] = {
    "schools": ("id", "name", "country", "timezone", "external_id"),
    "terms": ("id", "school_id", "school_year", "number", "starts_on", "ends_on"),
    "holidays": ("school_id", "starts_on", "ends_on", "name"),
    "users": ("id", "language", "tg_name", "created_at"),
    "staff": ("id", "school_id", "full_name", "position", "user_id"),
    "classes": ("id", "school_id", "name", "grade", "class_teacher_id"),
    "subjects": ("id", "school_id", "name"),
    "students": ("id", "school_id", "class_id", "full_name"),
    "parent_links": ("user_id", "student_id", "created_at"),
    "timetable": ("id", "school_id", "class_id", "subject_id", "teacher_id", "weekday", "period"),
    "journal_lessons": ("id", "school_id", "class_id", "subject_id", "teacher_id", "lesson_date", "period",
                        "attendance_taken_at", "updated_at", "version"),
    "journal_marks": ("id", "lesson_id", "student_id", "attendance", "grade", "kind", "updated_at", "version"),
    "summatives": ("id", "school_id", "class_id", "subject_id", "term_id", "kind", "title", "due_on"),
}

Rows = dict[str, list[tuple]]


def ts(value: datetime) -> str:
    """A UTC datetime as SQLAlchemy stores it in SQLite."""
    return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def school_days_before(day: date, count: int) -> list[date]:
    days, d = [], day
    while len(days) < count:
        d -= timedelta(days=1)
        if d.weekday() < 5:
            days.append(d)
    return sorted(days)


class _Generator:
    """Rows school by school; `day` and `moment` turn dates and datetimes into what the database takes."""

    def __init__(self, today: date, history_days: int, seed: int, day: Callable, moment: Callable) -> None:
        self.rng = random.Random(seed)
        self.today, self.history = today, school_days_before(today, history_days)
        self.day, self.moment = day, moment
        self.created = moment(datetime(2025, 9, 1, tzinfo=UTC))
        self.ids = dict.fromkeys(("staff", "class", "subject", "student", "tt", "lesson", "mark", "sum", "term"), 0)

    def next(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def school(self, s: int, rows: Rows) -> None:
        country, tz = TIMEZONES[s % len(TIMEZONES)]
        rows["schools"].append((s, f"School {s}", country, tz, f"ext-{s}"))
        term_id = self._terms(s, rows)
        rows["holidays"].append((s, self.day(date(2025, 11, 4)), self.day(date(2025, 11, 10)), "autumn"))
        staff_ids = []
        for k in range(STAFF):
            staff_id = self.next("staff")
            rows["users"].append((1_000_000 + staff_id, "ru", "U", self.created))
            position = "head" if k == 0 else "deputy" if k == 1 else "teacher"
            rows["staff"].append((staff_id, s, f"Teacher {staff_id}", position, 1_000_000 + staff_id))
            staff_ids.append(staff_id)
        subject_ids = []
        for k in range(SUBJECTS):
            subject_ids.append(self.next("subject"))
            rows["subjects"].append((subject_ids[-1], s, f"Subject {k}"))
        for c in range(CLASSES):
            self._class(s, c, staff_ids, subject_ids, term_id, rows)

    def _terms(self, s: int, rows: Rows) -> int:
        spans = [(date(2025, 9, 2), date(2025, 11, 3)), (date(2025, 11, 11), self.today + timedelta(days=7)),
                 (date(2026, 1, 11), date(2026, 3, 20)), (date(2026, 3, 30), date(2026, 5, 25))]
        for number, (start, end) in enumerate(spans, start=1):
            rows["terms"].append((self.next("term"), s, "2025-2026", number, self.day(start), self.day(end)))
        return self.ids["term"] - 2

    def _class(self, s: int, c: int, staff_ids: list[int], subject_ids: list[int], term_id: int, rows: Rows) -> None:
        class_id = self.next("class")
        rows["classes"].append((class_id, s, f"{c + 1}-A", c + 1, staff_ids[2 + c]))
        pupils = []
        for _p in range(PUPILS):
            pupils.append(self.next("student"))
            rows["students"].append((pupils[-1], s, class_id, f"Pupil {pupils[-1]}"))
            if pupils[-1] % 5 == 0:
                rows["users"].append((2_000_000 + pupils[-1], "uz", "U", self.created))
                rows["parent_links"].append((2_000_000 + pupils[-1], pupils[-1], self.created))
        slots = []
        for weekday in range(5):
            for period in range(1, PERIODS + 1):
                subject = subject_ids[(weekday * PERIODS + period) % SUBJECTS]
                teacher = staff_ids[2 + (c * 3 + subject) % (STAFF - 2)]
                rows["timetable"].append((self.next("tt"), s, class_id, subject, teacher, weekday, period))
                slots.append((weekday, period, subject, teacher))
        for day in [*self.history, self.today]:
            for weekday, period, subject, teacher in slots:
                if weekday == day.weekday():
                    self._lesson(s, class_id, subject, teacher, day, period, pupils, rows)
        for k, offset in enumerate((3, 1, 0, -2)):
            rows["summatives"].append((self.next("sum"), s, class_id, subject_ids[k], term_id, "section",
                                       f"BSB {k + 1}", self.day(self.today + timedelta(days=offset))))

    def _lesson(self, s: int, class_id: int, subject: int, teacher: int, day: date, period: int,
                pupils: list[int], rows: Rows) -> None:
        rng = self.rng
        filled = rng.random() < (0.7 if day == self.today else 0.95)
        if not filled and day == self.today:
            return
        lesson_id = self.next("lesson")
        # Entered during the lesson's day; today's before the first planning pass of the bench.
        at = self.moment(datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                         + timedelta(hours=1 if day == self.today else 10))
        rows["journal_lessons"].append((lesson_id, s, class_id, subject, teacher, self.day(day), period,
                                        at if filled else None, at, 1))
        for pupil in rng.sample(pupils, MARKS_PER_LESSON):
            absent = rng.random() < 0.1
            grade = None if absent else rng.choice((2, 3, 4, 5))
            rows["journal_marks"].append((self.next("mark"), lesson_id, pupil, "absent" if absent else "present",
                                          grade, "regular", at, 1))


def batches(schools: int, today: date, history_days: int, seed: int, *, day: Callable = lambda d: d,
            moment: Callable = lambda m: m, marks_per_batch: int = 200_000) -> Iterator[Rows]:
    """The schools' rows, about `marks_per_batch` marks at a time."""
    gen = _Generator(today, history_days, seed, day, moment)
    rows: Rows = {table: [] for table in COLUMNS}
    for s in range(1, schools + 1):
        gen.school(s, rows)
        if len(rows["journal_marks"]) >= marks_per_batch:
            yield rows
            rows = {table: [] for table in COLUMNS}
    yield rows


def generate(path: Path, schools: int, today: date, history_days: int, seed: int = 3) -> dict[str, int]:
    """Synthetic schools straight into SQLite (executemany); returns the rows per table."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA journal_mode=WAL")
    counts = dict.fromkeys(COLUMNS, 0)
    for rows in batches(schools, today, history_days, seed, day=date.isoformat, moment=ts):
        for table, values in rows.items():
            columns = COLUMNS[table]
            db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                           values)
            counts[table] += len(values)
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return counts


async def generate_postgres(dsn: str, schools: int, today: date, history_days: int, seed: int = 3) -> dict[str, int]:
    """The same rows into a migrated PostgreSQL database with COPY (asyncpg), sequences moved past them."""
    import asyncpg

    conn = await asyncpg.connect(dsn)
    counts = dict.fromkeys(COLUMNS, 0)
    try:
        for rows in batches(schools, today, history_days, seed):
            for table, values in rows.items():
                if values:
                    await conn.copy_records_to_table(table, records=values, columns=list(COLUMNS[table]))
                    counts[table] += len(values)
        for table, columns in COLUMNS.items():
            if columns[0] == "id":
                await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 1) FROM {table}))")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return counts
