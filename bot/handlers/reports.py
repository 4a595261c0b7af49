"""Reports for school heads and deputies (their school) and for district/regional supervisors (their area):
a short summary in chat with buttons, and the same report as PDF, XLSX or a PNG chart.

Every pressed id is checked against the user's own school or area; a forged one is refused and logged.
Supervisors see per-school figures only, never a teacher's or a student's name."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.enums import ChatAction
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.courses import MAIN_COURSE
from bot.keyboards.common import MenuCB, nav_row
from bot.keyboards.reports import AreaCB, ReportCB
from bot.services import reports as rs
from bot.services.roles import current_role
from bot.ui import chat_id_of, notify, show
from documents.report_files import ReportDocument
from domain.decree_263 import NotForThisCountry, applies_to
from domain.reports import AreaLevel, TermSpan
from domain.roles import Role
from storage.models import School, Supervisor, User
from storage.repositories import reports as repo

router = Router(name=__name__)
log = logging.getLogger(__name__)

CLASSES_PER_PAGE = 12
FILE_FORMATS = ("pdf", "xlsx", "png")


# --- entry --------------------------------------------------------------------------------------------


@router.message(Command("reports"))
async def reports_command(message: Message, session: AsyncSession, user: User) -> None:
    await reports_home(message, session, user)


@router.callback_query(MenuCB.filter(F.to == "reports"))
async def reports_button(query: CallbackQuery, session: AsyncSession, user: User) -> None:
    await reports_home(query, session, user)


async def reports_home(event: Message | CallbackQuery, session: AsyncSession, user: User) -> None:
    """The user's school (heads, deputies) or area (supervisors); a choice when there are several."""
    areas = await repo.supervisor_areas(session, user.id)
    schools = await repo.administered_schools(session, user.id)
    role = await current_role(session, user)
    if areas and (role is Role.SUPERVISOR or not schools):
        if len(areas) == 1:
            await show_area(event, session, areas[0], level=0, sample=None)
            return
        kb = InlineKeyboardBuilder()
        for area in areas:
            kb.button(text=rs.area_title(area, area.region, area.district), callback_data=AreaCB(a=area.id))
        kb.adjust(1)
        await show(event, _("📊 Reports. Choose the area:"), nav_row(kb).as_markup())
        return
    if schools:
        if len(schools) == 1:
            await show_school_home(event, session, schools[0])
            return
        kb = InlineKeyboardBuilder()
        for school in schools:
            kb.button(text=school.name, callback_data=ReportCB(v="home", s=school.id))
        kb.adjust(1)
        await show(event, _("📊 Reports. Choose the school:"), nav_row(kb).as_markup())
        return
    await show(event, _("Reports are for school heads and deputies, and for district and regional methodists. "
                        "The school's staff list or the bot's administrator gives this role."),
               nav_row(InlineKeyboardBuilder()).as_markup())


# --- a school's reports -------------------------------------------------------------------------------


async def own_school(session: AsyncSession, user: User, school_id: int) -> School | None:
    return next((s for s in await repo.administered_schools(session, user.id) if s.id == school_id), None)


def refuse(callback_answer: CallbackAnswer, user: User, what: str, value: object) -> None:
    log.warning("reports: user %s refused %s %s", user.id, what, value)
    notify(callback_answer, _("This report is not available to you."), alert=True)


async def show_school_home(event: Message | CallbackQuery, session: AsyncSession, school: School) -> None:
    scope = await rs.school_scope(session, school, datetime.now(UTC))
    kb = InlineKeyboardBuilder()
    kb.button(text=_("🎓 Certification"), callback_data=ReportCB(v="cert", s=school.id))
    kb.button(text=_("📒 Journal quality"), callback_data=ReportCB(v="jq", s=school.id))
    if applies_to(school.country):  # an Uzbek decree: offered to Uzbek schools only
        kb.button(text=_("⚖️ Decree 263 score"), callback_data=ReportCB(v="dec", s=school.id))
    kb.button(text=_("📋 Term sheets"), callback_data=ReportCB(v="cls", s=school.id))
    kb.button(text=_("👪 Parents in the bot"), callback_data=ReportCB(v="par", s=school.id))
    kb.adjust(1)
    await show(event, "\n".join([_("📊 Reports"), school.name, rs.period_line(scope)]),
               nav_row(kb, back=MenuCB(to="main").pack()).as_markup())


def file_buttons(kb: InlineKeyboardBuilder, cb: ReportCB | AreaCB, *, chart: bool = False) -> None:
    row = [InlineKeyboardButton(text=_("📄 PDF"), callback_data=cb.model_copy(update={"f": "pdf"}).pack()),
           InlineKeyboardButton(text=_("📊 XLSX"), callback_data=cb.model_copy(update={"f": "xlsx"}).pack())]
    if chart:
        row.append(InlineKeyboardButton(text=_("📈 Chart"), callback_data=cb.model_copy(update={"f": "png"}).pack()))
    kb.row(*row)


def term_buttons(kb: InlineKeyboardBuilder, cb: ReportCB, terms: list[TermSpan], chosen: TermSpan | None) -> None:
    if len(terms) < 2:
        return
    kb.row(*[InlineKeyboardButton(
        text=("✓ " if chosen and t.id == chosen.id else "") + _("Term {number}").format(number=t.number),
        callback_data=cb.model_copy(update={"t": t.id, "f": ""}).pack()) for t in terms])


@router.callback_query(ReportCB.filter())
async def school_report(query: CallbackQuery, callback_data: ReportCB, session: AsyncSession, user: User, bot: Bot,
                        callback_answer: CallbackAnswer) -> None:
    cb = callback_data
    school = await own_school(session, user, cb.s)
    if school is None:
        refuse(callback_answer, user, "school", cb.s)
        return
    if cb.f and cb.f not in FILE_FORMATS:
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)
        return
    if cb.v == "home":
        await show_school_home(query, session, school)
        return
    now = datetime.now(UTC)
    scope = await rs.school_scope(session, school, now, cb.t)
    back = ReportCB(v="home", s=school.id).pack()
    kb = InlineKeyboardBuilder()
    if cb.v == "cert":
        report = await rs.school_certification(session, school, MAIN_COURSE, scope.today)
        if cb.f:
            await send_file(query, bot, cb.f, rs.certification_file_title(school, scope.today),
                            lambda: rs.certification_document(report))
            return
        file_buttons(kb, cb)
        await show(query, rs.certification_text(report), nav_row(kb, back=back).as_markup())
    elif cb.v == "jq":
        journal = await rs.journal_report(session, scope)
        if cb.f:
            await send_file(query, bot, cb.f, rs.journal_file_title(scope), lambda: rs.journal_document(journal),
                            chart=lambda: rs.journal_chart(journal))
            return
        file_buttons(kb, cb, chart=True)
        term_buttons(kb, cb, scope.year_terms, scope.term)
        await show(query, rs.journal_text(journal), nav_row(kb, back=back).as_markup())
    elif cb.v == "dec":
        try:
            decree = await rs.decree_report(session, scope, MAIN_COURSE)
        except NotForThisCountry:
            log.warning("reports: user %s refused decree 263 for school %s (%s)", user.id, school.id, school.country)
            notify(callback_answer, _("The decree 263 score is for Uzbek schools only: decree No. 263 is "
                                      "Uzbekistan's."), alert=True)
            return
        if cb.f:
            await send_file(query, bot, cb.f, rs.decree_file_title(scope), lambda: rs.decree_document(decree))
            return
        file_buttons(kb, cb)
        term_buttons(kb, cb, scope.year_terms, scope.term)
        await show(query, rs.decree_text(decree), nav_row(kb, back=back).as_markup())
    elif cb.v == "cls":
        await show_classes(query, session, school, cb, back)
    elif cb.v == "sheet":
        klass = next((c for c in await repo.school_classes(session, school.id) if c.id == cb.c), None)
        if klass is None:
            refuse(callback_answer, user, "class", cb.c)
            return
        sheet = await rs.sheet_report(session, scope, klass)
        if cb.f:
            await send_file(query, bot, cb.f, rs.sheet_file_title(sheet), lambda: rs.sheet_document(sheet))
            return
        file_buttons(kb, cb)
        term_buttons(kb, cb, scope.year_terms, scope.term)
        await show(query, rs.sheet_text(sheet),
                   nav_row(kb, back=ReportCB(v="cls", s=school.id, t=cb.t).pack()).as_markup())
    elif cb.v == "par":
        parents = await rs.parents_report(session, school, now, scope.today)
        if cb.f:
            await send_file(query, bot, cb.f, rs.parents_file_title(parents), lambda: rs.parents_document(parents))
            return
        file_buttons(kb, cb)
        await show(query, rs.parents_text(parents), nav_row(kb, back=back).as_markup())
    else:
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)


async def show_classes(query: CallbackQuery, session: AsyncSession, school: School, cb: ReportCB, back: str) -> None:
    classes = await repo.school_classes(session, school.id)
    pages = max(1, -(-len(classes) // CLASSES_PER_PAGE))
    page = min(max(cb.p, 0), pages - 1)
    kb = InlineKeyboardBuilder()
    for klass in classes[page * CLASSES_PER_PAGE:(page + 1) * CLASSES_PER_PAGE]:
        kb.button(text=klass.name, callback_data=ReportCB(v="sheet", s=school.id, c=klass.id, t=cb.t))
    kb.adjust(4)
    if pages > 1:
        kb.row(*[InlineKeyboardButton(text=text, callback_data=ReportCB(v="cls", s=school.id, t=cb.t, p=p).pack())
                 for text, p in (("◀️", (page - 1) % pages), (f"{page + 1}/{pages}", page), ("▶️", (page + 1) % pages))])
    text = _("📋 Term sheets: choose the class.") if classes else _("No classes in the school's lists yet.")
    await show(query, "\n".join([text, school.name]), nav_row(kb, back=back).as_markup())


# --- files --------------------------------------------------------------------------------------------


async def send_file(query: CallbackQuery, bot: Bot, fmt: str, title: str, document: Callable[[], ReportDocument],
                    *, chart: Callable[[], bytes] | None = None) -> None:
    """Build the file off the event loop (with the upload action showing) and send it, named by `title` in
    the reader's language."""
    chat_id = chat_id_of(query)
    if fmt == "png":
        if chart is None:
            return
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
        png = await asyncio.to_thread(chart)
        await bot.send_photo(chat_id, BufferedInputFile(png, rs.file_name(title, "png")))
        return
    await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    doc = document()
    if fmt == "pdf":
        formats = rs.number_formats()
        data = await asyncio.to_thread(rs.render_pdf, doc, formats)
    else:
        data = await asyncio.to_thread(rs.render_xlsx, doc)
    caption = "\n".join([doc.title, *doc.lines[:1]])[:1000]
    await bot.send_document(chat_id, BufferedInputFile(data, rs.file_name(title, fmt)), caption=caption)


# --- a supervisor's area ------------------------------------------------------------------------------


def area_scope(area: Supervisor, level: int, sample: School | None) -> tuple[str | None, str | None]:
    """The region and district a view covers: the area's own, narrowed by the sample school's."""
    region = area.region if area.region is not None else (sample.region if sample and level >= 1 else None)
    district = area.district if area.district is not None else (sample.district if sample and level >= 2 else None)
    return region, district


async def show_area(event: Message | CallbackQuery, session: AsyncSession, area: Supervisor, *, level: int,
                    sample: School | None) -> None:
    region, district = area_scope(area, level, sample)
    if region is None and event.bot is not None:  # a whole country takes a second or two on SQLite
        await event.bot.send_chat_action(chat_id_of(event), ChatAction.TYPING)
    report = await rs.area_report(session, area, MAIN_COURSE, region=region, district=district,
                                  today=datetime.now(UTC).date())
    cb = AreaCB(a=area.id, l=level, s=sample.id if sample else 0)
    kb = InlineKeyboardBuilder()
    if report.level is not AreaLevel.SCHOOL:
        next_level = 1 if report.level is AreaLevel.REGION else 2
        for row in report.rows[:40]:
            if row.key:
                kb.button(text=rs.group_label(row),
                          callback_data=AreaCB(a=area.id, l=next_level, s=row.sample_school_id))
        kb.adjust(2)
    file_buttons(kb, cb, chart=True)
    back = None
    if level == 2 and area.region is None:
        back = AreaCB(a=area.id, l=1, s=cb.s).pack()
    elif level >= 1:
        back = AreaCB(a=area.id).pack()
    await show(event, rs.area_text(report), nav_row(kb, back=back or MenuCB(to="main").pack()).as_markup())


@router.callback_query(AreaCB.filter())
async def area_report(query: CallbackQuery, callback_data: AreaCB, session: AsyncSession, user: User, bot: Bot,
                      callback_answer: CallbackAnswer) -> None:
    cb = callback_data
    area = next((a for a in await repo.supervisor_areas(session, user.id) if a.id == cb.a), None)
    if area is None:
        refuse(callback_answer, user, "area", cb.a)
        return
    sample = None
    if cb.s:
        sample = await repo.school_in_area(session, area, cb.s)
        if sample is None:
            refuse(callback_answer, user, "school outside the area", cb.s)
            return
    level = min(max(cb.l, 0), 2)
    if not cb.f:
        await show_area(query, session, area, level=level, sample=sample)
        return
    if cb.f not in FILE_FORMATS:
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)
        return
    region, district = area_scope(area, level, sample)
    report = await rs.area_report(session, area, MAIN_COURSE, region=region, district=district,
                                  today=datetime.now(UTC).date())
    await send_file(query, bot, cb.f, rs.area_file_title(report.title, report.today),
                    lambda: rs.area_document(report), chart=lambda: rs.area_chart(report))
