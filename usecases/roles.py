"""Which roles a user holds (from their records, never from a claim) and which menu they see: their chosen
role, if their records still allow it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role
from storage.models import User
from storage.repositories.schools import Membership, membership_of
from storage.repositories.users import is_supervisor


async def available_roles(session: AsyncSession, user: User) -> tuple[set[Role], Membership]:
    membership = await membership_of(session, user.id)
    roles = membership.roles
    if user.school_id is not None:
        roles.add(Role.TEACHER)  # a teacher who picked their school: course and certificate
    if await is_supervisor(session, user.id):
        roles.add(Role.SUPERVISOR)  # granted by the administrator's command, never claimed
    return roles, membership


def pick_role(user: User, roles: set[Role]) -> Role | None:
    """The chosen role if the records still allow it, else another the user holds; None before onboarding."""
    if user.role is None:
        return None
    if Role(user.role) in roles:
        return Role(user.role)
    return next(iter(sorted(roles)), None)


async def current_role(session: AsyncSession, user: User) -> Role | None:
    """The role whose menu to show, or None when the user has not been onboarded."""
    if user.role is None:
        return None
    roles, _default = await available_roles(session, user)
    return pick_role(user, roles)
