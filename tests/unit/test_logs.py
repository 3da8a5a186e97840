"""What bot/logs.py masks, line by line, and which libraries it quiets."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from bot.config import Settings
from bot.logs import NOISY, configure_logging, redact
from bot.statement_links import StatementLinks


def test_phone_numbers_keep_only_their_last_two_digits():
    assert redact("registered as +254712345678.") == "registered as +***78."
    assert redact("To: whatsapp:+14155238886") == "To: whatsapp:+***86"
    assert redact("To=whatsapp%3A%2B254712345678&Body=hi") == "To=whatsapp%3A%2B***78&Body=hi"  # a form body
    # Telegram's contacts and Twilio's WaId carry the number without its +.
    assert redact("{'phone_number': '254712345678', 'first_name': 'Tom'}") == (
        "{'phone_number': '***78', 'first_name': 'Tom'}")
    assert redact('"WaId": "254712345678"') == '"WaId": "***78"'
    # Not phone numbers: times, amounts, ids.
    for line in ("2026-12-02 11:31:15+00:00", "KES 1,000", "update 123456789 handled", "chat -1001234567890"):
        assert redact(line) == line


def test_secrets_are_masked_by_value_and_by_shape():
    line = "POST /bot123456:AAH_some-secret-part_0123456789abcdef/sendMessage /Accounts/AC" + "0" * 32 + "/x"
    assert redact(line) == "POST /bot[redacted]/sendMessage /Accounts/[redacted]/x"
    assert redact("secret_token=hunter2-long", ["hunter2-long"]) == "secret_token=[redacted]"


def test_statement_links_are_masked_wherever_they_appear():
    token = StatementLinks("auth-token").sign(uuid.uuid4(), "pdf", datetime(2026, 12, 4, tzinfo=UTC))
    assert redact(f'"GET {token} HTTP/1.1" 200') == '"GET /statements/[redacted]/statement.pdf HTTP/1.1" 200'
    encoded = quote(f"https://bot.example.org{token}", safe="")  # as the twilio client's form body has it
    assert "[redacted]" in redact(f"MediaUrl={encoded}") and token.split("/")[2] not in redact(f"MediaUrl={encoded}")


def test_libraries_that_log_every_request_are_quiet_unless_debugging():
    try:
        configure_logging(Settings(database_url=None, data_dir=Path("."), log_level="INFO"))
        assert all(logging.getLogger(name).level == logging.WARNING for name in NOISY)
        assert logging.getLogger("twilio.http_client").getEffectiveLevel() == logging.WARNING
    finally:
        for name in NOISY:
            logging.getLogger(name).setLevel(logging.NOTSET)
        logging.basicConfig(force=True, handlers=[logging.NullHandler()])


def test_probes_access_lines_are_quiet_unless_debugging():
    def access(path: str) -> logging.LogRecord:  # as uvicorn writes them
        return logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                                 ("10.0.0.1:5000", "GET", path, "1.1", 200), None)

    access_log = logging.getLogger("uvicorn.access")
    try:
        configure_logging(Settings(database_url=None, data_dir=Path("."), log_level="INFO"))
        assert not access_log.filter(access("/healthz")) and not access_log.filter(access("/metrics?x=1"))
        assert access_log.filter(access("/telegram/webhook"))
        configure_logging(Settings(database_url=None, data_dir=Path("."), log_level="DEBUG"))
        assert access_log.filter(access("/healthz"))
    finally:
        for name in NOISY:
            logging.getLogger(name).setLevel(logging.NOTSET)
        access_log.filters.clear()
        logging.basicConfig(force=True, handlers=[logging.NullHandler()])
