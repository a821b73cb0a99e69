"""Validated configuration: environment variables and an optional ``.env`` file."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from state.incident import AggregationRule

TOKEN_PATTERN = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,64}$")
LANGUAGES = ("da", "en")


class SettingsError(Exception):
    """The configuration is missing or invalid; the message is one line for stderr."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str = Field(default="", repr=False)
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_bot_username: str = ""
    database_path: Path = Path("data/bekey.sqlite3")
    default_language: str = "da"
    timezone: str = "Europe/Copenhagen"

    invite_ttl_hours: float = Field(default=72, gt=0)
    triage_idle_minutes: float = Field(default=30, gt=0)
    escalate_first_minutes: float = Field(default=15, gt=0)
    escalate_second_minutes: float = Field(default=30, gt=0)
    scan_interval_seconds: float = Field(default=30, gt=0)

    bekey_support_name: str = "Bekey support"
    bekey_support_phone: str = "43 30 05 05"
    it_helpdesk_name: str = "IT-hotline"
    it_helpdesk_phone: str = ""
    lock_partner_name: str = "Låsepartner"
    lock_partner_phone: str = ""

    retention_months: int = Field(default=13, gt=0, le=1200)

    incident_reports: int = Field(default=3, ge=2)
    incident_window_minutes: float = Field(default=10, gt=0)
    incident_quiet_minutes: float = Field(default=60, gt=0)
    broadcast_max_chars: int = Field(default=400, ge=20, le=3000)

    send_rate_per_second: float = Field(default=29, gt=0)
    send_burst: int = Field(default=20, ge=1)
    send_chat_rate_per_second: float = Field(default=1, gt=0)
    send_chat_burst: int = Field(default=2, ge=1)
    send_in_flight: int = Field(default=16, ge=1, le=256)
    send_retry_max_seconds: float = Field(default=30, gt=0)
    edit_every_seconds: float = Field(default=6, ge=0)
    give_up_sending_hours: float = Field(default=48, ge=24)
    late_answer_minutes: float = Field(default=3, gt=0)
    flood_messages: int = Field(default=10, ge=1)
    flood_seconds: float = Field(default=10, gt=0)

    smartkey_due_hours: float = Field(default=8, gt=0, le=72)
    smartkey_overdue_alert_minutes: float = Field(default=30, ge=0)
    smartkey_stale_days: float = Field(default=7, gt=0)
    smartkey_request_minutes: float = Field(default=15, gt=0)
    smartkey_weekly_day: int = Field(default=1, ge=1, le=7)
    smartkey_weekly_time: str = "08:00"

    training_weekly_day: int = Field(default=1, ge=1, le=7)
    training_weekly_time: str = "09:00"
    training_late_weeks: float = Field(default=4, gt=0)

    morning_summary_time: str = ""

    leaver_reminder_hours: float = Field(default=24, gt=0)

    @field_validator("telegram_api_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("TELEGRAM_API_BASE_URL must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"TIMEZONE {value!r} is not a known time zone") from exc
        return value

    @field_validator("smartkey_weekly_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        try:
            time.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"SMARTKEY_WEEKLY_TIME {value!r} is not a time like 08:00") from exc
        return value.strip()

    @field_validator("training_weekly_time")
    @classmethod
    def _training_clock_time(cls, value: str) -> str:
        """Check TRAINING_WEEKLY_TIME is a time of day."""
        try:
            time.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"TRAINING_WEEKLY_TIME {value!r} is not a time like 09:00") from exc
        return value.strip()

    @field_validator("morning_summary_time")
    @classmethod
    def _summary_clock_time(cls, value: str) -> str:
        """Check MORNING_SUMMARY_TIME is empty (the start of planner hours) or a time of day."""
        if not value.strip():
            return ""
        try:
            time.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"MORNING_SUMMARY_TIME {value!r} is not a time like 07:00") from exc
        return value.strip()

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def invite_ttl(self) -> timedelta:
        """How long an invite link stays valid."""
        return timedelta(hours=self.invite_ttl_hours)

    @property
    def triage_idle(self) -> timedelta:
        """How long a triage may sit idle before it expires."""
        return timedelta(minutes=self.triage_idle_minutes)

    @property
    def escalate_first(self) -> timedelta:
        """Untaken this long: sent again to planners and key persons."""
        return timedelta(minutes=self.escalate_first_minutes)

    @property
    def escalate_second(self) -> timedelta:
        """Untaken this much longer still: sent to the unit's leader."""
        return timedelta(minutes=self.escalate_second_minutes)

    @property
    def incident_rule(self) -> AggregationRule:
        """When reports of one kind become an outage incident."""
        return AggregationRule(
            reports=self.incident_reports, window=timedelta(minutes=self.incident_window_minutes)
        )

    @property
    def incident_quiet(self) -> timedelta:
        """An incident with no new report this long asks its planners whether it is over."""
        return timedelta(minutes=self.incident_quiet_minutes)

    @property
    def edit_every(self) -> timedelta:
        """The least time between two edits of one pushed message (a growing card)."""
        return timedelta(seconds=self.edit_every_seconds)

    @property
    def give_up_sending(self) -> timedelta:
        """How long the sender keeps trying a message through network errors."""
        return timedelta(hours=self.give_up_sending_hours)

    @property
    def late_answer(self) -> timedelta:
        """An update older than this when handled gets an answer that says when it was sent."""
        return timedelta(minutes=self.late_answer_minutes)

    @property
    def flood_window(self) -> timedelta:
        """The time in which one person may send ``flood_messages`` messages."""
        return timedelta(seconds=self.flood_seconds)

    @property
    def smartkey_due(self) -> timedelta:
        """How long after its hand-out a Smartkey is due back (the end of a shift)."""
        return timedelta(hours=self.smartkey_due_hours)

    @property
    def smartkey_overdue_alert(self) -> timedelta:
        """How long after the holder's reminder an overdue key is told to the planners."""
        return timedelta(minutes=self.smartkey_overdue_alert_minutes)

    @property
    def smartkey_stale(self) -> timedelta:
        """A Smartkey not updated this long is stale (the procedure: once a week)."""
        return timedelta(days=self.smartkey_stale_days)

    @property
    def smartkey_request_wait(self) -> timedelta:
        """Unanswered this long, a request for a Smartkey escalates like a ticket."""
        return timedelta(minutes=self.smartkey_request_minutes)

    @property
    def smartkey_weekly_at(self) -> time:
        """The local time of day of the weekly reminder."""
        return time.fromisoformat(self.smartkey_weekly_time)

    @property
    def leaver_reminder(self) -> timedelta:
        """How often the planners are reminded of a leaver not yet closed in Bekey."""
        return timedelta(hours=self.leaver_reminder_hours)

    @property
    def training_weekly_at(self) -> time:
        """The local time of day of the key persons' weekly training reminder."""
        return time.fromisoformat(self.training_weekly_time)

    @property
    def training_late(self) -> timedelta:
        """Still untrained this long after joining: the employee is named to the leader."""
        return timedelta(weeks=self.training_late_weeks)

    @property
    def morning_summary_at(self) -> time | None:
        """The local time of the planners' morning summary (None: when their hours start)."""
        return time.fromisoformat(self.morning_summary_time) if self.morning_summary_time else None

    def unset_numbers(self) -> list[str]:
        """Name the support directory's phone settings that are empty."""
        numbers = {
            "BEKEY_SUPPORT_PHONE": self.bekey_support_phone,
            "LOCK_PARTNER_PHONE": self.lock_partner_phone,
            "IT_HELPDESK_PHONE": self.it_helpdesk_phone,
        }
        return [name for name, value in numbers.items() if not value.strip()]

    def require_token(self) -> str:
        """Return the bot token, or raise SettingsError if it is missing or malformed."""
        token = self.telegram_bot_token.strip()
        if not token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in .env "
                "or the environment."
            )
        if not TOKEN_PATTERN.match(token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<letters>' as @BotFather "
                "gives it."
            )
        return token


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings, turning validation errors into one SettingsError line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]).upper() or "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{field}: {message}") from None
