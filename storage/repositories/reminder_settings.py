"""A user's own reminder settings (one row per user and kind; a missing row means the kind's default), and
what the settings screen needs besides: the country that names the summatives, a parent's home school."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reminders import Pref
from storage.models import ParentLink, ReminderSetting, School, Staff, Student


async def user_prefs(session: AsyncSession, user_id: int) -> dict[str, Pref]:
    rows = await session.execute(select(ReminderSetting.kind, ReminderSetting.enabled, ReminderSetting.hour,
                                        ReminderSetting.weekday).where(ReminderSetting.user_id == user_id))
    return {kind: Pref(bool(enabled), hour, weekday) for kind, enabled, hour, weekday in rows}


async def save_pref(session: AsyncSession, user_id: int, kind: str, **values) -> None:
    """Upsert one setting (enabled, hour, weekday: only the given ones change)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(ReminderSetting).values(user_id=user_id, kind=kind, **{"enabled": True, **values})
    await session.execute(stmt.on_conflict_do_update(index_elements=["user_id", "kind"], set_=values))


async def parent_home_school(session: AsyncSession, user_id: int) -> int | None:
    """The lowest school id among a parent's children (the school their weekly summary is planned with)."""
    return await session.scalar(select(func.min(Student.school_id)).join(
        ParentLink, ParentLink.student_id == Student.id).where(ParentLink.user_id == user_id))


async def user_country(session: AsyncSession, user_id: int, picked_school_id: int | None) -> str | None:
    """The country of the user's school: their staff record's first, else the school they picked."""
    school_id = await session.scalar(select(Staff.school_id).where(Staff.user_id == user_id).order_by(Staff.id)
                                     .limit(1)) or picked_school_id
    return await session.scalar(select(School.country).where(School.id == school_id)) if school_id else None
