"""What runs beside the chat handlers: the outbox dispatcher and the once-a-minute scheduler tick."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.dispatcher import Dispatcher
from core.autodraws import run_due_draws
from core.draws import BeaconFetch
from core.reminders import plan_reminders
from core.retention import prune
from core.stewardship import expire_votes
from core.uow import UnitOfWork

log = logging.getLogger(__name__)


async def tick(new_uow: Callable[[], UnitOfWork], dispatcher: Dispatcher, beacon: BeaconFetch) -> None:
    """Find what is due from the database alone: safe after a restart, a missed tick, or on two
    instances at once (see core/reminders.py and core/autodraws.py)."""
    planned = await plan_reminders(new_uow())
    drawn = await run_due_draws(new_uow, beacon)
    expired = await expire_votes(new_uow)
    if planned or drawn or expired:
        log.info("scheduler: %d reminder(s) queued, %d automatic draw(s), %d vote(s) expired",
                 planned, len(drawn), expired)
        dispatcher.wake.set()
    else:
        log.debug("scheduler tick: nothing due")


class Background:
    def __init__(self, new_uow: Callable[[], UnitOfWork], dispatcher: Dispatcher, beacon: BeaconFetch) -> None:
        self.new_uow, self.dispatcher, self.beacon = new_uow, dispatcher, beacon
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._delivery: asyncio.Task | None = None
        # When the last tick completed (time.monotonic()), or when we started until one has: /healthz
        # reports its age. Kept in memory: each process runs its own scheduler, and it is this
        # process a health check is about.
        self.last_tick: float | None = None

    def tick_age(self) -> float | None:
        """Seconds since the last completed tick; None while the scheduler is not running."""
        return None if self.last_tick is None else time.monotonic() - self.last_tick

    async def start(self) -> None:
        self.last_tick = time.monotonic()
        self._delivery = asyncio.create_task(self.dispatcher.run_forever(), name="outbox-dispatcher")
        self.scheduler.add_job(self._tick, "interval", id="tick", minutes=1, coalesce=True, max_instances=1,
                               misfire_grace_time=55, next_run_time=datetime.now(UTC))
        # Retention (core/retention.py): hourly, and once at start, so a bot restarted often prunes too.
        self.scheduler.add_job(self._prune, "interval", hours=1, coalesce=True, max_instances=1,
                               misfire_grace_time=3000, next_run_time=datetime.now(UTC))
        self.scheduler.start()

    async def stop(self) -> None:
        self.last_tick = None
        self.scheduler.shutdown(wait=False)
        if self._delivery is not None:
            self._delivery.cancel()
            await asyncio.gather(self._delivery, return_exceptions=True)

    async def _tick(self) -> None:
        try:
            await tick(self.new_uow, self.dispatcher, self.beacon)
        except Exception:  # the database is away for a moment: the next tick catches up
            log.exception("scheduler tick failed")
            return
        self.last_tick = time.monotonic()

    async def _prune(self) -> None:
        try:
            deliveries, messages, conversations = await prune(self.new_uow())
        except Exception:  # the database is away for a moment: the next run catches up
            log.exception("retention: pruning failed")
            return
        if deliveries or messages or conversations:
            log.info("retention: deleted %d old delivery id(s), %d old outbox message(s) and %d abandoned "
                     "conversation(s)", deliveries, messages, conversations)
