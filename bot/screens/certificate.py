"""The certificate's screens, from usecases/certificate.py's views, and its PDF in the user's language: the
page, its file name and the captions it is sent with (to the teacher, to the school head)."""

from __future__ import annotations

import re
from functools import cache

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.courses import course_title
from bot.formatting import fmt_date, fmt_percent
from bot.keyboards.common import nav_row
from bot.keyboards.learning import CertAct, CertCB, ExamAct, ExamCB
from documents.certificate_pdf import CertificateRenderer
from domain.certificates import CertificateData, CertificateLabels, format_verify_code
from usecases.certificate import (
    AskName,
    CertificatePrint,
    CertificateView,
    ConfirmName,
    IssuedCertificate,
    NeedsExam,
)

Screen = tuple[str, InlineKeyboardMarkup]


def certificate_screen(view: CertificateView) -> Screen:
    """The screen of any certificate view."""
    return _SCREENS[type(view)](view)


def issued_screen(view: IssuedCertificate) -> Screen:
    body = _("🎓 Certificate No. {number}\n{name}\nResult: {score} · issued {date}\nCheck code: {code}").format(
        number=view.number, name=view.holder_name, score=fmt_percent(view.percent), date=fmt_date(view.issued_on),
        code=format_verify_code(view.verify_code))
    if view.sent_on is not None:
        body += "\n" + _("Sent to the school head on {date}.").format(date=fmt_date(view.sent_on))
    kb = InlineKeyboardBuilder()
    kb.button(text=_("📄 Get the PDF"), callback_data=CertCB(a=CertAct.pdf, k=view.course_id))
    kb.button(text=_("📤 Send to the school head"), callback_data=CertCB(a=CertAct.send, k=view.course_id))
    kb.adjust(1)
    return body, nav_row(kb).as_markup()


def needs_exam_screen(view: NeedsExam) -> Screen:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("📝 Exam"), callback_data=ExamCB(a=ExamAct.home, k=view.course_id))
    return _("The certificate is issued once the exam is passed."), nav_row(kb).as_markup()


def ask_name_screen(_view: AskName) -> Screen:
    return (_("Write your full name as it should appear on the certificate: surname, first name and patronymic."),
            menu_only())


def confirm_name_screen(view: ConfirmName) -> Screen:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✅ Yes, issue the certificate"), callback_data=CertCB(a=CertAct.confirm, k=view.course_id))
    kb.button(text=_("✏️ Change the name"), callback_data=CertCB(a=CertAct.name, k=view.course_id))
    kb.adjust(1)
    return (_("The certificate will say:\n\n{name}\n\nIs your name written correctly?").format(name=view.name),
            nav_row(kb).as_markup())


def menu_only() -> InlineKeyboardMarkup:
    return nav_row(InlineKeyboardBuilder()).as_markup()


@cache
def renderer() -> CertificateRenderer:
    """Fonts parsed once per process."""
    return CertificateRenderer()


def verify_link(bot_username: str | None, code: str) -> str | None:
    return f"https://t.me/{bot_username}?start=verify_{code}" if bot_username else None


def certificate_pdf(doc: CertificatePrint, bot_username: str | None) -> bytes:
    """Rendered in the current i18n locale (the caller sets the holder's, or the head's, language)."""
    data = CertificateData(
        holder_name=doc.holder_name, course_title=course_title(doc.course_id), score_percent=doc.percent,
        issued_on=doc.issued_on, school_name=doc.school_name, number=doc.number, verify_code=doc.verify_code,
        verify_url=verify_link(bot_username, doc.verify_code), issuer=doc.issuer, head_name=doc.head_name,
    )
    return renderer().render(data, _labels(doc))


def _labels(doc: CertificatePrint) -> CertificateLabels:
    return CertificateLabels(
        heading=_("CERTIFICATE"),
        # The lines above and below the name: worded so the name stays in the nominative in every language
        # (no case ending glued to it) and nothing needs the holder's gender (Russian: no "сдал(а)").
        awarded_to=_("This certificate confirms that"),
        for_completing=_("has successfully passed the final exam of the course"),
        score_line=_("Result: {score}").format(score=fmt_percent(doc.percent)),
        date_line=_("Issued on {date}").format(date=fmt_date(doc.issued_on)),
        school_line=_("School: {school}").format(school=doc.school_name) if doc.school_name else "",
        number_line=_("Certificate No. {number}").format(number=doc.number),
        verify_line=_("Check it: send /verify {code} to the bot").format(code=format_verify_code(doc.verify_code)),
        issuer_line=_("Issued by: {issuer}").format(issuer=doc.issuer) if doc.issuer else "",
        signature_caption=_("School head"),
        seal_caption=_("Place for the seal"),
    )


def certificate_filename(number: str) -> str:
    """The PDF's file name in the current language ("Сертификат_MB-2026-000001.pdf"), of letters, digits,
    "-", "_" and "." only: a run of anything else a translation brings (a space, a slash) becomes one "_"."""
    name = _("Certificate_{number}.pdf").format(number=number)
    name = re.sub(r"[^\w.-]+", "_", name).strip("._") or number
    return name if name.lower().endswith(".pdf") else name + ".pdf"


def holder_caption(doc: CertificatePrint) -> str:
    return _("🎓 {course}\n{name} · {score} · No. {number}").format(
        course=course_title(doc.course_id), name=doc.holder_name, score=fmt_percent(doc.percent), number=doc.number)


def head_caption(doc: CertificatePrint) -> str:
    return _("{teacher} sent you their certificate.\n{course}\nResult: {score} · No. {number}\n"
             "Check: /verify {code}").format(
        teacher=doc.holder_name, course=course_title(doc.course_id), score=fmt_percent(doc.percent),
        number=doc.number, code=format_verify_code(doc.verify_code))


_SCREENS = {IssuedCertificate: issued_screen, NeedsExam: needs_exam_screen, AskName: ask_name_screen,
            ConfirmName: confirm_name_screen}
