"""Which menu a user sees: their chosen role, if their records still allow it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role
from storage.models import User
from storage.repositories.schools import Membership, membership_of


async def available_roles(session: AsyncSession, user: User) -> tuple[set[Role], Membership]:
    membership = await membership_of(session, user.id)
    roles = membership.roles
    if user.school_id is not None:
        roles.add(Role.TEACHER)  # a teacher who picked their school: course and certificate
    return roles, membership


async def current_role(session: AsyncSession, user: User) -> Role | None:
    """The role whose menu to show, or None when the user has not been onboarded."""
    if user.role is None:
        return None
    roles, _ = await available_roles(session, user)
    if Role(user.role) in roles:
        return Role(user.role)
    return next(iter(sorted(roles)), None)
