"""What an import did, or why it did nothing: row-level errors and warnings, counts per kind of record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

ACTIONS = ("created", "updated", "unchanged", "removed")


class Located(Protocol):
    table: str
    number: int


class Cells(Located, Protocol):
    def raw(self, column: str) -> Any: ...

    def has(self, column: str) -> bool: ...


@dataclass(frozen=True)
class Problem:
    table: str  # sheet name; "" for a CSV file
    row: int | None  # as the spreadsheet shows it (header = row 1)
    column: str | None
    message: str

    def __str__(self) -> str:
        place = [self.table] if self.table else []
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.column:
            place.append(self.column)
        return f"{', '.join(place)}: {self.message}" if place else self.message


@dataclass
class ImportReport:
    what: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, where: Located | str, message: str, column: str | None = None) -> None:
        self.errors.append(_problem(where, message, column))

    def parse(self, row: Cells, column: str, parse: Callable[[Any], T], *, optional: bool = False) -> T | None:
        """A cell parsed, or None with the parser's complaint recorded as this row's error.
        `optional`: an empty cell is None and no error."""
        if optional and not row.has(column):
            return None
        try:
            return parse(row.raw(column))
        except ValueError as exc:
            self.error(row, str(exc), column)
            return None

    def warn(self, where: Located | str, message: str, column: str | None = None) -> None:
        problem = _problem(where, message, column)
        if problem not in self.warnings:
            self.warnings.append(problem)

    def sorted_errors(self) -> list[Problem]:
        """Errors sheet by sheet (in the order met), row by row."""
        order = {table: i for i, table in enumerate(dict.fromkeys(p.table for p in self.errors))}
        return sorted(self.errors, key=lambda p: (order[p.table], p.row or 0))

    def tally(self, entity: str, action: str, n: int = 1) -> None:
        self.counts.setdefault(entity, Counter())[action] += n

    def summary(self) -> list[str]:
        """One line per kind of record: 'students: 12 (10 created, 2 updated)'."""
        lines = []
        for entity, counter in self.counts.items():
            parts = [f"{counter[a]} {a}" for a in ACTIONS if counter[a]]
            lines.append(f"{entity}: {sum(counter.values())} ({', '.join(parts)})")
        return lines

    def render(self, source: str) -> str:
        if self.errors:
            head = (f"{source}: {len(self.errors)} error(s); nothing was imported. "
                    "Fix these rows and run the import again:")
            body = [f"  {p}" for p in self.sorted_errors()]
        else:
            head = f"{source}: {self.what} imported."
            body = [f"  {line}" for line in self.summary()] or ["  (no rows)"]
        if self.warnings:
            body += ["warnings:"] + [f"  {p}" for p in self.warnings]
        return "\n".join([head, *body])


def _problem(where: Located | str, message: str, column: str | None) -> Problem:
    if isinstance(where, str):
        return Problem(where, None, column, message)
    return Problem(where.table, where.number, column, message)
