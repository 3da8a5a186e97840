"""Retention: delivery ids older than 7 days, finished outbox messages older than 30 and
conversations untouched for 30 go, in batches; recent ones, pending messages and each chat's latest
status card post stay; a redelivery inside the window is still recognised."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from core.inbox import arrive
from core.models import Channel, Conversation, OutboxMessage, OutboxStatus, ProcessedDelivery
from core.retention import CONVERSATION_DAYS, DELIVERY_DAYS, OUTBOX_DAYS, prune

TG = Channel.TELEGRAM
CIRCLE = uuid.uuid4()


def message(n: int, age: timedelta, now, *, status=OutboxStatus.SENT, kind="reply", provider_id=None,
            address="chat-1") -> OutboxMessage:
    return OutboxMessage(id=n, channel=TG, address=address, kind=kind, payload={}, status=status,
                         next_attempt_at=now - age, created_at=now - age, provider_id=provider_id,
                         circle_id=CIRCLE)


async def test_prune_removes_what_is_past_its_window_and_keeps_the_rest(new_uow, clock):
    now = clock.now
    old_delivery, new_delivery = timedelta(days=DELIVERY_DAYS, minutes=1), timedelta(days=DELIVERY_DAYS - 1)
    old, recent = timedelta(days=OUTBOX_DAYS, minutes=1), timedelta(days=OUTBOX_DAYS - 1)
    async with new_uow() as uow:
        uow.session.add_all([ProcessedDelivery(channel=TG, key=f"old-{n}", received_at=now - old_delivery)
                             for n in range(5)])
        uow.session.add(ProcessedDelivery(channel=TG, key="recent", received_at=now - new_delivery))
        uow.session.add_all([
            message(1, old, now), message(2, old, now, status=OutboxStatus.FAILED),  # gone
            message(3, old, now, status=OutboxStatus.PENDING),  # still owed: kept
            message(4, recent, now),  # recent: kept
            message(5, old, now, kind="status_card", provider_id="10"),  # an older card post: gone
            message(6, old, now, kind="status_card", provider_id="11"),  # the card the next update edits: kept
            message(7, old, now, kind="status_card", provider_id="12", address="chat-2"),  # another chat's: kept
        ])
        uow.session.add_all([  # a guided setup abandoned a month ago goes; one from yesterday stays
            Conversation(channel=TG, chat_address="chat-1", user_address=who, state={"step": "name"},
                         updated_at=now - timedelta(days=days))
            for who, days in (("abandoned", CONVERSATION_DAYS + 1), ("yesterday", 1))])
        await uow.session.commit()
    assert await prune(new_uow(), batch=2) == (5, 3, 1)
    async with new_uow() as uow:
        assert list(await uow.session.scalars(select(ProcessedDelivery.key))) == ["recent"]
        assert sorted(await uow.session.scalars(select(OutboxMessage.id))) == [3, 4, 6, 7]
        assert list(await uow.session.scalars(select(Conversation.user_address))) == ["yesterday"]
    assert await prune(new_uow()) == (0, 0, 0)  # safe to run again


async def test_a_redelivery_inside_the_window_is_still_recognised(new_uow, clock):
    held = new_uow()
    assert (await arrive(held, TG, "bot:41", sender=None, chat=None)).first
    await held.finish()
    clock.now += timedelta(days=DELIVERY_DAYS - 1)
    await prune(new_uow())
    assert not (await arrive(new_uow(), TG, "bot:41", sender=None, chat=None)).first
    clock.now += timedelta(days=2)  # past the window: no redelivery can come any more
    assert (await prune(new_uow()))[0] == 1
