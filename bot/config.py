"""Settings, read once from the environment (and a `.env` file) into a frozen object.

Nothing else in the project reads os.environ, so what the bot can be configured with is all here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from dotenv import load_dotenv

TELEGRAM_API = "https://api.telegram.org"
DRAND_URL = "https://api.drand.sh"  # the League of Entropy's public drand relay
_TOKEN_SHAPE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,100}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line meant for the person deploying."""


@dataclass(frozen=True)
class Settings:
    database_url: str | None  # None: run the embedded PostgreSQL in data_dir
    data_dir: Path
    log_level: str = "INFO"
    telegram_token: str | None = None
    telegram_api_url: str = TELEGRAM_API
    telegram_rate_limit: bool = True  # off for a self-hosted Bot API server without Telegram's limits
    webhook_secret: str | None = None
    public_url: str | None = None  # where Telegram and Twilio reach `python -m bot serve`
    port: int = 8080
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_whatsapp_from: str | None = None  # e.g. whatsapp:+14155238886
    twilio_api_url: str | None = None  # another Twilio API base (tests, a proxy); default Twilio's
    twilio_messages_per_second: float = 10.0
    twilio_reminder_content_sid: str | None = None  # approved template for reminders outside 24 hours
    twilio_paid_content_sid: str | None = None  # quick-reply template ({{1}} the text, a PAID button)
    # Days without any organizer acting in a circle before its members may vote for a new organizer
    # or to end it (core/stewardship.py).
    organizer_absent_days: int = 14
    # Flood limits (core/limits.py): circles one person may create a day; joins and leaves of one
    # person in one circle an hour (each is announced to every member).
    max_circles_per_day: int = 5
    max_seat_changes_per_hour: int = 6
    # Any drand HTTP relay: draws mix in a public random number from it (bot/beacon.py).
    drand_url: str = DRAND_URL
    # --- observe: polling mode's /healthz and /metrics port (webhook mode serves them on PORT); None: none
    metrics_port: int | None = None

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_whatsapp_from)

    def require_whatsapp(self) -> None:
        if not self.twilio_account_sid.startswith("AC"):
            raise ConfigError("TWILIO_ACCOUNT_SID should start with AC (see the Twilio console)")
        if not self.twilio_whatsapp_from.startswith("whatsapp:+"):
            raise ConfigError("TWILIO_WHATSAPP_FROM must look like whatsapp:+14155238886")
        if not self.public_url:
            raise ConfigError("PUBLIC_URL is needed for WhatsApp: Twilio signs requests for that address")

    def require_telegram(self) -> str:
        if not self.telegram_token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in .env")
        if not _TOKEN_SHAPE.match(self.telegram_token):
            raise ConfigError("TELEGRAM_BOT_TOKEN doesn't look like a bot token (expected 123456:ABC-...)")
        return self.telegram_token


def _flag(value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def load_settings(env_file: str | os.PathLike[str] | None = ".env") -> Settings:
    if env_file is not None:
        load_dotenv(env_file, override=False)  # real environment variables win over the file
    env = os.environ
    data_dir = env.get("ROSCA_DATA_DIR") or platformdirs.user_data_dir("family-rosca-bot")
    port = env.get("PORT", "8080")
    if not port.isdigit():
        raise ConfigError(f"PORT must be a number, not {port!r}")
    metrics_port = env.get("METRICS_PORT") or None  # --- observe
    if metrics_port is not None and not metrics_port.isdigit():
        raise ConfigError(f"METRICS_PORT must be a number, not {metrics_port!r}")
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        data_dir=Path(data_dir).expanduser(),
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        telegram_token=(env.get("TELEGRAM_BOT_TOKEN") or "").strip() or None,
        telegram_api_url=(env.get("TELEGRAM_API_URL") or TELEGRAM_API).rstrip("/"),
        telegram_rate_limit=_flag(env.get("TELEGRAM_RATE_LIMIT"), True),
        webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
        public_url=(env.get("PUBLIC_URL") or "").rstrip("/") or None,
        port=int(port),
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        twilio_whatsapp_from=env.get("TWILIO_WHATSAPP_FROM") or None,
        twilio_api_url=(env.get("TWILIO_API_URL") or "").rstrip("/") or None,
        twilio_messages_per_second=_number(env.get("TWILIO_MESSAGES_PER_SECOND"), 10.0, "TWILIO_MESSAGES_PER_SECOND"),
        twilio_reminder_content_sid=env.get("TWILIO_REMINDER_CONTENT_SID") or None,
        twilio_paid_content_sid=env.get("TWILIO_PAID_CONTENT_SID") or None,
        organizer_absent_days=_days(env.get("ORGANIZER_ABSENT_DAYS"), 14, "ORGANIZER_ABSENT_DAYS"),
        max_circles_per_day=_count(env.get("MAX_CIRCLES_PER_DAY"), 5, "MAX_CIRCLES_PER_DAY"),
        max_seat_changes_per_hour=_count(env.get("MAX_SEAT_CHANGES_PER_HOUR"), 6, "MAX_SEAT_CHANGES_PER_HOUR"),
        drand_url=(env.get("DRAND_URL") or DRAND_URL).rstrip("/"),
        metrics_port=int(metrics_port) if metrics_port else None,  # --- observe
    )


def _days(value: str | None, default: int, name: str) -> int:
    if value is None or not value.strip():
        return default
    if not value.strip().isdigit() or not 1 <= int(value) <= 365:
        raise ConfigError(f"{name} must be a whole number of days from 1 to 365, not {value!r}")
    return int(value)


def _number(value: str | None, default: float, name: str) -> float:
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {value!r}") from None
    if number <= 0:
        raise ConfigError(f"{name} must be more than 0")
    return number


def _count(value: str | None, default: int, name: str) -> int:
    if value is None or not value.strip():
        return default
    if not value.strip().isdigit() or int(value) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)
