"""The roster's staff and links: one draft per person from all their rows, matched to the school's staff;
parents' phones per student (people who already shared their phone with the bot are linked by
storage.repositories.memberships.link_listed_phones, as when they share it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.lookup import SchoolDirectory
from bot.importing.report import ImportReport
from bot.importing.spreadsheet import Row
from domain.tabular import name_key, names_overlap
from storage.models import GuardianContact, Staff, Student

if TYPE_CHECKING:
    from bot.importing.roster_read import Person

STAFF_ROLES = ("teacher", "class_teacher", "deputy", "head")
_POSITION_RANK = {"teacher": 0, "deputy": 1, "head": 2}


@dataclass
class StaffDraft:
    """One staff member gathered from all their rows (a teacher row and a class-teacher row, say)."""

    name: str
    phone: str | None
    rows: list[Row] = field(default_factory=list)
    positions: set[str] = field(default_factory=set)
    led_classes: list[tuple[str, int, Row]] = field(default_factory=list)

    @property
    def position(self) -> str:
        return max(self.positions or {"teacher"}, key=_POSITION_RANK.__getitem__)

    def add(self, person: Person) -> None:
        """A row of this person: its position and, on a class teacher's row, the class led."""
        self.rows.append(person.row)
        self.positions.add("teacher" if person.role == "class_teacher" else person.role)
        if person.role == "class_teacher" and person.klass:
            self.led_classes.append((*person.klass, person.row))


def gather_staff(persons: list[Person], report: ImportReport) -> list[StaffDraft]:
    """One draft per person: rows with the same phone, or with the same name and no phone, are one person.
    The same phone under two different names is an error (one of them is mistyped)."""
    gathered = _Gathered()
    staff_rows = [p for p in persons if p.role in STAFF_ROLES]
    for person in sorted(staff_rows, key=lambda p: not p.phones):  # rows with a phone first
        draft = gathered.draft_of(person, report)
        if draft is not None:
            draft.add(person)
    for draft in gathered.drafts:
        draft.rows.sort(key=lambda r: r.number)
    return gathered.drafts


@dataclass
class _Gathered:
    """The drafts so far, found by phone and by name."""

    drafts: list[StaffDraft] = field(default_factory=list)
    by_phone: dict[str, StaffDraft] = field(default_factory=dict)
    by_name: dict[str, list[StaffDraft]] = field(default_factory=dict)

    def draft_of(self, person: Person, report: ImportReport) -> StaffDraft | None:
        """The draft this row belongs to, a new one if none; None (reported) for a phone under another name."""
        phone = person.phones[0] if person.phones else None
        draft = self.by_phone.get(phone) if phone else None
        if draft is not None and not _same_person(draft.name, person.name):
            report.error(person.row, f"{phone} is also the phone of {draft.name} (row {draft.rows[0].number})",
                         "phone")
            return None
        if draft is None and phone is None:
            same_name = self.by_name.get(name_key(person.name), [])
            draft = same_name[0] if len(same_name) == 1 else None
        return self._new(person.name, phone) if draft is None else draft

    def _new(self, name: str, phone: str | None) -> StaffDraft:
        draft = StaffDraft(name=name, phone=phone)
        self.drafts.append(draft)
        self.by_name.setdefault(name_key(name), []).append(draft)
        if phone:
            self.by_phone[phone] = draft
        return draft


def _same_person(a: str, b: str) -> bool:
    ka, kb = name_key(a), name_key(b)
    return ka == kb or names_overlap(ka, kb)


def match_staff(directory: SchoolDirectory, draft: StaffDraft, claimed: set[int],
                 report: ImportReport) -> Staff | None:
    """The existing staff member a draft is: same phone, else the one unclaimed member of the same name."""
    if draft.phone:
        same_phone = next((s for s in directory.staff if s.phone == draft.phone), None)
        if same_phone is not None:
            return same_phone
    key = name_key(draft.name)
    same_name = [s for s in directory.staff if name_key(s.full_name) == key and s.id not in claimed]
    if len(same_name) > 1 and draft.phone is None:
        report.error(draft.rows[0], f"{len(same_name)} staff members of this school are called “{draft.name}”; "
                                    "write the phone number to tell them apart", "phone")
        return None
    return same_name[0] if len(same_name) == 1 else None


async def contacts_of(session: AsyncSession, school_id: int) -> dict[int, dict[str, GuardianContact]]:
    contacts: dict[int, dict[str, GuardianContact]] = {}
    rows = await session.scalars(select(GuardianContact).join(Student, Student.id == GuardianContact.student_id)
                                 .where(Student.school_id == school_id))
    for contact in rows:
        contacts.setdefault(contact.student_id, {})[contact.phone] = contact
    return contacts
