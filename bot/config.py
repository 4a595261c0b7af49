"""Settings from the environment or a `.env` file (see README for every variable)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.languages import DEFAULT_LANGUAGE as DEFAULT_LANGUAGE
from domain.languages import SUPPORTED_LANGUAGES as SUPPORTED_LANGUAGES


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    #: Base URL of the Bot API server, e.g. a self-hosted telegram-bot-api or the local stand-in.
    bot_api_url: str | None = None
    database_url: str = "sqlite+aiosqlite:///maktab.db"
    #: Redis for FSM state when several bot instances run; memory storage when empty.
    redis_url: str | None = None
    #: Prefix of this bot's own Redis keys (shared send budget, webhook update ids).
    redis_prefix: str = "maktab"

    #: "polling" (default) or "webhook".
    mode: str = "polling"
    webhook_base_url: str | None = None
    webhook_path: str = "/telegram/webhook"
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080

    #: The Mini App's public https address (e.g. https://example.org/webapp); empty: no grid button.
    webapp_url: str | None = None
    #: Polling mode serves the Mini App on a port of its own (webhook mode uses the webhook server).
    webapp_host: str = "0.0.0.0"
    webapp_port: int = 8081
    #: Telegram's initData is refused when its auth_date is older than this (seconds).
    webapp_auth_max_age: int = 86400

    default_language: str = DEFAULT_LANGUAGE
    log_level: str = "INFO"

    exam_minutes: int = 45
    exam_questions: int = 30
    exam_pass_percent: float = 60.0
    exam_cooldown_minutes: int = 0
    invite_code_days: int = 14
    #: The organisation printed on certificates as their issuer (beside the teacher's confirmed school).
    certificate_issuer: str = "Maktab Bot"

    #: Run the reminder scheduler in this process.
    scheduler_enabled: bool = True
    #: Overall message rate for reminder fan-out (Telegram allows about 30/s per bot).
    broadcast_rate: float = 29.0
    #: Opt-in Telegram paid broadcasts: reminders are sent with allow_paid_broadcast=True, which lets a bot send
    #: up to 1,000 messages/s for 0.1 Star a message, from the bot's Star balance (Bot API, sendMessage).
    #: Raise BROADCAST_RATE with it; see README "Capacity" for the cost.
    paid_broadcast: bool = False
    #: Reminders are neither planned nor sent between these school-local hours (21:00–08:00 by default).
    quiet_start_hour: int = 21
    quiet_end_hour: int = 8
    #: Days before a summative's due date when its teachers are reminded (env: SUMMATIVE_LEAD_DAYS=[3,1]).
    summative_lead_days: list[int] = [3, 1]
    #: A reminder left "sending" this long (the sender died mid-request) is marked unknown, never resent.
    outbox_stuck_minutes: int = 10
