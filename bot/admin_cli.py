"""`python -m bot grant ...`: the bot administrator gives report roles (never a user claiming them).

    python -m bot grant supervisor --user-id 123 --country UZ --region "Toshkent shahri" [--district "..."]
    python -m bot grant supervisor --user-id 123 --country UZ            # the whole country (ministry)
    python -m bot grant head --school-id 1 --user-id 123 [--name "..."]
    python -m bot grant deputy --school-id 1 --phone 998901234567        # linked when they share the number
    python -m bot grant supervisor --user-id 123 --country UZ --revoke   # take it back

The user id is the person's Telegram id (they can see it with any "user info" bot, or in the logs after
they press /start).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.config import Settings
    from storage.models import Staff, Supervisor, User

COUNTRIES = ("UZ", "KG", "KZ")


class GrantError(ValueError):
    """A grant that cannot be done; the message says why."""


def add_grant_parser(sub: argparse._SubParsersAction) -> None:
    grant = sub.add_parser("grant", help="give a report role: supervisor (district/region/country), head, deputy")
    grant.add_argument("role", choices=["supervisor", "head", "deputy"])
    grant.add_argument("--user-id", type=int, help="the person's Telegram user id")
    grant.add_argument("--phone", help="head/deputy: their phone number, linked when they share it in the bot")
    grant.add_argument("--name", help="head/deputy: full name for the staff list")
    grant.add_argument("--school-id", type=int, help="head/deputy: the school's id")
    grant.add_argument("--country", help="supervisor: UZ, KG or KZ")
    grant.add_argument("--region", help="supervisor: the region, as written in the schools' list")
    grant.add_argument("--district", help="supervisor: the district (needs --region)")
    grant.add_argument("--revoke", action="store_true", help="remove the role instead of giving it")


async def _user(session: AsyncSession, user_id: int, now: datetime) -> User:
    """The user row (created when the person has not written to the bot yet: the id is what matters)."""
    from storage.models import User

    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, tg_name="", created_at=now)
        session.add(user)
        await session.flush()
    return user


async def _place(session: AsyncSession, country: str, region: str | None,
                 district: str | None) -> tuple[str | None, str | None]:
    """The region as the country's list writes it ("Toshkent sh." -> "Toshkent shahri") and the district as
    the region's schools write it ("Urgut t." -> "Urgut tumani"), so the area meets its schools."""
    from sqlalchemy import select

    from bot.importing.places import canonical_region, district_spelling
    from storage.models import School

    if region is None:
        return None, None
    try:
        region = canonical_region(country, region)
    except ValueError as exc:
        raise GrantError(str(exc)) from exc
    if district is not None:
        known = await session.scalars(select(School.district).where(School.country == country,
                                                                    School.region == region).distinct())
        district = district_spelling(district, list(known))
    return region, district


def _area(country: str, region: str | None, district: str | None) -> tuple[str, str | None, str | None]:
    """Country code upper-cased and checked; empty region and district are None; a district needs its region."""
    country = (country or "").strip().upper()
    if country not in COUNTRIES:
        raise GrantError(f"country must be one of {', '.join(COUNTRIES)}")
    region = region.strip() if region and region.strip() else None
    district = district.strip() if district and district.strip() else None
    if district and not region:
        raise GrantError("--district needs --region")
    return country, region, district


async def grant_supervisor(session: AsyncSession, *, user_id: int, country: str, region: str | None = None,
                           district: str | None = None, now: datetime) -> Supervisor:
    """Idempotent: the same area twice is one row; a user row made for an unknown id is created `now`."""
    from sqlalchemy import select

    from domain.roles import Role
    from storage.models import Supervisor

    country, region, district = _area(country, region, district)
    region, district = await _place(session, country, region, district)
    user = await _user(session, user_id, now)
    existing = await session.scalar(select(Supervisor).where(
        Supervisor.user_id == user_id, Supervisor.country == country,
        Supervisor.region.is_(None) if region is None else Supervisor.region == region,
        Supervisor.district.is_(None) if district is None else Supervisor.district == district))
    if existing is not None:
        return existing
    row = Supervisor(user_id=user_id, country=country, region=region, district=district)
    session.add(row)
    if user.role is None:
        user.role = Role.SUPERVISOR.value
    await session.flush()
    return row


async def revoke_supervisor(session: AsyncSession, *, user_id: int, country: str, region: str | None = None,
                            district: str | None = None) -> int:
    from sqlalchemy import delete

    from storage.models import Supervisor

    stmt = delete(Supervisor).where(Supervisor.user_id == user_id, Supervisor.country == country.upper())
    if region:
        stmt = stmt.where(Supervisor.region == region)
    if district:
        stmt = stmt.where(Supervisor.district == district)
    return (await session.execute(stmt)).rowcount or 0


async def _staff_phone(session: AsyncSession, school_id: int, position: str, user_id: int | None,
                       phone: str | None) -> str | None:
    """The phone normalized, once the grant is known to be possible (a position, a school, a person)."""
    from domain.phones import normalize_phone
    from storage.models import School

    if position not in ("head", "deputy"):
        raise GrantError("position must be head or deputy")
    if await session.get(School, school_id) is None:
        raise GrantError(f"no school with id {school_id}")
    normalized = normalize_phone(phone) if phone else None
    if phone and normalized is None:
        raise GrantError(f"not a phone number: {phone}")
    if user_id is None and normalized is None:
        raise GrantError("give --user-id or --phone")
    return normalized


async def grant_staff(session: AsyncSession, *, school_id: int, position: str, user_id: int | None = None,
                      phone: str | None = None, name: str | None = None, now: datetime) -> Staff:
    """Make a person head or deputy of a school: their existing staff row there (found by user id or phone)
    gets the position, else a new row is added; a link to a user is confirmed `now`."""
    from domain.roles import Role

    normalized = await _staff_phone(session, school_id, position, user_id, phone)
    user = await _user(session, user_id, now) if user_id is not None else None
    staff = await _staff_of(session, school_id, user_id, normalized)
    if staff is None:
        display = (name or (user.full_name if user else None) or (user.tg_name if user else None)
                   or normalized or str(user_id))
        staff = _new_staff(session, school_id, position, user_id, normalized, display, now)
    else:
        _promote(staff, position, user_id, normalized, name, now)
    if user is not None and user.role is None:
        user.role = Role.ADMIN.value
    await session.flush()
    return staff


async def _staff_of(session: AsyncSession, school_id: int, user_id: int | None, phone: str | None) -> Staff | None:
    """The school's first staff row of this user or with this phone."""
    from sqlalchemy import or_, select

    from storage.models import Staff

    matches = [Staff.user_id == user_id] if user_id is not None else []
    if phone:
        matches.append(Staff.phone == phone)
    return await session.scalar(select(Staff).where(Staff.school_id == school_id, or_(*matches))
                                .order_by(Staff.id).limit(1))


def _new_staff(session: AsyncSession, school_id: int, position: str, user_id: int | None, phone: str | None,
               display: str, now: datetime) -> Staff:
    """A new staff row in the position, linked to the user (confirmed by this grant) when there is one."""
    from storage.models import Staff

    staff = Staff(school_id=school_id, full_name=display[:120], phone=phone, position=position,
                  user_id=user_id, confirmed_via="grant" if user_id is not None else None,
                  confirmed_at=now if user_id is not None else None)
    session.add(staff)
    return staff


def _promote(staff: Staff, position: str, user_id: int | None, phone: str | None, name: str | None,
             now: datetime) -> None:
    """An existing staff row gets the position, the user (confirmed by this grant), a missing phone, the name."""
    staff.position = position
    if user_id is not None and staff.user_id != user_id:
        staff.user_id = user_id
        staff.confirmed_via, staff.confirmed_at = "grant", now
    if phone and not staff.phone:
        staff.phone = phone
    if name:
        staff.full_name = name[:120]


async def revoke_staff(session: AsyncSession, *, school_id: int, position: str, user_id: int | None = None,
                       phone: str | None = None) -> int:
    """The person stays on the staff list, as a teacher."""
    from sqlalchemy import or_, update

    from domain.phones import normalize_phone
    from storage.models import Staff

    matches = [Staff.user_id == user_id] if user_id is not None else []
    if phone and normalize_phone(phone):
        matches.append(Staff.phone == normalize_phone(phone))
    if not matches:
        raise GrantError("give --user-id or --phone")
    result = await session.execute(update(Staff).where(Staff.school_id == school_id, Staff.position == position,
                                                       or_(*matches)).values(position="teacher"))
    return result.rowcount or 0


@dataclass
class _Outcome:
    code: int
    message: str


async def _apply(session: AsyncSession, args: argparse.Namespace, now: datetime) -> _Outcome:
    if args.role == "supervisor":
        return await _apply_supervisor(session, args, now)
    if args.school_id is None:
        return _Outcome(2, f"{args.role} needs --school-id and --user-id or --phone")
    if args.revoke:
        n = await revoke_staff(session, school_id=args.school_id, position=args.role, user_id=args.user_id,
                               phone=args.phone)
        return _Outcome(0, f"{n} staff row(s) are no longer {args.role}")
    staff = await grant_staff(session, school_id=args.school_id, position=args.role, user_id=args.user_id,
                              phone=args.phone, name=args.name, now=now)
    linked = f"user {staff.user_id}" if staff.user_id else f"phone {staff.phone} (linked when shared in the bot)"
    return _Outcome(0, f"{staff.full_name} is {args.role} of school {args.school_id}: {linked}")


async def _apply_supervisor(session: AsyncSession, args: argparse.Namespace, now: datetime) -> _Outcome:
    from sqlalchemy import select

    from storage.models import School

    if args.user_id is None or not args.country:
        return _Outcome(2, "supervisor needs --user-id and --country")
    if args.revoke:
        n = await revoke_supervisor(session, user_id=args.user_id, country=args.country, region=args.region,
                                    district=args.district)
        return _Outcome(0, f"removed {n} supervisor area(s) of user {args.user_id}")
    row = await grant_supervisor(session, user_id=args.user_id, country=args.country, region=args.region,
                                 district=args.district, now=now)
    message = (f"user {args.user_id} supervises {row.country}"
               + (f" / {row.region}" if row.region else "") + (f" / {row.district}" if row.district else ""))
    if row.region:
        known = set(await session.scalars(select(School.region).where(School.country == row.country).distinct()))
        if row.region not in known:
            message += (f"\nnote: no school has the region {row.region!r} yet; known: "
                        + ", ".join(sorted(r for r in known if r)))
    return _Outcome(0, message)


async def run_grant(settings: Settings, args: argparse.Namespace, *, now: datetime) -> int:
    """The command: migrate, grant or revoke as of `now`, print what was done; 0, or 2 on a refused grant."""
    from storage.db import create_engine, migrate, session_factory

    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            try:
                outcome = await _apply(session, args, now)
            except GrantError as exc:
                outcome = _Outcome(2, f"error: {exc}")
            if outcome.code == 0:
                await session.commit()
            else:
                await session.rollback()
    finally:
        await engine.dispose()
    print(outcome.message)
    return outcome.code
