"""Two lanes for what the bot sends. Interactive: the answer to someone who just acted, or a decision
someone is waiting for. Bulk: what the clock or one action sends to many (reminders, announcements).
Within Telegram's and Twilio's limits, interactive sends go first and bulk ones still get a share, so
a reminder storm never makes a family wait and a flood of taps never starves the reminders.

A send's lane is the context it runs in: interactive unless the code sending it says `with bulk():`
(bot/dispatcher.py for bulk outbox messages), read by the rate limiter (bot/send_limits.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

INTERACTIVE, BULK = "interactive", "bulk"
current: ContextVar[str] = ContextVar("lane", default=INTERACTIVE)


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    token = current.set(BULK)
    try:
        yield
    finally:
        current.reset(token)
