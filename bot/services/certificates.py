"""Certificate PDFs in the holder's language, and sending one to the school head."""

from __future__ import annotations

from functools import cache

from aiogram.utils.i18n import gettext as _

from bot.courses import course_title
from bot.formatting import fmt_date, fmt_percent
from domain.certificate_pdf import CertificateRenderer
from domain.certificates import CertificateData, CertificateLabels, format_verify_code
from storage.models import Certificate, School


@cache
def renderer() -> CertificateRenderer:
    """Fonts parsed once per process."""
    return CertificateRenderer()


def verify_link(bot_username: str | None, code: str) -> str | None:
    return f"https://t.me/{bot_username}?start=verify_{code}" if bot_username else None


def certificate_pdf(cert: Certificate, school: School | None, bot_username: str | None) -> bytes:
    """Render in the current i18n locale (the caller sets the holder's language)."""
    data = CertificateData(
        holder_name=cert.holder_name, course_title=course_title(cert.course_id), score_percent=cert.percent,
        issued_on=cert.issued_at.date(), school_name=school.name if school else None, number=cert.number,
        verify_code=cert.verify_code, verify_url=verify_link(bot_username, cert.verify_code),
    )
    code = format_verify_code(cert.verify_code)
    labels = CertificateLabels(
        heading=_("CERTIFICATE"),
        awarded_to=_("This certificate is awarded to"),
        for_completing=_("for successfully passing the final exam of the course"),
        score_line=_("Result: {score}").format(score=fmt_percent(cert.percent)),
        date_line=_("Issued on {date}").format(date=fmt_date(cert.issued_at.date())),
        school_line=_("School: {school}").format(school=school.name) if school else "",
        number_line=_("Certificate No. {number}").format(number=cert.number),
        verify_line=_("Check it: send /verify {code} to the bot").format(code=code),
    )
    return renderer().render(data, labels)


def certificate_filename(cert: Certificate) -> str:
    return f"certificate-{cert.number}.pdf"
