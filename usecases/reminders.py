"""A user's reminder settings: each kind their roles get, on or off, at which school-local hour (and, for the
parents' weekly summary, which weekday). Hours inside the quiet window are refused.

The planning and sending of the reminders themselves: usecases.reminder_planner (the job) and
bot.services.outbox (the sender)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.reminders import KINDS, EffectivePref, QuietWindow, effective, kinds_for, summary_weekday
from storage.models import User
from storage.repositories import reminder_settings as repo
from usecases.errors import N_, UseCaseError
from usecases.roles import available_roles
from usecases.uow import UnitOfWork

#: Summatives are named as the school's country names them (BSB/ChSB, СОР/СОЧ, ...): Uzbekistan's by default.
DEFAULT_COUNTRY = "UZ"


class ReminderButtonStale(UseCaseError):
    """A kind the user's roles do not get (any more), or an hour or day the kind does not take."""

    code = "reminder_stale"
    text = N_("This button is out of date. Open the /menu.")


@dataclass(frozen=True)
class RemindersHome:
    """Every kind the user's roles get, as it stands; empty before the user is linked to a school or child."""

    prefs: list[EffectivePref]
    country: str
    quiet: QuietWindow


@dataclass(frozen=True)
class KindSettings:
    pref: EffectivePref
    country: str
    #: The hours the user may choose (outside the quiet window); empty for a kind without an hour.
    hours: list[int]
    #: The kind is sent on a weekday the user chooses (the parents' weekly summary).
    weekly: bool

    @property
    def kind(self) -> str:
        return self.pref.kind


async def _kinds(uow: UnitOfWork, user: User) -> list[str]:
    roles, _membership = await available_roles(uow.session, user)
    return kinds_for(roles)


async def _country(uow: UnitOfWork, user: User) -> str:
    return await repo.user_country(uow.session, user.id, user.school_id) or DEFAULT_COUNTRY


async def _summary_day(uow: UnitOfWork, user: User) -> int | None:
    """The default day of a parent's weekly summary: their children's lowest school id's (see planning)."""
    school_id = await repo.parent_home_school(uow.session, user.id)
    return summary_weekday(school_id) if school_id is not None else None


async def reminders_home(uow: UnitOfWork, user: User, quiet: QuietWindow) -> RemindersHome:
    kinds = await _kinds(uow, user)
    if not kinds:
        return RemindersHome([], DEFAULT_COUNTRY, quiet)
    prefs = await repo.user_prefs(uow.session, user.id)
    weekday = await _summary_day(uow, user)
    return RemindersHome([effective(kind, prefs.get(kind), weekday) for kind in kinds], await _country(uow, user),
                         quiet)


async def _checked(uow: UnitOfWork, user: User, kind: str) -> EffectivePref:
    """The user's setting of `kind` (without the default day); refused for a kind their roles do not get."""
    if kind not in KINDS or kind not in await _kinds(uow, user):
        raise ReminderButtonStale(kind)
    return effective(kind, (await repo.user_prefs(uow.session, user.id)).get(kind))


async def kind_settings(uow: UnitOfWork, user: User, kind: str, quiet: QuietWindow) -> KindSettings:
    """One kind's screen; checks that the user's roles get it."""
    await _checked(uow, user, kind)
    return await _settings(uow, user, kind, quiet)


async def _settings(uow: UnitOfWork, user: User, kind: str, quiet: QuietWindow) -> KindSettings:
    spec = KINDS[kind]
    pref = effective(kind, (await repo.user_prefs(uow.session, user.id)).get(kind), await _summary_day(uow, user))
    return KindSettings(pref, await _country(uow, user), quiet.allowed_hours() if spec.hour is not None else [],
                        spec.weekday is not None)


async def _save(uow: UnitOfWork, user: User, kind: str, quiet: QuietWindow, **values: object) -> KindSettings:
    await repo.save_pref(uow.session, user.id, kind, **values)
    settings = await _settings(uow, user, kind, quiet)
    await uow.commit()
    return settings


async def toggle(uow: UnitOfWork, user: User, kind: str, quiet: QuietWindow) -> KindSettings:
    """On becomes off and off on; the new state is in the result."""
    pref = await _checked(uow, user, kind)
    return await _save(uow, user, kind, quiet, enabled=not pref.enabled)


async def switch_off(uow: UnitOfWork, user: User, kind: str) -> None:
    """"No more of these", pressed on a reminder itself."""
    await _checked(uow, user, kind)
    await repo.save_pref(uow.session, user.id, kind, enabled=False)
    await uow.commit()


async def set_hour(uow: UnitOfWork, user: User, kind: str, hour: int, quiet: QuietWindow) -> KindSettings:
    await _checked(uow, user, kind)
    if KINDS[kind].hour is None or hour not in quiet.allowed_hours():
        raise ReminderButtonStale(f"{kind} at {hour}")
    return await _save(uow, user, kind, quiet, hour=hour)


async def set_day(uow: UnitOfWork, user: User, kind: str, day: int, quiet: QuietWindow) -> KindSettings:
    await _checked(uow, user, kind)
    if KINDS[kind].weekday is None or not 0 <= day <= 6:
        raise ReminderButtonStale(f"{kind} on {day}")
    return await _save(uow, user, kind, quiet, weekday=day)
