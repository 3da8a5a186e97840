"""Signed statement links (bot/statement_links.py): a token names a circle, a kind and an expiry, and
only the key that signed it accepts it; a refused link is refused before any database is opened."""

from __future__ import annotations

import string
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from bot.statement_links import LIFETIME, Link, StatementLinks, statement_routes
from core.uow import UnitOfWork

CIRCLE = uuid.UUID("5400803b-9138-4f27-b2b8-8830a79b8c31")
NOW = datetime(2026, 12, 3, 9, 30, 15, tzinfo=UTC)
LINKS = StatementLinks("7e3f9a1c5b2d4e6f8091a2b3c4d5e6f7")
ALPHABET = string.ascii_letters + string.digits + "-_"


def token_of(path: str) -> str:
    return path.split("/")[2]


def test_a_signed_link_names_its_circle_kind_and_expiry():
    path = LINKS.sign(CIRCLE, "pdf", NOW + LIFETIME)
    assert path.startswith("/statements/") and path.endswith("/statement.pdf")
    assert LINKS.verify(token_of(path)) == Link(CIRCLE, "pdf", NOW + timedelta(hours=24))
    assert LINKS.verify(token_of(LINKS.sign(CIRCLE, "csv", NOW))).kind == "csv"
    signature = token_of(path).rsplit(".", 1)[1]
    assert len(signature) == 22  # 128 bits, base64url without padding
    with pytest.raises(ValueError):
        LINKS.sign(CIRCLE, "xlsx", NOW)


def test_any_changed_character_or_another_key_is_refused():
    token = token_of(LINKS.sign(CIRCLE, "pdf", NOW))
    for at, char in enumerate(token):
        for other in (c for c in ALPHABET + "." if c != char):
            if LINKS.verify(token[:at] + other + token[at + 1:]) is not None:
                pytest.fail(f"{token[:at] + other + token[at + 1:]} accepted")
    assert StatementLinks("0" * 32).verify(token) is None
    for malformed in ("", token + "=", token + ".x", token.replace(".", "..", 1), "a.pdf.1.b", token.upper()):
        assert LINKS.verify(malformed) is None


class NoDatabase:
    """Sessions for a unit of work that must not be opened."""

    def __call__(self):
        raise AssertionError("the database was read")


async def get(path: str, now: datetime) -> httpx.Response:
    app = Starlette(routes=statement_routes(LINKS, lambda: UnitOfWork(NoDatabase(), clock=lambda: now)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        return await client.get(path)


async def test_a_bad_or_expired_link_is_refused_before_the_database():
    path = LINKS.sign(CIRCLE, "csv", NOW + LIFETIME)
    forged = StatementLinks("0" * 32).sign(CIRCLE, "csv", NOW + LIFETIME)
    assert (await get(forged, NOW)).status_code == 404
    assert (await get(path.replace("statement.csv", "statement.pdf"), NOW)).status_code == 404
    assert (await get(path, NOW + LIFETIME)).status_code == 410  # expired at the second it was signed for
    with pytest.raises(AssertionError, match="the database was read"):  # a good link does read it
        await get(path, NOW + LIFETIME - timedelta(seconds=1))
