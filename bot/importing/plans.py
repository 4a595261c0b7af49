"""Certification plans (seed 002: plan and fact per region, in per cent): `python -m bot import plan FILE`.

One row per region, district or school: a row naming a school (school or school_id) sets that school's plan;
otherwise country and region (and district) set the area's. Regions must be in the country's list
(domain/countries.py, aliases accepted); a district takes the spelling its schools already use. Importing
the same file twice changes nothing; a plan is only replaced, never deleted, by an import."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.columns import PLANS
from bot.importing.lookup import SchoolFinder, apply_changes, school_or_report, seen_before, upsert
from bot.importing.places import canonical_region, district_spelling
from bot.importing.report import ImportReport
from bot.importing.spreadsheet import Row, Table, bind
from domain.tabular import parse_country, parse_int
from storage.models import AreaPlan

MAX_PLAN = 10_000_000


async def import_plans(session: AsyncSession, tables: list[Table], *, now: datetime) -> ImportReport:
    """Read plan rows and write them in `session`; the caller commits or rolls back."""
    report = ImportReport("plans")
    finder = await SchoolFinder.load(session)
    existing = {(p.country, p.region, p.district): p for p in await session.scalars(select(AreaPlan))}
    seen: dict[tuple[str, ...], Row] = {}
    for table in tables:
        bound = bind(table, PLANS, report, required=("plan",))
        if bound is None:
            continue
        has_school = bool({"school", "school_id"} & bound.columns)
        for row in bound.rows:
            plan = report.parse(row, "plan", lambda v: parse_int(v, low=0, high=MAX_PLAN))
            if plan is None:
                continue
            if has_school and (row.text("school") or row.text("school_id")):
                _school_plan(row, finder, plan, seen, report)
            else:
                _area_plan(session, row, finder, plan, existing, seen, report)
    await session.flush()
    return report


def _once(key: tuple[str, ...], row: Row, seen: dict[tuple[str, ...], Row], report: ImportReport) -> bool:
    if (earlier := seen_before(seen, key, row)) is not None:
        report.error(row, f"the same plan as on row {earlier.number}", "plan")
        return False
    return True


def _school_plan(row: Row, finder: SchoolFinder, plan: int, seen: dict, report: ImportReport) -> None:
    school = school_or_report(row, finder, report, has_school_column=True)
    if school is None or not _once(("school", str(school.id)), row, seen, report):
        return
    report.tally("school plans", "updated" if apply_changes(school, {"teachers_planned": plan}) else "unchanged")


def _area_plan(session: AsyncSession, row: Row, finder: SchoolFinder, plan: int, existing: dict, seen: dict,
               report: ImportReport) -> None:
    country = report.parse(row, "country", parse_country)
    if not row.has("region"):
        report.error(row, "a plan row names a school, or a region (and district)", "region")
        return
    if country is None:
        return
    try:
        region = canonical_region(country, row.text("region"))
    except ValueError as exc:
        report.error(row, str(exc), "region")
        return
    district = district_spelling(row.text("district"), finder.districts(country, region)) if row.has(
        "district") else ""
    key = (country, region, district)
    if not _once(key, row, seen, report):
        return
    existing[key] = upsert(session, report, "region and district plans", existing.get(key), {"planned": plan},
                           partial(AreaPlan, country=country, region=region, district=district))
