"""No database connection is checked out while the bot waits on Telegram or Twilio (issue 12): one
slow chat must never hold a connection another family needs. The whole-circle transcripts and the
statements (documents uploaded after seconds of rendering) run here again, one update at a time and
one outbox message at a time, with the fake servers noting, at every request the bot makes, whether
the bot holds a pooled connection: with nothing else running, any it holds was taken across the call.
"""

from __future__ import annotations

import pytest

from tests.channels.test_statement_telegram import *  # noqa: F403
from tests.channels.test_telegram_family_circle import test_five_members_run_a_whole_circle  # noqa: F401
from tests.channels.test_telegram_robustness import *  # noqa: F403
from tests.channels.test_whatsapp import *  # noqa: F403


@pytest.fixture(autouse=True)
def no_connection_held_during_calls(bot, fake_telegram, fake_twilio, engine):
    held: list[str] = []
    bot.dispatcher.concurrency = 1  # chats one after another: another chat's claim would look held

    def observe(path: str) -> None:
        if engine.pool.checkedout():
            held.append(path.rsplit("/", 1)[-1])

    fake_telegram.observer = fake_twilio.observer = observe
    yield
    assert not held, f"requests made while holding a database connection: {held}"
