"""Course and certification as plan and fact (seed 002): each member of a school's pedagogical staff and how
far they got; schools grouped by region or district for a supervisor, each group against its own plan.

- plan: a number set per school, district or region (imported), else the school's whole pedagogical staff
  (teachers, heads and deputies: everyone on its roster); fact may exceed it, and shares are not capped.
- started: linked to a user who opened the course or an exam; passed: a passed exam; certificate received
  by the head: sent to the head.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from domain.shares import Share


@dataclass(frozen=True)
class TeacherStatus:
    """One member of the school's pedagogical staff (a roster row) and how far they got."""

    staff_id: int
    name: str
    user_id: int | None
    started: bool
    passed: bool
    sent_to_head: bool


@dataclass(frozen=True)
class CertificationCounts:
    planned: int = 0
    started: int = 0
    passed: int = 0
    sent_to_head: int = 0

    def __add__(self, other: CertificationCounts) -> CertificationCounts:
        return CertificationCounts(self.planned + other.planned, self.started + other.started,
                                   self.passed + other.passed, self.sent_to_head + other.sent_to_head)

    @property
    def started_share(self) -> Share:
        return Share(self.started, self.planned)

    @property
    def passed_share(self) -> Share:
        return Share(self.passed, self.planned)

    @property
    def sent_share(self) -> Share:
        return Share(self.sent_to_head, self.planned)


def certification_counts(teachers: Iterable[TeacherStatus]) -> CertificationCounts:
    """Counts of a roster. Passing implies starting, so a teacher who passed counts as started too."""
    planned = started = passed = sent = 0
    for t in teachers:
        planned += 1
        started += t.started or t.passed or t.sent_to_head
        passed += t.passed or t.sent_to_head
        sent += t.sent_to_head
    return CertificationCounts(planned, started, passed, sent)


def not_started(teachers: Iterable[TeacherStatus]) -> list[TeacherStatus]:
    return sorted((t for t in teachers if not (t.started or t.passed or t.sent_to_head)), key=lambda t: t.name)


@dataclass(frozen=True)
class SchoolCertification:
    """A school's counts, with where it is: what a supervisor sees (no person's name)."""

    school_id: int
    name: str
    region: str | None
    district: str | None
    counts: CertificationCounts


class AreaLevel(StrEnum):
    """How a supervisor's schools are grouped: by region, by district, or one row per school."""

    REGION = "region"
    DISTRICT = "district"
    SCHOOL = "school"


def group_level(region: str | None, district: str | None) -> AreaLevel:
    """A country-wide view groups by region, a region's by district, a district's lists schools."""
    if region is None:
        return AreaLevel.REGION
    if district is None:
        return AreaLevel.DISTRICT
    return AreaLevel.SCHOOL


@dataclass(frozen=True)
class GroupRow:
    key: str  # the region or district name, or the school's id as text
    label: str
    counts: CertificationCounts
    schools: int
    sample_school_id: int  # any school of the group: callback data names a group by one of its schools
    area_plan: bool = False  # the plan is the region's or district's own, not the sum of its schools'


def with_plan(counts: CertificationCounts, plan: int | None) -> CertificationCounts:
    """The counts measured against a plan set for the area (None: keep the schools' own plans)."""
    return counts if plan is None else replace(counts, planned=plan)


def group_certification(schools: Iterable[SchoolCertification], level: AreaLevel,
                        plans: Mapping[str, int] | None = None) -> list[GroupRow]:
    """Rows side by side for a supervisor, ordered by name (a missing region or district sorts last).

    `plans` are the plans set for regions or districts (by name, at this level); a group without one is
    measured against the sum of its schools' plans."""
    plans = plans or {}
    acc: dict[str, list[SchoolCertification]] = defaultdict(list)
    for school in schools:
        if level is AreaLevel.REGION:
            key = school.region or ""
        elif level is AreaLevel.DISTRICT:
            key = school.district or ""
        else:
            key = str(school.school_id)
        acc[key].append(school)
    rows = []
    for key, members in acc.items():
        total = sum((m.counts for m in members), CertificationCounts())
        label = members[0].name if level is AreaLevel.SCHOOL else key
        plan = plans.get(key) if key and level is not AreaLevel.SCHOOL else None
        rows.append(GroupRow(key=key, label=label, counts=with_plan(total, plan), schools=len(members),
                             sample_school_id=min(m.school_id for m in members), area_plan=plan is not None))
    return sorted(rows, key=lambda r: (r.label == "", r.label.casefold(), r.sample_school_id))
