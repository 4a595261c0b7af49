"""Who uses the bot, and what each role may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TEACHER = "teacher"
    CLASS_TEACHER = "class_teacher"
    PARENT = "parent"
    ADMIN = "admin"
    #: a district, regional or ministry methodist (the supervisors table): reports of schools in their area
    SUPERVISOR = "supervisor"


class Position(StrEnum):
    """A staff member's post at a school, as in the roster."""

    TEACHER = "teacher"
    DEPUTY = "deputy"
    HEAD = "head"


ADMIN_POSITIONS = frozenset({Position.DEPUTY, Position.HEAD})


def roles_for_staff(positions: set[str], is_class_teacher: bool) -> set[Role]:
    """The roles a person holds from their staff records; everyone on staff can take the course."""
    roles = {Role.TEACHER} if positions else set()
    if is_class_teacher:
        roles.add(Role.CLASS_TEACHER)
    if positions & ADMIN_POSITIONS:
        roles.add(Role.ADMIN)
    return roles
