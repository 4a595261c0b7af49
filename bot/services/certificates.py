"""Certificate PDFs in the holder's language, the school a certificate may name, and issuing one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.courses import course_title
from bot.formatting import fmt_date, fmt_percent
from bot.services.clock import school_today
from documents.certificate_pdf import CertificateRenderer
from domain.certificates import CertificateData, CertificateLabels, format_verify_code
from domain.countries import rules_for
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
    #: Where the certificate's dates are read (see :func:`time_zone_for`).
    time_zone: str = str(rules_for(None).time_zone.value)


async def confirmed_school(session: AsyncSession, user: User) -> School | None:
    """The school the teacher's membership was confirmed in (a staff row linked by the roster's phone match,
    an invite code, the head's approval or the administrator's grant), or None.

    Never ``user.school_id``: a school picked from the list is only a request until the head approves it.
    """
    membership = await membership_of(session, user.id)
    staff = sorted(membership.staff, key=lambda s: s.id)
    return await session.get(School, staff[0].school_id) if staff else None


async def school_for(session: AsyncSession, cert: Certificate) -> CertificateSchool:
    """The school printed on a certificate, with the name of its head (not a deputy) when known."""
    time_zone = await time_zone_for(session, cert)
    if cert.school_id is None:
        return CertificateSchool(None, time_zone=time_zone)
    school = await session.get(School, cert.school_id)
    head = next((s for s in await school_heads(session, cert.school_id) if s.position == "head"), None)
    return CertificateSchool(school, head.full_name if head else None, time_zone)


async def time_zone_for(session: AsyncSession, cert: Certificate) -> str:
    """The time zone a certificate is dated in: its school's; without one, the country's of the school the
    holder picked (not confirmed, but it says where they are), else Uzbekistan's (``rules_for``'s default).

    A certificate issued at 00:30 in Tashkent is dated that day, not the day before as in UTC.
    """
    school = await session.get(School, cert.school_id) if cert.school_id else None
    if school is None:
        holder = await session.get(User, cert.user_id)
        school = await session.get(School, holder.school_id) if holder and holder.school_id else None
        return str(rules_for(school.country if school else None).time_zone.value)
    try:
        ZoneInfo(school.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return str(rules_for(school.country).time_zone.value)
    return school.timezone


def local_date(moment: datetime, time_zone: str) -> date:
    """The calendar day of ``moment`` in ``time_zone`` (a certificate's issue or sending date)."""
    return school_today(time_zone, moment)


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
    issued_on = local_date(cert.issued_at, where.time_zone)
    data = CertificateData(
        holder_name=cert.holder_name, course_title=course_title(cert.course_id), score_percent=cert.percent,
        issued_on=issued_on, school_name=school.name if school else None, number=cert.number,
        verify_code=cert.verify_code, verify_url=verify_link(bot_username, cert.verify_code),
        issuer=cert.issuer, head_name=where.head_name if school else None,
    )
    code = format_verify_code(cert.verify_code)
    labels = CertificateLabels(
        heading=_("CERTIFICATE"),
        # The lines above and below the name: worded so the name stays in the nominative in every language
        # (no case ending glued to it) and nothing needs the holder's gender (Russian: no "сдал(а)").
        awarded_to=_("This certificate confirms that"),
        for_completing=_("has successfully passed the final exam of the course"),
        score_line=_("Result: {score}").format(score=fmt_percent(cert.percent)),
        date_line=_("Issued on {date}").format(date=fmt_date(issued_on)),
        school_line=_("School: {school}").format(school=school.name) if school else "",
        number_line=_("Certificate No. {number}").format(number=cert.number),
        verify_line=_("Check it: send /verify {code} to the bot").format(code=code),
        issuer_line=_("Issued by: {issuer}").format(issuer=cert.issuer) if cert.issuer else "",
        signature_caption=_("School head"),
        seal_caption=_("Place for the seal"),
    )
    return renderer().render(data, labels)


def certificate_filename(cert: Certificate) -> str:
    """The PDF's file name in the current language ("Сертификат_MB-2026-000001.pdf"), of letters, digits,
    "-", "_" and "." only: a run of anything else a translation brings (a space, a slash) becomes one "_"."""
    name = _("Certificate_{number}.pdf").format(number=cert.number)
    name = re.sub(r"[^\w.-]+", "_", name).strip("._") or cert.number
    return name if name.lower().endswith(".pdf") else name + ".pdf"
