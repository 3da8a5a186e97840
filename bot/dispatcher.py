"""Delivers the outbox: chats in parallel, each chat's messages in order, retries with backoff.

Each message is claimed, sent and recorded in three steps (core/outbox.py), so no transaction and no
pooled connection is held while a send waits on the network or in a rate limiter. Bulk messages
(core/outbox.BULK_KINDS) are sent in the bulk lane (bot/lanes.py), behind interactive ones."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import lanes, metrics
from core import outbox
from core.models import Channel
from core.outbox import DeliveryFailed, Due
from core.uow import utc_now
from handlers import i18n

log = logging.getLogger(__name__)
Sender = Callable[[Due], Awaitable[str | None]]  # returns the provider's message id, if it has one
GIVE_BACK_TIMEOUT = 5  # seconds a stopping dispatcher spends handing an interrupted message back
# Seconds at least between two looks for due chats: under a reminder storm the look reads every
# pending message's chat, and chats finish many times a second.
QUERY_GAP = 0.1


class Dispatcher:
    def __init__(self, engine: AsyncEngine, senders: dict[Channel, Sender], *,
                 clock: Callable[[], datetime] = utc_now, concurrency: int = 32) -> None:
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
        """Keep up to `concurrency` chats worked at all times: a chat whose worker finishes frees its
        place for the next due chat at once, so a group waiting minutes on Telegram's 20-a-minute
        limit holds one place, not everyone's turn (as a round that waited for all its chats would)."""
        working: dict[tuple[Channel, str], asyncio.Task] = {}

        def finished(chat: tuple[Channel, str], task: asyncio.Task) -> None:
            working.pop(chat, None)
            if not task.cancelled() and task.exception() is not None:
                log.error("outbox delivery to a chat failed; retrying shortly", exc_info=task.exception())
            self.wake.set()

        try:
            while True:
                self.wake.clear()
                try:
                    for chat in await self._due_chats(self.concurrency - len(working), set(working)):
                        working[chat] = asyncio.create_task(self._work_chat(*chat))
                        working[chat].add_done_callback(functools.partial(finished, chat))
                except Exception:  # the database is down: log, wait, try again
                    log.exception("outbox delivery failed; retrying shortly")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), timeout=interval)
                await asyncio.sleep(QUERY_GAP)  # chats finishing together are refilled by one query
        finally:
            for task in working.values():
                task.cancel()
            if working:
                await asyncio.wait(working.values())

    async def _due_chats(self, room: int, busy: set[tuple[Channel, str]]) -> list[tuple[Channel, str]]:
        if room <= 0:
            return []
        async with self.engine.connect() as conn:
            chats = await outbox.chats_with_due_messages(conn, self.clock(), limit=room + len(busy))
        return [chat for chat in chats if chat[0] in self.senders and chat not in busy][:room]

    async def _work_chat(self, channel: Channel, address: str) -> int:
        handled = 0
        while (message := await self._claim(channel, address)) is not None:
            await self._deliver(message)
            handled += 1
        return handled

    async def _claim(self, channel: Channel, address: str) -> Due | None:
        async with self.engine.begin() as conn:  # committed before the send: the claim is all that is held
            return await outbox.claim_head(conn, channel, address, self.clock())

    async def _deliver(self, message: Due) -> None:
        """Send with no connection checked out, then record the outcome in a short transaction."""
        try:
            provider_id = await self._send(message)
        except DeliveryFailed as failure:
            if failure.permanent:
                log.warning("outbox message %s to %s failed for good: %s", message.id, message.channel, failure)
                await self._record(outbox.mark_failed, message.id, str(failure))
            else:
                wait = timedelta(seconds=failure.retry_after) if failure.retry_after else None
                await self._record(outbox.mark_retry, message, str(failure), self.clock(), wait)
            metrics.count_send(message.channel, "failed" if failure.permanent else _retried(message))
            return
        except asyncio.CancelledError:  # shutting down mid-send: give the message back (it may go twice)
            await self._give_back(message)
            raise
        except Exception as error:  # a bug in a sender must not wedge the chat: retry, then give up
            log.exception("sending outbox message %s crashed", message.id)
            await self._record(outbox.mark_retry, message, repr(error), self.clock())
            metrics.count_send(message.channel, _retried(message))
            return
        await self._record(outbox.mark_sent, message.id, self.clock(), provider_id)
        metrics.count_send(message.channel, "sent")

    async def _send(self, message: Due) -> str | None:
        """The sender's call, in the message's lane, holding the claim for as long as it takes."""
        keeper = asyncio.create_task(self._keep_claim(message.id))
        try:
            # Worded for its reader: a person in their own language, a group in its circle's.
            with (lanes.bulk() if message.kind in outbox.BULK_KINDS else contextlib.nullcontext(),
                  i18n.speaking(message.language)):
                return await self.senders[message.channel](message)
        finally:
            keeper.cancel()

    async def _keep_claim(self, message_id: int) -> None:
        """Extend the lease well before it runs out, so no other dispatcher takes a message that
        waits long in a rate limiter. A failed extension is retried at the next beat."""
        while True:
            await asyncio.sleep(outbox.LEASE.total_seconds() / 3)
            try:
                await self._record(outbox.extend_claim, message_id, self.clock() + outbox.LEASE)
            except Exception:
                log.warning("could not extend the claim on outbox message %s", message_id, exc_info=True)

    async def _give_back(self, message: Due) -> None:
        try:
            await asyncio.wait_for(self._record(outbox.release_claim, message.id), GIVE_BACK_TIMEOUT)
        except Exception:  # the database is away: the lease runs out instead
            log.warning("could not release the claim on outbox message %s", message.id, exc_info=True)

    async def _record(self, change: Callable[..., Awaitable[None]], *args) -> None:
        async with self.engine.begin() as conn:
            await change(conn, *args)


def _retried(message: Due) -> str:
    """What mark_retry made of a failed attempt: another try later, or the last one (given up)."""
    return "failed" if message.attempts + 1 >= outbox.MAX_ATTEMPTS else "retry"
