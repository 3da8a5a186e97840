"""Deduplication of incoming deliveries (Telegram update ids, Twilio MessageSids)."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert

from core.models import Channel, ProcessedDelivery
from core.uow import UnitOfWork


async def first_delivery(uow: UnitOfWork, channel: Channel, key: str) -> bool:
    """Record the delivery; True only the first time this key is seen, however many race here.

    Recorded before handling: a crash in between drops that one update (the sender sees no reply
    and can repeat it) rather than ever applying it twice.
    """
    async with uow:
        inserted = await uow.session.execute(
            insert(ProcessedDelivery).values(channel=channel, key=key[:64], received_at=uow.now())
            .on_conflict_do_nothing().returning(ProcessedDelivery.key))
        first = inserted.first() is not None
        await uow.session.commit()
        return first
