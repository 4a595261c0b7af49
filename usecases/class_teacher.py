"""Class teachers (and a school's head or deputy): the class at a glance, and the one-time codes that link a
parent to a pupil (issue, list, revoke). Only the user's own classes: a class teacher's class, or every class
of a school they administer; anything else is `NotYourClass`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain.countries import local_day, rules_for
from domain.invites import InviteState, invite_state
from domain.journal import too_few_grades
from storage.models import InviteCode, Student
from storage.repositories import journal
from storage.repositories.grid import class_with_school
from storage.repositories.invites import create_invite, list_invites, revoke_invite
from storage.repositories.schools import classes_managed, membership_of, students_of_class, students_with_parents
from usecases.errors import N_, NotAllowed, NotFound
from usecases.uow import UnitOfWork

#: Positions that see every class of their school.
ADMIN_POSITIONS = ("head", "deputy")
#: How far back the glance looks for lessons without any mark.
UNGRADED_DAYS = 7


class NotYourClass(NotAllowed):
    code = "not_your_class"
    text = N_("This is not your class.")


class ButtonOutOfDate(NotFound):
    """A pupil moved to another class, a code of another pupil: the screen the button was on is old."""

    code = "out_of_date"
    text = N_("This button is out of date. Open the /menu.")


@dataclass(frozen=True)
class ClassRef:
    id: int
    name: str


@dataclass(frozen=True)
class FewMarks:
    subject: str
    need: int  # the fewest marks a fair term mark needs (by the subject's weekly hours)
    names: list[str]  # the pupils below it, in the class list's order


@dataclass(frozen=True)
class Glance:
    class_id: int
    class_name: str
    today: date
    absent: list[str]  # names of the pupils absent today (late ones are not)
    has_term: bool  # the rest needs the school's terms
    few_marks: list[FewMarks] = field(default_factory=list)
    ungraded: list[tuple[str, int]] = field(default_factory=list)  # (subject, lessons without a mark)


@dataclass(frozen=True)
class Pupil:
    id: int
    name: str
    parent_linked: bool


@dataclass(frozen=True)
class ClassCodes:
    class_id: int
    class_name: str
    pupils: list[Pupil]


@dataclass(frozen=True)
class CodeLine:
    invite_id: int
    hint: str  # the code's last four characters
    state: InviteState
    expires_on: date


@dataclass(frozen=True)
class StudentCodes:
    class_id: int
    student_id: int
    name: str
    parent_linked: bool
    codes: list[CodeLine]  # newest first


@dataclass(frozen=True)
class IssuedCode:
    class_id: int
    student_id: int
    student_name: str
    code: str  # canonical, shown this once (only its hash is stored)
    display: str  # grouped for reading: ABCD-EFGH-JKLM
    expires_on: date


@dataclass(frozen=True)
class Revoked:
    done: bool  # False: used, expired or cancelled already
    codes: StudentCodes


@dataclass(frozen=True)
class ClassPick:
    """Where /class and /codes land: the choice of classes, or the only class's screen at once."""

    classes: list[ClassRef]
    glance: Glance | None = None
    codes: ClassCodes | None = None


async def my_classes(uow: UnitOfWork, user_id: int) -> list[ClassRef]:
    """Classes the user may manage: their own as class teacher; every class of a school they administer."""
    membership = await membership_of(uow.session, user_id)
    admin_schools = [s.school_id for s in membership.staff if s.position in ADMIN_POSITIONS]
    return [ClassRef(id=k.id, name=k.name)
            for k in await classes_managed(uow.session, membership.class_ids, admin_schools)]


async def pick_class(uow: UnitOfWork, user_id: int, now: datetime, *, codes: bool) -> ClassPick:
    """The user's classes; with only one, its glance (or its codes) at once."""
    classes = await my_classes(uow, user_id)
    if len(classes) != 1:
        return ClassPick(classes=classes)
    if codes:
        return ClassPick(classes=classes, codes=await _codes(uow, classes[0]))
    return ClassPick(classes=classes, glance=await _glance(uow, classes[0].id, now))


async def _my_class(uow: UnitOfWork, user_id: int, class_id: int) -> ClassRef:
    for klass in await my_classes(uow, user_id):
        if klass.id == class_id:
            return klass
    raise NotYourClass(f"class {class_id} is not the user's")


async def class_glance(uow: UnitOfWork, user_id: int, class_id: int, now: datetime) -> Glance:
    await _my_class(uow, user_id, class_id)
    return await _glance(uow, class_id, now)


async def _glance(uow: UnitOfWork, class_id: int, now: datetime) -> Glance:
    """Today's absences; for the term: pupils short of marks for a fair term mark, and lessons without marks."""
    found = await class_with_school(uow.session, class_id)
    if found is None:
        raise ButtonOutOfDate(f"class {class_id}")
    klass, school = found
    today = local_day(school.timezone, now)
    absences = await journal.class_day_absences(uow.session, class_id, today)
    absent = sorted({name for name, _subject, kind in absences if kind != "late"})
    term = await journal.term_for(uow.session, school.id, today)
    if term is None:
        return Glance(class_id=class_id, class_name=klass.name, today=today, absent=absent, has_term=False)
    ungraded = await journal.ungraded_lessons(uow.session, class_id, today - timedelta(days=UNGRADED_DAYS), today)
    return Glance(class_id=class_id, class_name=klass.name, today=today, absent=absent, has_term=True,
                  few_marks=await _few_marks(uow, class_id, school.country, term.starts_on, term.ends_on),
                  ungraded=list(ungraded))


async def _few_marks(uow: UnitOfWork, class_id: int, country: str, start: date, end: date) -> list[FewMarks]:
    """A fair term mark needs more marks in a subject with more lessons a week (seed 001: 3–4 for 2 hours)."""
    students = await students_of_class(uow.session, class_id)
    counts = await journal.class_grade_counts(uow.session, class_id, start, end)
    rules = rules_for(country)
    need = {subject: rules.min_marks(hours)
            for subject, hours in (await journal.class_subject_hours(uow.session, class_id)).items()}
    few = too_few_grades(counts, [s.id for s in students], list(need), need)
    names = {s.id: s.full_name for s in students}
    return [FewMarks(subject=subject, need=need[subject], names=[names[i] for i in ids])
            for subject, ids in few.items()]


async def class_codes(uow: UnitOfWork, user_id: int, class_id: int) -> ClassCodes:
    """The class list, each pupil marked with whether a parent is linked."""
    return await _codes(uow, await _my_class(uow, user_id, class_id))


async def _codes(uow: UnitOfWork, klass: ClassRef) -> ClassCodes:
    students = await students_of_class(uow.session, klass.id)
    linked = await students_with_parents(uow.session, [s.id for s in students])
    return ClassCodes(class_id=klass.id, class_name=klass.name,
                      pupils=[Pupil(id=s.id, name=s.full_name, parent_linked=s.id in linked) for s in students])


async def student_codes(uow: UnitOfWork, user_id: int, class_id: int, student_id: int, now: datetime
                        ) -> StudentCodes:
    """A pupil's codes, newest first, each with its state now; and whether a parent is linked already."""
    await _my_class(uow, user_id, class_id)
    return await _student_codes(uow, await _pupil(uow, class_id, student_id), now)


async def _pupil(uow: UnitOfWork, class_id: int, student_id: int) -> Student:
    student = await uow.session.get(Student, student_id)
    if student is None or student.class_id != class_id:
        raise ButtonOutOfDate(f"student {student_id} is not in class {class_id}")
    return student


async def _student_codes(uow: UnitOfWork, student: Student, now: datetime) -> StudentCodes:
    invites = await list_invites(uow.session, school_id=student.school_id, student_ids=[student.id])
    lines = [CodeLine(invite_id=i.id, hint=i.hint, expires_on=i.expires_at.date(), state=invite_state(
        expires_at=i.expires_at, used_at=i.used_at, revoked_at=i.revoked_at, now=now)) for i in invites]
    linked = student.id in await students_with_parents(uow.session, [student.id])
    return StudentCodes(class_id=student.class_id, student_id=student.id, name=student.full_name,
                        parent_linked=linked, codes=lines)


async def issue_code(uow: UnitOfWork, user_id: int, class_id: int, student_id: int, now: datetime,
                     valid_days: int) -> IssuedCode:
    """A new one-time code for a parent of this pupil, valid `valid_days` days."""
    await _my_class(uow, user_id, class_id)
    student = await _pupil(uow, class_id, student_id)
    invite = await create_invite(uow.session, kind="parent", school_id=student.school_id, student_id=student.id,
                                 now=now, valid_days=valid_days, created_by=user_id)
    issued = IssuedCode(class_id=class_id, student_id=student.id, student_name=student.full_name, code=invite.code,
                        display=invite.display, expires_on=invite.expires_at.date())
    await uow.commit()
    return issued


async def revoke_code(uow: UnitOfWork, user_id: int, class_id: int, invite_id: int, now: datetime) -> Revoked:
    """Cancel a code not used yet; a used, expired or cancelled one stays as it is (`done` False)."""
    await _my_class(uow, user_id, class_id)
    invite = await uow.session.get(InviteCode, invite_id)
    if invite is None or invite.student_id is None:
        raise ButtonOutOfDate(f"invite {invite_id}")
    student = await _pupil(uow, class_id, invite.student_id)
    revoked = Revoked(done=await revoke_invite(uow.session, invite.id, now),
                      codes=await _student_codes(uow, student, now))
    await uow.commit()
    return revoked
