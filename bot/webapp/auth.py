"""Who is asking: Telegram's `initData`, checked as Telegram documents (HMAC-SHA256 with a key derived from
the bot token, by aiogram's `safe_parse_webapp_init_data`) and refused once `auth_date` is older than the
configured window. The user id comes from here and nothing else; role and school come from the database."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from urllib.parse import urlencode

from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data

#: A little clock skew between Telegram's servers and ours is tolerated for auth_date in the future.
FUTURE_SKEW = timedelta(minutes=5)


class InitDataRefused(Exception):
    """Missing, forged, tampered with, or too old. `reason` is for logs, never shown to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def validate_init_data(token: str, init_data: str | None, *, now: datetime, max_age: timedelta) -> WebAppInitData:
    if not init_data:
        raise InitDataRefused("no initData")
    try:
        data = safe_parse_webapp_init_data(token, init_data)
    except ValueError as exc:
        raise InitDataRefused("bad signature") from exc
    if data.user is None:
        raise InitDataRefused("no user")
    auth_date = data.auth_date
    if now - auth_date > max_age:
        raise InitDataRefused("expired")
    if auth_date - now > FUTURE_SKEW:
        raise InitDataRefused("auth_date in the future")
    return data


def init_data_from_header(value: str | None) -> str | None:
    """`Authorization: tma <initData>` (the form Telegram's docs use); None when absent."""
    if not value:
        return None
    scheme, _sep, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "tma" else None


def sign_init_data(token: str, user: dict, *, auth_date: datetime, query_id: str = "AAHdF6IQAAAAAN0XohDhrOrc",
                   **extra: str) -> str:
    """initData as Telegram would send it for `user` (for the console's local links and for tests)."""
    fields = {"query_id": query_id, "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
              "auth_date": str(int(auth_date.timestamp())), **extra}
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)
