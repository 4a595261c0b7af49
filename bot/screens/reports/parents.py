"""How parents use the bot, per class, worded (seed 001: the school reports on how parents and pupils use the
journal). Pupils have no accounts of their own in the bot: they see the journal through a parent's."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.screens.reports.common import made_line, num, share_text
from documents.report_files import Column, ColumnKind, ReportDocument, Section, Table
from domain.reports import Share
from storage.repositories.report_usage import ACTIVE_DAYS, ClassUse
from usecases.report_figures import ParentsReport


def _lines(use: ClassUse) -> list[str]:
    return [
        _("👪 Pupils with a parent in the bot: {share}").format(share=share_text(Share(use.with_parent, use.students))),
        _("📱 Parents active in the last {days} days: {share}").format(
            days=ACTIVE_DAYS, share=share_text(Share(use.active_parents, use.parents))),
    ]


def parents_text(report: ParentsReport) -> str:
    lines = [_("👪 Parents in the bot"), report.school.name, "", *_lines(report.total), ""]
    if not report.classes:
        return "\n".join([*lines, _("No classes in the school's lists yet.")])
    lines.append(_("By class:"))
    for name, use in report.classes[:40]:
        lines.append(_("• {klass}: {linked} of {pupils} pupils linked, {active} of {parents} parents active").format(
            klass=name, linked=num(use.with_parent), pupils=num(use.students), active=num(use.active_parents),
            parents=num(use.parents)))
    lines += ["", _("Pupils see the journal through a parent's account; they have none of their own.")]
    return "\n".join(lines)


def parents_document(report: ParentsReport) -> ReportDocument:
    def cells(name: str, use: ClassUse) -> list:
        return [name, use.students, use.with_parent, Share(use.with_parent, use.students).percent, use.parents,
                use.active_parents, Share(use.active_parents, use.parents).percent]

    table = Table(columns=[Column(_("Class"), width=1.4), Column(_("Pupils"), ColumnKind.INTEGER),
                           Column(_("With a parent in the bot"), ColumnKind.INTEGER, 1.4),
                           Column("%", ColumnKind.PERCENT),
                           Column(_("Parents"), ColumnKind.INTEGER),
                           Column(_("Active in the last {days} days").format(days=ACTIVE_DAYS), ColumnKind.INTEGER,
                                  1.4),
                           Column("%", ColumnKind.PERCENT)],
                  rows=[cells(name, use) for name, use in report.classes], total=cells(_("Total"), report.total))
    return ReportDocument(title=_("Parents in the bot"), lines=[report.school.name, made_line(report.today)],
                          sections=[Section(heading=_("By class"), paragraphs=[
                              _("Pupils see the journal through a parent's account; they have none of their own.")],
                              table=table)], footer=report.school.name)


def parents_file_title(report: ParentsReport) -> str:
    return _("Parents in the bot {school} {date}").format(school=report.school.name, date=report.today.isoformat())
