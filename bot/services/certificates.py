"""Certificate PDFs in the holder's language, the school a certificate may name, and issuing one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.courses import course_title
from bot.formatting import fmt_date, fmt_percent
from domain.certificate_pdf import CertificateRenderer
from domain.certificates import CertificateData, CertificateLabels, format_verify_code
from storage.models import Certificate, School, User
from storage.repositories.certificates import issue_and_commit
from storage.repositories.schools import membership_of, school_heads


@cache
def renderer() -> CertificateRenderer:
    """Fonts parsed once per process."""
    return CertificateRenderer()


@dataclass(frozen=True)
class CertificateSchool:
    """The school a certificate names, and its head for the signature line."""

    school: School | None
    head_name: str | None = None


async def confirmed_school(session: AsyncSession, user: User) -> School | None:
    """The school the teacher's membership was confirmed in (a staff row linked by the roster's phone match,
    an invite code, the head's approval or the administrator's grant), or None.

    Never ``user.school_id``: a school picked from the list is only a request until the head approves it.
    """
    membership = await membership_of(session, user.id)
    staff = sorted(membership.staff, key=lambda s: s.id)
    return await session.get(School, staff[0].school_id) if staff else None


async def school_for(session: AsyncSession, school_id: int | None) -> CertificateSchool:
    """The school printed on a certificate, with the name of its head (not a deputy) when known."""
    if school_id is None:
        return CertificateSchool(None)
    school = await session.get(School, school_id)
    head = next((s for s in await school_heads(session, school_id) if s.position == "head"), None)
    return CertificateSchool(school, head.full_name if head else None)


async def issue_for(session: AsyncSession, user: User, *, attempt_id: int, percent: float, course_id: str,
                    issuer: str, now: datetime) -> tuple[Certificate, bool]:
    """Issue the teacher's certificate for a passed attempt and commit; True when this call made it."""
    school = await confirmed_school(session, user)
    return await issue_and_commit(session, user_id=user.id, attempt_id=attempt_id, course_id=course_id,
                                  holder_name=user.full_name or "", school_id=school.id if school else None,
                                  percent=percent, now=now, issuer=issuer or None)


def verify_link(bot_username: str | None, code: str) -> str | None:
    return f"https://t.me/{bot_username}?start=verify_{code}" if bot_username else None


def certificate_pdf(cert: Certificate, where: CertificateSchool, bot_username: str | None) -> bytes:
    """Render in the current i18n locale (the caller sets the holder's language)."""
    school = where.school
    data = CertificateData(
        holder_name=cert.holder_name, course_title=course_title(cert.course_id), score_percent=cert.percent,
        issued_on=cert.issued_at.date(), school_name=school.name if school else None, number=cert.number,
        verify_code=cert.verify_code, verify_url=verify_link(bot_username, cert.verify_code),
        issuer=cert.issuer, head_name=where.head_name if school else None,
    )
    code = format_verify_code(cert.verify_code)
    labels = CertificateLabels(
        heading=_("CERTIFICATE"),
        # Worded so the name stays in the nominative in every language (no case ending glued to it).
        awarded_to=_("This certificate confirms that"),
        for_completing=_("has successfully passed the final exam of the course"),
        score_line=_("Result: {score}").format(score=fmt_percent(cert.percent)),
        date_line=_("Issued on {date}").format(date=fmt_date(cert.issued_at.date())),
        school_line=_("School: {school}").format(school=school.name) if school else "",
        number_line=_("Certificate No. {number}").format(number=cert.number),
        verify_line=_("Check it: send /verify {code} to the bot").format(code=code),
        issuer_line=_("Issued by: {issuer}").format(issuer=cert.issuer) if cert.issuer else "",
        signature_caption=_("School head"),
        seal_caption=_("Place for the seal"),
    )
    return renderer().render(data, labels)


def certificate_filename(cert: Certificate) -> str:
    return f"certificate-{cert.number}.pdf"
