"""The certificate: its screen once issued, the holder's name asked and confirmed once, issued for a passed exam
(one per attempt, even under a double tap), printed again at any time, and sent to the school head through
the outbox. Its dates are the local day of its school (else of the country the holder picked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from content.catalogue import MAIN_COURSE, catalogue
from domain.certificates import normalize_person_name
from domain.countries import local_day, rules_for
from storage.models import Certificate, ExamAttempt, School, User
from storage.repositories import certificates as repo
from storage.repositories import exams
from storage.repositories import outbox as outbox_repo
from storage.repositories.schools import membership_of, school_heads
from storage.repositories.users import users_by_ids
from usecases.errors import N_, UseCaseError
from usecases.exam import course_of
from usecases.uow import UnitOfWork

#: The outbox kind of a certificate on its way to the head (rendered by bot/services/certificate_delivery.py).
TO_HEAD_KIND = "certificate_to_head"
NAME_LIMIT = 80


class NotPassed(UseCaseError):
    code = "exam_not_passed"
    status = 409
    text = N_("The certificate is issued once the exam is passed.")


class NotIssued(NotPassed):
    """No certificate to print or send (none issued, or it was revoked)."""

    code = "not_issued"


class AlreadyIssued(UseCaseError):
    code = "already_issued"
    status = 409
    text = N_("The certificate is already issued with this name.")


class NoHeadInBot(UseCaseError):
    code = "no_head"
    status = 409
    text = N_("Your school head has not joined the bot yet. Forward the PDF to them yourself, or ask them to "
              "open the bot.")


class BadHolderName(UseCaseError):
    """A typed name the certificate cannot print; the teacher is asked again."""

    status = 422


class NameTooLong(BadHolderName):
    code = "name_too_long"
    text = N_("That is too long for a certificate: at most 80 characters. Write it shorter.")


class NotAName(BadHolderName):
    code = "not_a_name"
    text = N_("Please write your full name in letters: surname and first name, at least two words, for example: "
              "Karimova Dilnoza Rustamovna.")


@dataclass(frozen=True)
class IssuedCertificate:
    course_id: str
    number: str
    holder_name: str
    percent: float
    issued_on: date
    verify_code: str
    sent_on: date | None  # when the head received it


@dataclass(frozen=True)
class NeedsExam:
    course_id: str


@dataclass(frozen=True)
class AskName:
    course_id: str


@dataclass(frozen=True)
class ConfirmName:
    course_id: str
    name: str


CertificateView = IssuedCertificate | NeedsExam | AskName | ConfirmName


@dataclass(frozen=True)
class CertificatePrint:
    """What the PDF says."""

    number: str
    verify_code: str
    course_id: str
    holder_name: str
    percent: float
    issued_on: date
    school_name: str | None = None
    head_name: str | None = None
    issuer: str | None = None


@dataclass(frozen=True)
class Issued:
    home: IssuedCertificate
    document: CertificatePrint
    created: bool  # False: a double tap's second press, answered with the first one's certificate


@dataclass(frozen=True)
class CertificateSchool:
    """The school a certificate names, its head (for the signature line) and where its dates are read."""

    school: School | None
    head_name: str | None = None
    time_zone: str = str(rules_for(None).time_zone.value)


async def certificate_home(uow: UnitOfWork, teacher_id: int, course_id: str) -> CertificateView:
    """The certificate once issued; else the exam to pass first, or the name to write or confirm."""
    course_of(course_id)
    cert = await repo.latest_for_user(uow.session, teacher_id, course_id)
    if cert is not None:
        return _issued(cert, await time_zone_for(uow.session, cert))
    if await exams.has_passed(uow.session, teacher_id, course_id) is None:
        return NeedsExam(course_id)
    user = await uow.session.get(User, teacher_id)
    return ConfirmName(course_id, user.full_name) if user is not None and user.full_name else AskName(course_id)


async def change_name(uow: UnitOfWork, teacher_id: int, course_id: str) -> AskName:
    course_of(course_id)
    if await repo.latest_for_user(uow.session, teacher_id, course_id) is not None:
        raise AlreadyIssued(course_id)
    return AskName(course_id)


async def save_holder_name(uow: UnitOfWork, teacher_id: int, text: str, course_id: str | None) -> ConfirmName:
    """The name as typed, tidied (`NameTooLong`, `NotAName`: nothing saved), to be confirmed."""
    if len(text.strip()) > NAME_LIMIT:
        raise NameTooLong()
    name = normalize_person_name(text)
    if name is None:
        raise NotAName()
    user = await uow.session.get(User, teacher_id)
    user.full_name = name
    await uow.commit()
    return ConfirmName(course_id if course_id in catalogue() else MAIN_COURSE, name)


async def issue_certificate(uow: UnitOfWork, teacher_id: int, course_id: str, issuer: str,
                            now: datetime) -> Issued:
    """Issue the certificate of the teacher's best passed attempt, committed before anything is sent; a
    second press (or a racing double tap) gets the first one's certificate."""
    course_of(course_id)
    attempt = await exams.has_passed(uow.session, teacher_id, course_id)
    user = await uow.session.get(User, teacher_id)
    if attempt is None or user is None or not user.full_name:
        raise NotPassed(course_id)
    cert, created = await _issue(uow, user, attempt, issuer, now)
    where = await school_for(uow.session, cert)
    return Issued(home=_issued(cert, where.time_zone), document=_print(cert, where), created=created)


async def printable(uow: UnitOfWork, teacher_id: int, course_id: str) -> CertificatePrint:
    course_of(course_id)
    cert = await repo.latest_for_user(uow.session, teacher_id, course_id)
    if cert is None:
        raise NotIssued(course_id)
    return _print(cert, await school_for(uow.session, cert))


async def send_to_head(uow: UnitOfWork, teacher_id: int, course_id: str, bot_username: str | None,
                       now: datetime) -> None:
    """Queue the PDF for the head (else a deputy) in the outbox, once per head and day: sent within seconds,
    retried through any Bot API failure. `NoHeadInBot` when none of them is in the bot."""
    course_of(course_id)
    cert = await repo.latest_for_user(uow.session, teacher_id, course_id)
    if cert is None:
        raise NotIssued(course_id)
    head = await _head_of(uow.session, cert.school_id, teacher_id)
    if head is None:
        raise NoHeadInBot(course_id)
    await outbox_repo.insert_ignore(uow.session, [{
        "key": f"cert-head:{cert.id}:{head.id}:{now:%Y-%m-%d}", "kind": TO_HEAD_KIND, "user_id": head.id,
        "payload": {"certificate": cert.id, "bot": bot_username}, "status": "pending", "tries": 0,
        "created_at": now, "next_try_at": now}])
    await uow.commit()


async def certificate_for_head(uow: UnitOfWork, certificate_id: int | None) -> CertificatePrint | None:
    """What the queued PDF says when it is sent; None once revoked or gone."""
    cert = await uow.session.get(Certificate, certificate_id) if certificate_id is not None else None
    if cert is None or cert.revoked_at is not None:
        return None
    return _print(cert, await school_for(uow.session, cert))


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
    return await _time_zone(session, cert.school_id, cert.user_id)


async def _time_zone(session: AsyncSession, school_id: int | None, holder_id: int) -> str:
    school = await session.get(School, school_id) if school_id else None
    if school is None:
        holder = await session.get(User, holder_id)
        school = await session.get(School, holder.school_id) if holder and holder.school_id else None
        return str(rules_for(school.country if school else None).time_zone.value)
    try:
        ZoneInfo(school.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return str(rules_for(school.country).time_zone.value)
    return school.timezone


def local_date(moment: datetime, time_zone: str) -> date:
    """The calendar day of ``moment`` in ``time_zone`` (a certificate's issue or sending date)."""
    return local_day(time_zone, moment)


async def _issue(uow: UnitOfWork, user: User, attempt: ExamAttempt, issuer: str,
                 now: datetime) -> tuple[Certificate, bool]:
    attempt_id = attempt.id  # read before a rollback expires the rows
    existing = await repo.by_attempt(uow.session, attempt_id)
    if existing is not None:
        return existing, False
    school = await _confirmed_school(uow.session, user)
    school_id = school.id if school else None
    # Numbered in the year of the date printed on it: at 23:30 on 31 December in Tashkent, not UTC's.
    year = local_date(now, await _time_zone(uow.session, school_id, user.id)).year
    try:
        cert = await repo.insert_certificate(
            uow.session, user_id=user.id, attempt_id=attempt_id, course_id=attempt.course_id,
            holder_name=user.full_name or "", school_id=school_id,
            percent=attempt.percent or 0.0, now=now, issuer=issuer or None, year=year)
        await uow.commit()
    except IntegrityError:  # the other tap of a double tap issued it a moment ago: answer with that one
        await uow.rollback()
        cert = await repo.by_attempt(uow.session, attempt_id)
        if cert is None:
            raise
        return cert, False
    return cert, True


async def _confirmed_school(session: AsyncSession, user: User) -> School | None:
    """The school the teacher's membership was confirmed in (a staff row linked by the roster's phone match,
    an invite code, the head's approval or the administrator's grant), or None.

    Never ``user.school_id``: a school picked from the list is only a request until the head approves it.
    """
    membership = await membership_of(session, user.id)
    staff = sorted(membership.staff, key=lambda s: s.id)
    return await session.get(School, staff[0].school_id) if staff else None


async def _head_of(session: AsyncSession, school_id: int | None, teacher_id: int) -> User | None:
    """The head, else a deputy, who is in the bot and has not blocked it (never the teacher themself)."""
    if school_id is None:
        return None
    heads = await school_heads(session, school_id)
    users = await users_by_ids(session, [h.user_id for h in heads if h.user_id and h.user_id != teacher_id])
    return next((users[h.user_id] for h in heads if h.user_id in users and users[h.user_id].blocked_at is None),
                None)


def _issued(cert: Certificate, time_zone: str) -> IssuedCertificate:
    return IssuedCertificate(
        course_id=cert.course_id, number=cert.number, holder_name=cert.holder_name, percent=cert.percent,
        issued_on=local_date(cert.issued_at, time_zone), verify_code=cert.verify_code,
        sent_on=local_date(cert.sent_to_head_at, time_zone) if cert.sent_to_head_at else None)


def _print(cert: Certificate, where: CertificateSchool) -> CertificatePrint:
    school = where.school
    return CertificatePrint(
        number=cert.number, verify_code=cert.verify_code, course_id=cert.course_id, holder_name=cert.holder_name,
        percent=cert.percent, issued_on=local_date(cert.issued_at, where.time_zone),
        school_name=school.name if school else None, head_name=where.head_name if school else None,
        issuer=cert.issuer)
