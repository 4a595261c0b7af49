"""Invite codes that link a parent to a child or a staff member to their school record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.codes import code_hash, format_code, new_code, normalize_code

INVITE_LENGTH = 12  # 31**12 ≈ 8e17: not guessable at any rate Telegram lets a user type


class InviteState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"


@dataclass(frozen=True)
class NewInvite:
    code: str  # canonical, shown once to the issuer
    hash: str
    expires_at: datetime

    @property
    def display(self) -> str:
        return format_code(self.code)


def issue_invite(now: datetime, valid_days: int) -> NewInvite:
    code = new_code(INVITE_LENGTH)
    return NewInvite(code=code, hash=code_hash(code), expires_at=now + timedelta(days=valid_days))


def parse_invite(text: str) -> str | None:
    """The canonical code a user typed (or passed in a deep link `invite_...`), or None."""
    return normalize_code(text, INVITE_LENGTH, prefix="invite")


def invite_state(*, expires_at: datetime, used_at: datetime | None, revoked_at: datetime | None,
                 now: datetime) -> InviteState:
    if revoked_at is not None:
        return InviteState.REVOKED
    if used_at is not None:
        return InviteState.USED
    if now >= expires_at:
        return InviteState.EXPIRED
    return InviteState.VALID
