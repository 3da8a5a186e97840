"""Delivers the outbox: chats in parallel, each chat's messages in order, retries with backoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import metrics
from core import outbox
from core.models import Channel
from core.outbox import DeliveryFailed, Due
from core.uow import utc_now

log = logging.getLogger(__name__)
Sender = Callable[[Due], Awaitable[str | None]]  # returns the provider's message id, if it has one


class Dispatcher:
    def __init__(self, engine: AsyncEngine, senders: dict[Channel, Sender], *,
                 clock: Callable[[], datetime] = utc_now, concurrency: int = 8) -> None:
        self.engine, self.senders, self.clock = engine, senders, clock
        self.concurrency = concurrency
        self.wake = asyncio.Event()

    async def drain(self) -> int:
        """Deliver everything due now; returns how many messages were handled."""
        total = 0
        while handled := await self.run_once():
            total += handled
        return total

    async def run_once(self) -> int:
        async with self.engine.connect() as conn:
            chats = await outbox.chats_with_due_messages(conn, self.clock(), limit=self.concurrency * 4)
        chats = [(channel, address) for channel, address in chats if channel in self.senders]
        limit = asyncio.Semaphore(self.concurrency)

        async def work(channel: Channel, address: str) -> int:
            async with limit:
                return await self._work_chat(channel, address)

        return sum(await asyncio.gather(*(work(c, a) for c, a in chats)))

    async def run_forever(self, interval: float = 1.0) -> None:
        while True:
            try:
                await self.drain()
            except Exception:  # the database or the network is down: log, wait, try again
                log.exception("outbox delivery failed; retrying shortly")
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=interval)
            except TimeoutError:
                pass

    async def _work_chat(self, channel: Channel, address: str) -> int:
        handled = 0
        async with self.engine.connect() as conn:
            if not await outbox.try_lock_chat(conn, channel, address):
                return 0  # another dispatcher is working this chat
            try:
                while (message := await outbox.head_of_chat(conn, channel, address, self.clock())) is not None:
                    await self._deliver(conn, message)
                    await conn.commit()
                    handled += 1
                await conn.rollback()
            finally:
                await outbox.unlock_chat(conn, channel, address)
        return handled

    async def _deliver(self, conn, message: Due) -> None:
        """Send while holding the message's row lock; mark it in the same transaction."""
        try:
            provider_id = await self.senders[message.channel](message)
        except DeliveryFailed as failure:
            if failure.permanent:
                log.warning("outbox message %s to %s failed for good: %s", message.id, message.channel, failure)
                await outbox.mark_failed(conn, message.id, str(failure))
            else:
                wait = timedelta(seconds=failure.retry_after) if failure.retry_after else None
                await outbox.mark_retry(conn, message, str(failure), self.clock(), wait)
            metrics.count_send(message.channel, "failed" if failure.permanent else _retried(message))
            return
        except Exception as error:  # a bug in a sender must not wedge the chat: retry, then give up
            log.exception("sending outbox message %s crashed", message.id)
            await outbox.mark_retry(conn, message, repr(error), self.clock())
            metrics.count_send(message.channel, _retried(message))
            return
        await outbox.mark_sent(conn, message.id, self.clock(), provider_id)
        metrics.count_send(message.channel, "sent")


def _retried(message: Due) -> str:
    """What mark_retry made of a failed attempt: another try later, or the last one (given up)."""
    return "failed" if message.attempts + 1 >= outbox.MAX_ATTEMPTS else "retry"
