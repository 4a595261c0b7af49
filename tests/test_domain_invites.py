from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.codes import format_code
from domain.invites import InviteState, invite_state, issue_invite, parse_invite
from domain.phones import normalize_phone
from domain.roles import Role, roles_for_staff


def test_invite_codes_are_long_unique_and_parse_back():
    now = datetime(2026, 11, 23, tzinfo=UTC)
    codes = {issue_invite(now, 14).code for _ in range(200)}
    assert len(codes) == 200
    invite = issue_invite(now, 14)
    assert parse_invite(invite.display.lower()) == invite.code
    assert parse_invite(" " + format_code(invite.code) + " ") == invite.code
    assert parse_invite("invite_" + invite.code) == invite.code
    assert parse_invite("ABCD") is None and parse_invite("") is None
    assert invite.expires_at == now + timedelta(days=14)


def test_invite_state():
    now = datetime(2026, 11, 23, tzinfo=UTC)
    later = now + timedelta(days=1)
    assert invite_state(expires_at=later, used_at=None, revoked_at=None, now=now) is InviteState.VALID
    assert invite_state(expires_at=now, used_at=None, revoked_at=None, now=now) is InviteState.EXPIRED
    assert invite_state(expires_at=later, used_at=now, revoked_at=None, now=now) is InviteState.USED
    assert invite_state(expires_at=later, used_at=None, revoked_at=now, now=now) is InviteState.REVOKED


def test_phone_numbers_from_rosters_and_telegram():
    assert normalize_phone("+998 90 123-45-67") == "998901234567"
    assert normalize_phone("901234567") == "998901234567"
    assert normalize_phone("+996 555 123 456") == "996555123456"
    assert normalize_phone("8 701 234 56 78") == "77012345678"
    assert normalize_phone("12345") is None and normalize_phone(None) is None


def test_roles_come_from_records():
    assert roles_for_staff(set(), False) == set()
    assert roles_for_staff({"teacher"}, True) == {Role.TEACHER, Role.CLASS_TEACHER}
    assert Role.ADMIN in roles_for_staff({"head"}, False)
