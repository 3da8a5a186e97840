"""Settings, read once from the environment (and a `.env` file) into a frozen object.

Nothing else in the project reads os.environ, so what the bot can be configured with is all here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs
from dotenv import load_dotenv

from core.db import POOL_SIZE

TELEGRAM_API = "https://api.telegram.org"
DRAND_URL = "https://api.drand.sh"  # the League of Entropy's public drand relay
_TOKEN_SHAPE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,100}$")
TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_FROM")
LOOPBACK = ("localhost", "127.0.0.1", "::1")  # where an http:// PUBLIC_URL is fine: tests, a local proxy
# Hosts whose local disk starts empty at every restart or deploy, each told apart by a variable it sets
# in every container (their documented runtime environment).
EPHEMERAL_PLATFORMS = {"DYNO": "Heroku", "RENDER": "Render", "FLY_APP_NAME": "Fly.io",
                       "RAILWAY_ENVIRONMENT_NAME": "Railway", "RAILWAY_ENVIRONMENT": "Railway",
                       "K_SERVICE": "Google Cloud Run"}
EXAMPLE_URL = "e.g. https://rosca.example.org"


class ConfigError(Exception):
    """A setting is missing, malformed or doesn't work; the message is one line meant for the person
    deploying: it names the setting and says what to do."""


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
    # The platform recognised from its environment (EPHEMERAL_PLATFORMS), whose disk would lose the
    # embedded database; ROSCA_EPHEMERAL_OK says the data folder is on a persistent volume anyway.
    ephemeral_platform: str | None = None
    ephemeral_ok: bool = False
    # --- observe: polling mode's /healthz and /metrics port (webhook mode serves them on PORT); None: none
    metrics_port: int | None = None
    # Database connections kept open (core/db.make_engine); as many more are opened in a burst.
    database_pool_size: int = POOL_SIZE

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_whatsapp_from)

    def require_whatsapp(self) -> None:
        if not self.twilio_account_sid.startswith("AC"):
            raise ConfigError("TWILIO_ACCOUNT_SID should start with AC (see the Twilio console)")
        if not self.twilio_whatsapp_from.startswith("whatsapp:+"):
            raise ConfigError("TWILIO_WHATSAPP_FROM must look like whatsapp:+14155238886")
        self.require_public_url()

    def require_public_url(self) -> str:
        """Without a usable one `serve` would run deaf: Telegram posts updates only to https, and
        Twilio signs its requests for that exact address."""
        needs = ("WhatsApp needs it (Twilio posts to it and signs for it)" if self.whatsapp_enabled
                 else "`serve` needs it for Telegram's webhook (or use `run` to poll instead)")
        if not self.public_url:
            raise ConfigError(f"PUBLIC_URL is not set: {needs}; set the bot's public https:// address, {EXAMPLE_URL}")
        try:
            parts = urlsplit(self.public_url)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
                or parts.fragment:
            raise ConfigError(f"PUBLIC_URL {self.public_url!r} is not a web address: {needs}; {EXAMPLE_URL}")
        if parts.scheme == "http" and parts.hostname not in LOOPBACK:
            raise ConfigError(f"PUBLIC_URL must start with https:// (Telegram and Twilio post only to https; "
                              f"http:// is for localhost): {needs}")
        return self.public_url

    def require_lasting_data_dir(self) -> None:
        """The embedded database lives on the local disk; some platforms wipe it at every restart."""
        if self.ephemeral_platform and not self.ephemeral_ok:
            raise ConfigError(f"DATABASE_URL is not set, and on {self.ephemeral_platform} the embedded database would "
                              "lose every circle at the next restart: attach PostgreSQL and set DATABASE_URL (or set "
                              "ROSCA_EPHEMERAL_OK=1 if ROSCA_DATA_DIR is on a persistent volume)")

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
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigError(f"PORT must be a port number (1-65535), not {port!r}")
    twilio_missing = [name for name in TWILIO_SETTINGS if not env.get(name)]
    if 0 < len(twilio_missing) < len(TWILIO_SETTINGS):
        raise ConfigError(f"{' and '.join(twilio_missing)} not set: WhatsApp needs all of {', '.join(TWILIO_SETTINGS)} "
                          "(leave all three unset for Telegram only)")
    metrics_port = env.get("METRICS_PORT") or None  # --- observe
    if metrics_port is not None and not (metrics_port.isdigit() and 1 <= int(metrics_port) <= 65535):
        raise ConfigError(f"METRICS_PORT must be a port number (1-65535), not {metrics_port!r}")
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        data_dir=Path(data_dir).expanduser(),
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        telegram_token=(env.get("TELEGRAM_BOT_TOKEN") or "").strip() or None,
        telegram_api_url=_telegram_api_url(env.get("TELEGRAM_API_URL")),
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
        ephemeral_platform=next((name for variable, name in EPHEMERAL_PLATFORMS.items() if env.get(variable)), None),
        ephemeral_ok=_flag(env.get("ROSCA_EPHEMERAL_OK"), False),
        metrics_port=int(metrics_port) if metrics_port else None,  # --- observe
        database_pool_size=_count(env.get("DATABASE_POOL_SIZE"), POOL_SIZE, "DATABASE_POOL_SIZE"),
    )


def _telegram_api_url(value: str | None) -> str:
    """The Bot API server's base URL. python-telegram-bot's own setting ends in /bot (its base_url); we add
    that ourselves, so a copied value is taken without it rather than failing as a wrong token."""
    url = (value or TELEGRAM_API).strip().rstrip("/").removesuffix("/bot")
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"TELEGRAM_API_URL must be a web address like {TELEGRAM_API}, not {value!r}")
    return url


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
