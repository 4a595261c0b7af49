"""/verify: whose certificate a code is, and whether it is valid. Anyone may ask; nothing is written."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from domain.certificates import format_verify_code, normalize_verify_code
from domain.countries import local_day
from storage.models import Certificate
from storage.repositories.certificates import find_by_code
from usecases.uow import UnitOfWork

#: The time zone a certificate is dated in (the certificate story's rule: its school's, else the holder's).
ZoneOf = Callable[[AsyncSession, Certificate], Awaitable[str]]


@dataclass(frozen=True)
class CertificateCard:
    number: str
    holder: str
    course_id: str
    percent: float
    issued_on: date  # the local day where it was issued, as on the PDF
    school: str | None
    code: str  # as printed: ABCD-2345
    revoked: bool


@dataclass(frozen=True)
class Verification:
    """`code` None: the text was no code at all; `card` None: no certificate has this code."""

    code: str | None
    card: CertificateCard | None = None


async def verify_certificate(uow: UnitOfWork, text: str, zone_of: ZoneOf) -> Verification:
    code = normalize_verify_code(text)
    if code is None:
        return Verification(None)
    found = await find_by_code(uow.session, code)
    if found is None:
        return Verification(format_verify_code(code))
    cert, school = found
    issued_on = local_day(await zone_of(uow.session, cert), cert.issued_at)
    return Verification(format_verify_code(code), CertificateCard(
        number=cert.number, holder=cert.holder_name, course_id=cert.course_id, percent=cert.percent,
        issued_on=issued_on, school=school.name if school else None, code=format_verify_code(cert.verify_code),
        revoked=cert.revoked_at is not None))
