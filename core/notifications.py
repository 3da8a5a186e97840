"""Who must hear about a change: written to the outbox in the change's own transaction.

A circle's audience is its group chats (Telegram) plus each member's WhatsApp, a "virtual group"
since WhatsApp has no group chats for bots. The chat a change was made from already got a direct
reply, so announcements of actions skip it; consequences nobody asked for (a cycle opening, the
circle completing, the scheduler's draw) go everywhere. Only facts go in; each channel words them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core.models import Channel, ChannelIdentity, Circle, CircleChat, Membership, User
from core.outbox import enqueue

CONSEQUENCES = (ev.CycleOpened, ev.CircleCompleted)
ACTIONS = (ev.MemberJoined, ev.MemberLeft, ev.MemberRemoved, ev.CircleStarted, ev.PaymentMarked,
           ev.PaymentConfirmed, ev.PaymentRejected, ev.DrawCompleted, ev.PayoutRecorded, ev.PayoutAcknowledged,
           ev.CircleCancelled)


async def _name(session: AsyncSession, user_id: Any) -> str | None:
    user = await session.get(User, user_id) if user_id else None
    return user.full_name if user else None


async def _facts(session: AsyncSession, event: ev.Event) -> dict[str, Any]:
    """The event's own fields, plus the names people are called by."""
    facts = event.details()
    facts["actor"] = await _name(session, event.actor_id)
    for key in ("user_id", "winner_id", "receiver_id"):
        if key in facts:
            facts[key.removesuffix("_id")] = await _name(session, getattr(event, key))
    return facts


async def audience(session: AsyncSession, circle_id: Any) -> list[tuple[Channel, str]]:
    chats = await session.execute(select(CircleChat.channel, CircleChat.chat_address)
                                  .where(CircleChat.circle_id == circle_id))
    members = await session.execute(select(ChannelIdentity.channel, ChannelIdentity.address)
                                    .join(Membership, Membership.user_id == ChannelIdentity.user_id)
                                    .where(Membership.circle_id == circle_id,
                                           ChannelIdentity.channel == Channel.WHATSAPP))
    return [(Channel(c), a) for c, a in [*chats.all(), *members.all()]]


async def notify(session: AsyncSession, event: ev.Event, now: datetime, origin: tuple[Channel, str] | None) -> None:
    scheduled_draw = isinstance(event, ev.DrawCompleted) and event.actor_id is None
    if event.circle_id is None or not isinstance(event, CONSEQUENCES + ACTIONS):
        return
    circle = await session.get(Circle, event.circle_id)
    payload = await _facts(session, event) | {"circle": circle.name, "currency": circle.currency,
                                              "amount_per_cycle": circle.amount_per_cycle}
    kind = "auto_draw" if scheduled_draw else event.action
    skip = None if isinstance(event, CONSEQUENCES) or scheduled_draw else origin
    recipients = await audience(session, circle.id)
    if isinstance(event, ev.MemberLeft | ev.MemberRemoved):  # no longer a member, but should still hear it
        recipients += [(Channel(c), a) for c, a in (await session.execute(
            select(ChannelIdentity.channel, ChannelIdentity.address).where(
                ChannelIdentity.user_id == event.user_id, ChannelIdentity.channel == Channel.WHATSAPP))).all()]
    for channel, address in dict.fromkeys(recipients):
        if (channel, address) != skip:
            await enqueue(session, channel=channel, address=address, kind=kind, payload=payload, now=now,
                          circle_id=circle.id)
