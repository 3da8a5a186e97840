"""What an operator can watch (README, Monitoring): Prometheus counters moved where things happen
already (an update handled, an error answered, a message sent), gauges read from the database only
when scraped, and one INFO line per handled update. Nothing here costs a statement per update.

The log line names the update by id, command word and kind of chat, never a person, a chat or
what they wrote: `telegram update 1234: /paid in group (12 ms)`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from prometheus_client import Counter, Gauge
from sqlalchemy import text
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.errors import CoreError

log = logging.getLogger("bot.updates")

UPDATES = Counter("rosca_updates", "Telegram updates and WhatsApp messages handled", ["channel"])
ERRORS = Counter("rosca_errors", "Updates that ended in an error: refusal (a rule or the input said no, and the "
                 "person was told why), database (unreachable), unexpected (a bug, logged with its traceback)",
                 ["channel", "kind"])
SENDS = Counter("rosca_sends", "Outbox messages handed to a channel: sent, retry (failed, tried again later), "
                "failed (given up)", ["channel", "result"])
DATABASE_UP = Gauge("rosca_database_up", "1 if the database answered the last scrape, else 0")
OUTBOX_PENDING = Gauge("rosca_outbox_pending", "Outbox messages not yet delivered (read when scraped)")
OUTBOX_LAG = Gauge("rosca_outbox_lag_seconds", "Age of the oldest undelivered outbox message, 0 if none "
                   "(read when scraped)")
TICK_AGE = Gauge("rosca_scheduler_tick_age_seconds", "Seconds since this process's scheduler last completed "
                 "a tick (read when scraped)")

REFUSAL, DATABASE, UNEXPECTED, DUPLICATE = "refusal", "database", "unexpected", "duplicate"
_SAID = {REFUSAL: "refused", DATABASE: "database away", UNEXPECTED: "failed", DUPLICATE: "already handled"}


@dataclass
class Handling:
    """The update in hand: how it ended, for its log line."""

    outcome: str | None = None


_in_hand: ContextVar[Handling | None] = ContextVar("rosca_update_in_hand", default=None)


@contextlib.contextmanager
def handled(channel: str, label: str) -> Iterator[Handling]:
    """Count one update and write its line once handled; `label` must hold no personal data."""
    UPDATES.labels(channel).inc()
    handling = Handling()
    token = _in_hand.set(handling)
    started = time.perf_counter()
    try:
        yield handling
    finally:
        _in_hand.reset(token)
        said = f", {_SAID[handling.outcome]}" if handling.outcome else ""
        log.info("%s%s (%d ms)", label, said, (time.perf_counter() - started) * 1000)


def error_kind(error: BaseException) -> str:
    # DataError: the database refused something the person sent (a NUL byte); they are told so.
    if isinstance(error, CoreError | DataError):
        return REFUSAL
    return DATABASE if isinstance(error, DBAPIError) else UNEXPECTED


def count_error(channel: str, kind: str) -> None:
    ERRORS.labels(channel, kind).inc()
    if (handling := _in_hand.get()) is not None:
        handling.outcome = kind


def count_send(channel: str, result: str) -> None:
    SENDS.labels(channel.lower(), result).inc()


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_seconds: float | None  # None: nothing pending


# Literal status: the planner can use the partial index on pending rows (core/models.py, outbox).
_BACKLOG = text("select count(*), extract(epoch from now() - min(created_at)) from outbox where status = 'PENDING'")


async def outbox_backlog(engine: AsyncEngine) -> Backlog:
    async with engine.connect() as conn:
        pending, oldest = (await conn.execute(_BACKLOG)).one()
    return Backlog(pending, None if oldest is None else max(0.0, float(oldest)))
