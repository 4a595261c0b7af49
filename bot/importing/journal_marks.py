"""A journal row's mark: attendance (with its reason), kind and grade, or a summative's points over a maximum
(Kazakhstan's СОР/СОЧ, read as "17/20" or as a per cent); every wrong cell reported with its row."""

from __future__ import annotations

from dataclasses import dataclass

from bot.importing.report import ImportReport
from bot.importing.spreadsheet import Row
from domain.grading import MarkKind, is_percent_kind, parse_kind, parse_score, score_percent
from domain.tabular import cell_text, is_attendance_word, parse_attendance, parse_int, parse_reason

EXCUSES = ("illness", "family", "other")
ABSENT = ("absent", "excused")


@dataclass
class MarkLine:
    row: Row
    attendance: str
    reason: str | None
    grade: int | None
    kind: str
    points: int | None = None
    max_points: int | None = None


def read_mark(row: Row, report: ImportReport, country: str) -> MarkLine | None:
    """The row's attendance, reason, grade and kind; None for a row about the lesson only (or a wrong one)."""
    raw_attendance, raw_grade = row.raw("attendance"), row.raw("grade")
    if raw_attendance is None and raw_grade is not None and is_attendance_word(raw_grade):
        raw_attendance, raw_grade = raw_grade, None  # "н" in the grade column, as many journals write it
    if not row.has("student") and raw_attendance is None and raw_grade is None:
        return None
    before = len(report.errors)
    attendance, reason = _read_attendance(row, report, raw_attendance)
    kind = _read_kind(row, report)
    grade, score = _read_grade(row, report, raw_grade, is_percent_kind(country, kind))
    if grade is not None and attendance in ABSENT:
        report.error(row, "a grade for an absent student", "grade")
    if len(report.errors) > before:
        return None
    points, maximum = score if score is not None else (None, None)
    return MarkLine(row, attendance, reason, grade, str(kind), points, maximum)


def _read_attendance(row: Row, report: ImportReport, raw_attendance: object) -> tuple[str, str | None]:
    """The attendance (present unless written; absent for an excusing reason is excused) and the reason."""
    attendance = "present"
    try:
        attendance = parse_attendance(raw_attendance)  # may have come from the grade column
    except ValueError as exc:
        report.error(row, str(exc), "attendance")
    reason = parse_reason(row.raw("reason"))
    if attendance == "absent" and reason in EXCUSES:
        attendance = "excused"
    return attendance, reason


def _read_kind(row: Row, report: ImportReport) -> MarkKind:
    try:
        return parse_kind(row.raw("kind"))
    except ValueError:
        report.error(row, f"unknown kind “{row.text('kind')}” (regular, section or term; BSB, ChSB, СОР, СОЧ, "
                          "БЖБ, ТЖБ)", "kind")
        return MarkKind.REGULAR


def _read_grade(row: Row, report: ImportReport, raw_grade: object,
                percent: bool) -> tuple[int | None, tuple[int, int] | None]:
    """The grade and, for a summative scored in points or per cent, (points, maximum); errors reported."""
    if raw_grade is None:
        return None, None
    if percent:
        try:
            score = parse_score(cell_text(raw_grade))
            return score_percent(*score), score
        except ValueError:
            report.error(row, f"“{cell_text(raw_grade)}” is not a summative result: points over the maximum "
                              "(17/20) or a per cent (85, 85%)", "grade")
            return None, None
    try:
        return parse_int(cell_text(raw_grade).removesuffix("%").strip()), None
    except ValueError as exc:
        report.error(row, str(exc), "grade")
        return None, None
