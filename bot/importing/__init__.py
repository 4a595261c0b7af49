"""Spreadsheet imports: `python -m bot import roster|journal|calendar FILE.xlsx|csv`.

Each import reads every row first and reports every bad row with its number; it writes in one transaction
that is rolled back if anything was wrong, so a file is imported whole or not at all. Importing the same
file again changes nothing. The columns are documented in samples/README.md.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.importing.calendar import import_calendar
from bot.importing.journal import import_journal
from bot.importing.plans import import_plans
from bot.importing.report import ImportReport, Problem
from bot.importing.roster import import_roster
from bot.importing.spreadsheet import SpreadsheetError, Table, read_tables
from storage.db import create_engine, migrate, session_factory

log = logging.getLogger(__name__)

Importer = Callable[..., Awaitable[ImportReport]]

IMPORTERS: dict[str, Importer] = {
    "roster": import_roster,
    "journal": import_journal,
    "calendar": import_calendar,
    "plan": import_plans,
}

__all__ = ["IMPORTERS", "ImportReport", "import_file", "import_tables", "run_import"]


async def import_tables(session: AsyncSession, what: str, tables: list[Table], *, now: datetime) -> ImportReport:
    """Import into `session` and commit, or roll back everything if any row was wrong."""
    try:
        report = await IMPORTERS[what](session, tables, now=now)
    except SQLAlchemyError as exc:
        await session.rollback()
        log.exception("import of %s failed in the database", what)
        report = ImportReport(what)
        report.errors.append(Problem("", None, None, f"the database refused the data: {exc.__class__.__name__}: "
                                                     f"{str(exc).splitlines()[0][:300]}"))
        return report
    except BaseException:
        await session.rollback()
        raise
    if report.ok:
        await session.commit()
    else:
        await session.rollback()
    return report


async def import_file(session: AsyncSession, what: str, path: str | Path, *, now: datetime) -> ImportReport:
    """Read an .xlsx or .csv file and import it (see import_tables)."""
    try:
        tables = read_tables(path)
    except SpreadsheetError as exc:
        report = ImportReport(what)
        report.errors.append(Problem("", None, None, str(exc)))
        return report
    return await import_tables(session, what, tables, now=now)


async def run_import(settings: Settings, what: str, path: str, *, now: datetime) -> int:
    """The command line: migrate, import as of `now`, print a summary (stdout) or the row errors (stderr); 0 or 1."""
    if what not in IMPORTERS:
        print(f"unknown import “{what}”: use one of {', '.join(IMPORTERS)}", file=sys.stderr)
        return 1
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            report = await import_file(session, what, path, now=now)
    finally:
        await engine.dispose()
    print(report.render(path), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1
