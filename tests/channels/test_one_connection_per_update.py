"""Every Telegram update and WhatsApp message uses at most one database connection at a time.

An update's first unit of work stays open until its change continues it (core/inbox.arrive), so a
handler that opened a second one meanwhile would hold two connections: under a burst, every pooled
connection held by an update waiting for another, and the bot stuck. Here the transcripts run
against a pool of exactly one connection, which fails fast instead.
"""

from __future__ import annotations

import pytest

from core.db import make_engine
from tests.channels.test_telegram_family_circle import test_five_members_run_a_whole_circle  # noqa: F401
from tests.channels.test_telegram_identity_and_roles import *  # noqa: F403
from tests.channels.test_telegram_robustness import *  # noqa: F403
from tests.channels.test_whatsapp import *  # noqa: F403


@pytest.fixture
async def engine(clean_database: str):
    engine = make_engine(clean_database, pool_size=1, max_overflow=0, pool_timeout=3)
    yield engine
    await engine.dispose()
