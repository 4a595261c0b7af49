"""The one clock: use cases, jobs and screens take `now` from it, so tests move time instead of rewriting
deadlines in the database. The dispatcher, the scheduler and the web app each get the app's clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that stands still until moved: `clock.advance(minutes=46)`."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


SYSTEM_CLOCK = SystemClock()
