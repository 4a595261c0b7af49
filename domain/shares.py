"""A share of a total, rounded as people round in reports: what every report's per cents are made of.
Never capped at 100 %: a fact above its plan shows as it is (seed 002: 240.7 %)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, digits: int = 1) -> float:
    """6.25 -> 6.3 (as people round in reports), not Python's 6.2."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Share:
    """`done` of `total`; `percent` has one decimal, None when there is nothing to count."""

    done: int
    total: int

    @property
    def percent(self) -> float | None:
        return round_half_up(100.0 * self.done / self.total) if self.total else None

    @property
    def ratio(self) -> float | None:
        return self.done / self.total if self.total else None
