"""Uzbekistan's decree No. 263, table 4 (seed 000), worded, for Uzbek schools only.

Every figure says how it was reached, and which part is the decree's rule (the points of each indicator) and
which the bot's reading (how a share of the data becomes points: the decree gives no formula); see
domain/decree_263.py."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from bot.formatting import babel_locale
from bot.screens.reports.common import (
    dec,
    made_line,
    num,
    pct,
    period_line,
    share_text,
    summative_names,
    term_label,
    term_summative_name,
)
from documents.report_files import Column, ColumnKind, ReportDocument, Section, Table
from domain.decree_263 import (
    AUTHENTICITY_MAX,
    AUTHENTICITY_RESULTS_MAX,
    CRITERION_MAX,
    PORTFOLIO_MAX,
    TIMELY_MAX,
    USE_MAX,
    GradeStats,
)
from domain.reports import Share
from usecases.report_figures import DecreeReport


def _points(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.0", locale=babel_locale())


def _how(maximum: float, share: Share, points: float | None) -> str:
    if share.ratio is None:
        return _("no data yet: 0 points counted")
    return _("{maximum} × {share} = {points}").format(maximum=dec(maximum, 1), share=pct(share.percent),
                                                      points=_points(points))


def bot_reading(how: str) -> str:
    """Labels a formula as the bot's: the decree gives each indicator's points, not how to count them."""
    return _("the bot's reading (the decree gives the points, not how to count them): {how}").format(how=how)


def _stats_line(label: str, stats: GradeStats) -> str:
    if not stats.count:
        return _("{label}: none yet").format(label=label)
    spread = ", ".join(f"«{g}» {num(n)}" for g, n in sorted(stats.distribution.items(), reverse=True))
    return _("{label}: {count}, mean {mean} ({spread})").format(label=label, count=num(stats.count),
                                                                mean=dec(stats.mean), spread=spread)


def authenticity_inputs(report: DecreeReport) -> list[str]:
    i, term_name = report.inputs, term_summative_name(report.country)
    return [_stats_line(_("{name} results").format(name=term_name), i.chsb),
            _stats_line(_("Term grades"), i.term_grades), _stats_line(_("Everyday grades"), i.regular)]


def criterion_line(report: DecreeReport) -> str:
    return _("Table 4 gives {total} points: authenticity of the {name} results {authenticity} (10, and 5 for "
             "portfolios and analysis); use of e-Maktab {use} (5 for entering results on time, 5 for effective "
             "use).").format(total=dec(CRITERION_MAX, 0), name=term_summative_name(report.country),
                             authenticity=dec(AUTHENTICITY_MAX, 0), use=dec(TIMELY_MAX + USE_MAX, 0))


def decree_lines(report: DecreeReport) -> list[str]:
    i, s = report.inputs, report.score
    names, term_name = summative_names(report.country), term_summative_name(report.country)
    return [
        _("1) Timely entry of {names}: {points} of {maximum}").format(names=names, points=_points(s.timely),
                                                                      maximum=dec(TIMELY_MAX, 0)),
        "   " + _("entered by the due date: {share}").format(share=share_text(i.summatives)),
        "   " + bot_reading(_how(TIMELY_MAX, i.summatives, s.timely)),
        _("2) Effective use of the platform: {points} of {maximum}").format(points=_points(s.use),
                                                                            maximum=dec(USE_MAX, 0)),
        "   " + _("summative materials used (results entered): {share}").format(share=share_text(i.materials)),
        "   " + bot_reading(_how(USE_MAX / 2, i.materials, s.materials)),
        "   " + _("teachers who passed the assessment course: {share}").format(share=share_text(i.course)),
        "   " + bot_reading(_how(USE_MAX / 2, i.course, s.course)),
        _("3) Authenticity of the {names} results: … of {maximum}, for the head to judge").format(
            names=term_name, maximum=dec(AUTHENTICITY_RESULTS_MAX, 0)),
        *("   " + line for line in authenticity_inputs(report)),
        _("4) {name} portfolios kept and results analysed: … of {maximum}, for the head to judge (not kept in the "
          "bot)").format(name=term_name, maximum=dec(PORTFOLIO_MAX, 0)),
    ]


def decree_text(report: DecreeReport) -> str:
    return "\n".join([
        _("⚖️ Decree No. 263, table 4: assessment work"), report.scope.school.name, period_line(report.scope), "",
        _("Computed from the bot's data: {points} of {maximum}").format(
            points=_points(report.score.computed_total), maximum=dec(TIMELY_MAX + USE_MAX, 0)),
        criterion_line(report), "", *decree_lines(report)])


def _how_reached(label: str, share: Share, maximum: float, points: float | None) -> str:
    if not share.total:
        return _how(maximum, share, points)
    return f"{label}: {share_text(share)}; {bot_reading(_how(maximum, share, points))}"


def _points_rows(report: DecreeReport) -> list[list]:
    i, s = report.inputs, report.score
    names, term_name = summative_names(report.country), term_summative_name(report.country)
    return [
        [_("1. Timely entry of {names}").format(names=names),
         _how_reached(_("entered by the due date"), i.summatives, TIMELY_MAX, s.timely), s.timely, TIMELY_MAX],
        [_("2a. Summative materials used"),
         _how_reached(_("results entered"), i.materials, USE_MAX / 2, s.materials), s.materials, USE_MAX / 2],
        [_("2b. Assessment course passed"),
         _how_reached(_("planned teachers"), i.course, USE_MAX / 2, s.course), s.course, USE_MAX / 2],
        [_("3. Authenticity of the {names} results").format(names=term_name), _("for the head to judge"), None,
         AUTHENTICITY_RESULTS_MAX],
        [_("4. {name} portfolios and analysis").format(name=term_name), _("for the head to judge"), None,
         PORTFOLIO_MAX],
    ]


def decree_document(report: DecreeReport) -> ReportDocument:
    table = Table(columns=[Column(_("Criterion"), width=2.6), Column(_("How it was reached"), width=4.6),
                           Column(_("Points"), ColumnKind.DECIMAL, 0.8), Column(_("Of"), ColumnKind.DECIMAL, 0.6)],
                  rows=_points_rows(report),
                  total=[_("Computed from the bot's data"), "", report.score.computed_total, TIMELY_MAX + USE_MAX])
    inputs = Section(heading=_("Inputs for the authenticity judgement"), sheet_name=_("Authenticity"), paragraphs=[
        *authenticity_inputs(report),
        _("Portfolios and their analysis (5 of the 15 points) are not kept in the bot."), "",
        _("Head: ______________   Score for authenticity: ____ of {maximum}").format(
            maximum=dec(AUTHENTICITY_MAX, 0))])
    return ReportDocument(
        title=_("Decree No. 263, table 4: assessment work"),
        lines=[report.scope.school.name, period_line(report.scope), made_line(report.scope.today)],
        sections=[Section(heading=_("Points"), sheet_name=_("Points"), paragraphs=[criterion_line(report)],
                          table=table), inputs],
        footer=report.scope.school.name)


def decree_file_title(report: DecreeReport) -> str:
    scope = report.scope
    return _("Decree 263 {school} {term}").format(school=scope.school.name, term=term_label(scope.term))
