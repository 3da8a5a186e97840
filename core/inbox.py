"""Incoming deliveries (Telegram update ids, Twilio MessageSids): deduplication, and the lookups
every update starts with, done together in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.chats import chat_circle_query
from core.models import Channel, Circle, ProcessedDelivery, User
from core.uow import UnitOfWork
from core.users import identity_query


async def _record(session: AsyncSession, channel: Channel, key: str, uow: UnitOfWork) -> bool:
    inserted = await session.execute(
        insert(ProcessedDelivery).values(channel=channel, key=key[:64], received_at=uow.now())
        .on_conflict_do_nothing().returning(ProcessedDelivery.key))
    return inserted.first() is not None


async def first_delivery(uow: UnitOfWork, channel: Channel, key: str) -> bool:
    """Record the delivery; True only the first time this key is seen, however many race here.

    Recorded before handling: a crash in between drops that one update (the sender sees no reply
    and can repeat it) rather than ever applying it twice.
    """
    async with uow:
        first = await _record(uow.session, channel, key, uow)
        await uow.session.commit()
        return first


@dataclass(frozen=True)
class Arrival:
    first: bool  # False: a redelivery, already handled
    user: User | None  # who sent it, if registered
    circle: Circle | None  # the chat's active circle, if any


async def arrive(uow: UnitOfWork, channel: Channel, key: str, *, sender: str | None, chat: str | None) -> Arrival:
    """Record the delivery and look up its sender and its chat's circle: one round of the database
    per update instead of three (see bench/throughput.py)."""
    async with uow:
        session = uow.session
        first = await _record(session, channel, key, uow)
        user = circle = None
        if first and sender is not None:
            user = (await session.execute(identity_query(channel, sender))).scalar_one_or_none()
        if first and chat is not None:
            circle = (await session.execute(chat_circle_query(channel, chat))).scalar_one_or_none()
        await session.commit()
        return Arrival(first, user, circle)
