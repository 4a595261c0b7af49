"""The reports' chat screens: the entry (a choice of schools or areas), a school's home, each report with its
file and term buttons, the class list, a supervisor's area. Pure: a view model in, (text, keyboard) out."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.keyboards.common import MenuCB, nav_row
from bot.keyboards.reports import AreaCB, Fmt, ReportCB, View
from bot.screens.reports.certification import area_text, area_title, certification_text, group_label
from bot.screens.reports.common import period_line
from bot.screens.reports.decree import decree_text
from bot.screens.reports.journal import journal_text
from bot.screens.reports.parents import parents_text
from bot.screens.reports.sheet import sheet_text
from domain.reports import AreaLevel, TermSpan
from usecases.report_figures import (
    DecreeReport,
    JournalReport,
    ParentsReport,
    SchoolCertificationReport,
    SheetReport,
)
from usecases.reports import AreaView, ClassList, ReportsHome, SchoolHome, SchoolReport

Screen = tuple[str, InlineKeyboardMarkup]
MAIN_MENU = MenuCB(to="main").pack()


def reports_home_screen(home: ReportsHome) -> Screen:
    if home.area is not None:
        return area_screen(home.area)
    if home.school is not None:
        return school_home_screen(home.school)
    kb = InlineKeyboardBuilder()
    if home.areas:
        for area in home.areas:
            kb.button(text=area_title(area, area.region, area.district), callback_data=AreaCB(a=area.id))
        kb.adjust(1)
        return _("📊 Reports. Choose the area:"), nav_row(kb).as_markup()
    if home.schools:
        for school in home.schools:
            kb.button(text=school.name, callback_data=ReportCB(v=View.home, s=school.id))
        kb.adjust(1)
        return _("📊 Reports. Choose the school:"), nav_row(kb).as_markup()
    return (_("Reports are for school heads and deputies, and for district and regional methodists. "
              "The school's staff list or the bot's administrator gives this role."), nav_row(kb).as_markup())


def school_home_screen(home: SchoolHome) -> Screen:
    school = home.school
    kb = InlineKeyboardBuilder()
    kb.button(text=_("🎓 Certification"), callback_data=ReportCB(v=View.cert, s=school.id))
    kb.button(text=_("📒 Journal quality"), callback_data=ReportCB(v=View.journal, s=school.id))
    if home.decree_offered:
        kb.button(text=_("⚖️ Decree 263 score"), callback_data=ReportCB(v=View.decree, s=school.id))
    kb.button(text=_("📋 Term sheets"), callback_data=ReportCB(v=View.classes, s=school.id))
    kb.button(text=_("👪 Parents in the bot"), callback_data=ReportCB(v=View.parents, s=school.id))
    kb.adjust(1)
    return "\n".join([_("📊 Reports"), school.name, period_line(home.scope)]), nav_row(kb, back=MAIN_MENU).as_markup()


def file_buttons(kb: InlineKeyboardBuilder, cb: ReportCB | AreaCB, *, chart: bool = False) -> None:
    row = [InlineKeyboardButton(text=_("📄 PDF"), callback_data=cb.model_copy(update={"f": Fmt.pdf}).pack()),
           InlineKeyboardButton(text=_("📊 XLSX"), callback_data=cb.model_copy(update={"f": Fmt.xlsx}).pack())]
    if chart:
        row.append(InlineKeyboardButton(text=_("📈 Chart"),
                                        callback_data=cb.model_copy(update={"f": Fmt.png}).pack()))
    kb.row(*row)


def term_buttons(kb: InlineKeyboardBuilder, cb: ReportCB, terms: list[TermSpan], chosen: TermSpan | None) -> None:
    if len(terms) < 2:
        return
    kb.row(*[InlineKeyboardButton(
        text=("✓ " if chosen and t.id == chosen.id else "") + _("Term {number}").format(number=t.number),
        callback_data=cb.model_copy(update={"t": t.id, "f": Fmt.chat}).pack()) for t in terms])


#: Each report's chat text, and whether it offers a chart and a choice of term.
TEXTS = {SchoolCertificationReport: (certification_text, False, False), JournalReport: (journal_text, True, True),
         DecreeReport: (decree_text, False, True), SheetReport: (sheet_text, False, True),
         ParentsReport: (parents_text, False, False)}


def school_report_screen(report: SchoolReport, cb: ReportCB) -> Screen:
    """A report in chat, with its file buttons (and the terms of the year where the report has a term)."""
    text, chart, terms = TEXTS[type(report)]
    kb = InlineKeyboardBuilder()
    file_buttons(kb, cb, chart=chart)
    if terms:
        term_buttons(kb, cb, report.scope.year_terms, report.scope.term)
    back = ReportCB(v=View.classes, s=cb.s, t=cb.t) if isinstance(report, SheetReport) else ReportCB(v=View.home,
                                                                                                    s=cb.s)
    return text(report), nav_row(kb, back=back.pack()).as_markup()


def classes_screen(page: ClassList) -> Screen:
    school, term = page.school, page.term_id
    kb = InlineKeyboardBuilder()
    for klass in page.classes:
        kb.button(text=klass.name, callback_data=ReportCB(v=View.sheet, s=school.id, c=klass.id, t=term))
    kb.adjust(4)
    if page.pages > 1:
        at, pages = page.page, page.pages
        kb.row(*[InlineKeyboardButton(text=text, callback_data=ReportCB(v=View.classes, s=school.id, t=term,
                                                                        p=p).pack())
                 for text, p in (("◀️", (at - 1) % pages), (f"{at + 1}/{pages}", at), ("▶️", (at + 1) % pages))])
    text = _("📋 Term sheets: choose the class.") if page.any_class else _("No classes in the school's lists yet.")
    back = ReportCB(v=View.home, s=school.id).pack()
    return "\n".join([text, school.name]), nav_row(kb, back=back).as_markup()


def area_screen(view: AreaView) -> Screen:
    area, report = view.area, view.report
    cb = AreaCB(a=area.id, l=view.level, s=view.sample.id if view.sample else 0)
    kb = InlineKeyboardBuilder()
    if report.level is not AreaLevel.SCHOOL:
        next_level = 1 if report.level is AreaLevel.REGION else 2
        for row in report.rows[:40]:
            if row.key:
                kb.button(text=group_label(row), callback_data=AreaCB(a=area.id, l=next_level, s=row.sample_school_id))
        kb.adjust(2)
    file_buttons(kb, cb, chart=True)
    back = MAIN_MENU
    if view.level == 2 and area.region is None:
        back = AreaCB(a=area.id, l=1, s=cb.s).pack()
    elif view.level >= 1:
        back = AreaCB(a=area.id).pack()
    return area_text(report), nav_row(kb, back=back).as_markup()
