"""The outbox: messages owed to people, delivered in order per chat, each exactly once (barring a
crash mid-send, which repeats only the message that was in flight).

A chat is worked by one dispatcher at a time (a session advisory lock, released by PostgreSQL if
the dispatcher dies), and each message is sent inside the transaction that marks it sent, under a
row lock: a message is never sent by two dispatchers, and one killed mid-send is sent again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from core.models import Channel, ChannelIdentity, OutboxMessage, OutboxStatus

if TYPE_CHECKING:  # core.uow imports this module (through notifications)
    from core.uow import UnitOfWork

MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(minutes=10)


async def enqueue(session: AsyncSession, *, channel: Channel, address: str, kind: str, payload: dict[str, Any],
                  now: datetime, circle_id: uuid.UUID | None = None, dedup_key: str | None = None) -> bool:
    """Add a message in the caller's transaction; False when its dedup_key was already planned."""
    statement = insert(OutboxMessage).values(
        channel=channel, address=address, kind=kind, payload=payload, circle_id=circle_id, dedup_key=dedup_key,
        next_attempt_at=now, created_at=now)
    if dedup_key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["dedup_key"])
    result = await session.execute(statement.returning(OutboxMessage.id))
    return result.first() is not None


@dataclass(frozen=True)
class Due:
    id: int
    channel: Channel
    address: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    last_inbound_at: datetime | None = None  # when the recipient last wrote to us here (WhatsApp's 24-hour window)
    circle_id: uuid.UUID | None = None  # the circle it is about: its buttons act there


async def chats_with_due_messages(conn: AsyncConnection, now: datetime, limit: int) -> list[tuple[Channel, str]]:
    rows = await conn.execute(select(OutboxMessage.channel, OutboxMessage.address).where(
        OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .group_by(OutboxMessage.channel, OutboxMessage.address).order_by(func.min(OutboxMessage.id)).limit(limit))
    return [(Channel(c), a) for c, a in rows.all()]


def _chat_key(channel: Channel, address: str) -> str:
    return f"outbox:{channel.value}:{address}"


async def try_lock_chat(conn: AsyncConnection, channel: Channel, address: str) -> bool:
    """Session-level: held until unlock_chat or until the connection dies."""
    locked = await conn.scalar(text("select pg_try_advisory_lock(hashtextextended(:k, 0))"),
                               {"k": _chat_key(channel, address)})
    await conn.commit()
    return bool(locked)


async def unlock_chat(conn: AsyncConnection, channel: Channel, address: str) -> None:
    await conn.execute(text("select pg_advisory_unlock(hashtextextended(:k, 0))"), {"k": _chat_key(channel, address)})
    await conn.commit()


async def head_of_chat(conn: AsyncConnection, channel: Channel, address: str, now: datetime) -> Due | None:
    """The chat's oldest pending message, row-locked in a transaction the caller ends after sending.
    None when there is none, or when it waits for a retry (later ones wait too: order matters)."""
    last_inbound = select(ChannelIdentity.last_inbound_at).where(
        ChannelIdentity.channel == channel, ChannelIdentity.address == address).scalar_subquery()
    row = (await conn.execute(select(OutboxMessage, last_inbound.label("last_inbound_at")).where(
        OutboxMessage.channel == channel, OutboxMessage.address == address,
        OutboxMessage.status == OutboxStatus.PENDING).order_by(OutboxMessage.id).limit(1)
        .with_for_update(of=OutboxMessage))).first()
    if row is None or row.next_attempt_at > now:
        return None
    return Due(row.id, Channel(row.channel), row.address, row.kind, row.payload, row.attempts, row.last_inbound_at,
               row.circle_id)


async def mark_sent(conn: AsyncConnection, message_id: int, now: datetime, provider_id: str | None = None) -> None:
    await conn.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        status=OutboxStatus.SENT, sent_at=now, attempts=OutboxMessage.attempts + 1, provider_id=provider_id))


async def record_delivery_failure(uow: UnitOfWork, provider_id: str, error: str) -> bool:
    """The provider told us later that a sent message never arrived (a status callback)."""
    async with uow:
        result = await uow.session.execute(update(OutboxMessage).where(OutboxMessage.provider_id == provider_id)
                                           .values(status=OutboxStatus.FAILED, last_error=error[:500]))
        await uow.session.commit()
        return result.rowcount > 0


async def mark_failed(conn: AsyncConnection, message_id: int, error: str) -> None:
    """Permanent: the bot was blocked, the chat is gone. Recorded, never retried."""
    await conn.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        status=OutboxStatus.FAILED, last_error=error[:500], attempts=OutboxMessage.attempts + 1))


async def mark_retry(conn: AsyncConnection, message: Due, error: str, now: datetime,
                     wait: timedelta | None = None) -> None:
    """Try again later: after `wait` (a server's retry_after) or an exponential backoff; give up
    after MAX_ATTEMPTS."""
    if message.attempts + 1 >= MAX_ATTEMPTS:
        return await mark_failed(conn, message.id, f"gave up after {MAX_ATTEMPTS} attempts: {error}")
    backoff = min(timedelta(seconds=2 ** message.attempts), MAX_BACKOFF)
    await conn.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(
        attempts=OutboxMessage.attempts + 1, last_error=error[:500], next_attempt_at=now + (wait or backoff)))


class DeliveryFailed(Exception):
    """Raised by a channel's sender. `permanent`: never retry (blocked, chat gone); otherwise retry
    after `retry_after` seconds if the server said so, or after a backoff."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.permanent, self.retry_after = permanent, retry_after


async def queue_replies(uow: UnitOfWork, channel: Channel, address: str, replies: list[str]) -> None:
    """Answers to an incoming message, for channels that answer through their API rather than in
    the webhook's response: queued so they are retried and rate-limited like everything else."""
    async with uow:
        for text in replies:
            await enqueue(uow.session, channel=channel, address=address, kind="reply", payload={"text": text},
                          now=uow.now())
        await uow.session.commit()
