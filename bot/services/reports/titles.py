"""File names a head understands, in the reader's language (not `sheet-1-1-T2.pdf`): a translated title made
safe for a file name by `documents.report_files.safe_file_name`."""

from __future__ import annotations

from datetime import date

from aiogram.utils.i18n import gettext as _

from bot.services.reports.common import SchoolScope, term_label
from storage.models import School


def certification_file_title(school: School, today: date) -> str:
    return _("Certification {school} {date}").format(school=school.name, date=today.isoformat())


def area_file_title(title: str, today: date) -> str:
    return _("Certification {area} {date}").format(area=title, date=today.isoformat())


def journal_file_title(scope: SchoolScope) -> str:
    return _("Journal quality {school} {term}").format(school=scope.school.name, term=term_label(scope.term))


def decree_file_title(scope: SchoolScope) -> str:
    return _("Decree 263 {school} {term}").format(school=scope.school.name, term=term_label(scope.term))
