"""Who must hear about a change: written to the outbox in the change's own transaction.

A circle's audience is its group chats (Telegram) plus each member's WhatsApp, a "virtual group"
since WhatsApp has no group chats for bots. The chat a change was made from already got a direct
reply, so announcements of actions skip it; consequences nobody asked for (a cycle opening, the
circle completing, the scheduler's draw) go everywhere. Only facts go in; each channel words them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core.models import Channel, ChannelIdentity, Circle, CircleChat, Membership, PayoutOrder, User
from core.outbox import enqueue
from core.schedule import local_date

CONSEQUENCES = (ev.CycleOpened, ev.CircleCompleted)
ACTIONS = (ev.MemberJoined, ev.MemberLeft, ev.MemberRemoved, ev.CircleStarted, ev.PaymentMarked,
           ev.PaymentConfirmed, ev.PaymentRejected, ev.DrawCompleted, ev.PayoutRecorded, ev.PayoutAcknowledged,
           ev.CircleCancelled, ev.OrganizerAdded, ev.OrganizerSteppedDown, ev.PaymentInstructionsSet,
           ev.PayoutOrderSet)


async def _facts(session: AsyncSession, event: ev.Event) -> dict[str, Any]:
    """The event's own fields, plus the names people are called by (one query for all of them)."""
    facts = event.details()
    people = {"actor": event.actor_id} | {key.removesuffix("_id"): getattr(event, key)
                                          for key in ("user_id", "winner_id", "receiver_id") if key in facts}
    ids = {i for i in people.values() if i is not None}
    names = dict((await session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))).all()) if ids else {}
    return facts | {role: names.get(i) for role, i in people.items()}


# Built once (with bind parameters): audience() runs for every change, and building a statement costs
# more than running it.
_AUDIENCE = select(CircleChat.channel, CircleChat.chat_address.label("address")).where(
    CircleChat.circle_id == bindparam("circle_id")).union_all(
    select(ChannelIdentity.channel, ChannelIdentity.address).where(
        ChannelIdentity.channel == Channel.WHATSAPP,
        ChannelIdentity.user_id.in_(select(Membership.user_id).where(Membership.circle_id == bindparam("circle_id")))
        | (ChannelIdentity.user_id == bindparam("also"))))


async def audience(session: AsyncSession, circle_id: Any, *, also: Any = None) -> list[tuple[Channel, str]]:
    """The circle's group chats and its members' WhatsApp (plus `also`'s, a member who just left)."""
    rows = await session.execute(_AUDIENCE, {"circle_id": circle_id, "also": also})
    return list(dict.fromkeys((Channel(c), a) for c, a in rows.all()))


async def notify(session: AsyncSession, event: ev.Event, now: datetime, origin: tuple[Channel, str] | None) -> None:
    if event.circle_id is None or not isinstance(event, CONSEQUENCES + ACTIONS):
        return
    if isinstance(event, ev.PaymentMarked) and event.actor_id != event.user_id:
        return  # an organizer recorded it for the member: the confirmation in the same change says it all
    scheduled_draw = isinstance(event, ev.DrawCompleted) and event.actor_id is None
    skip = None if isinstance(event, CONSEQUENCES) or scheduled_draw else origin
    gone = event.user_id if isinstance(event, ev.MemberLeft | ev.MemberRemoved) else None
    recipients = [r for r in await audience(session, event.circle_id, also=gone) if r != skip]
    if not recipients:  # e.g. a Telegram-only circle acting from its own group: the reply said it all
        return
    circle = await session.get(Circle, event.circle_id)
    payload = await _facts(session, event) | {"circle": circle.name, "currency": circle.currency,
                                              "amount_per_cycle": circle.amount_per_cycle,
                                              "today": local_date(now, circle.timezone).isoformat()}
    payload |= await _order_and_how_to_pay(session, event, circle)
    kind = "auto_draw" if scheduled_draw else event.action
    for channel, address in recipients:
        await enqueue(session, channel=channel, address=address, kind=kind, payload=payload, now=now,
                      circle_id=circle.id)


async def _order_and_how_to_pay(session: AsyncSession, event: ev.Event, circle: Circle) -> dict[str, Any]:
    """A cycle opening says how to pay; the first one of a fixed or drawn circle, and a saved order,
    name the payout order (`join_order`: it is simply the order people joined, e.g. none was set)."""
    facts: dict[str, Any] = {}
    if isinstance(event, ev.CycleOpened):
        facts["payment_instructions"] = circle.payment_instructions
    if (isinstance(event, ev.CycleOpened) and event.cycle_number == 1 and circle.payout_order != PayoutOrder.RANDOM
            or isinstance(event, ev.PayoutOrderSet)):
        rows = (await session.execute(
            select(User.full_name, Membership.payout_position).join(Membership, Membership.user_id == User.id)
            .where(Membership.circle_id == circle.id).order_by(Membership.joined_at, Membership.id))).all()
        placed = sorted((r for r in rows if r.payout_position), key=lambda r: r.payout_position)
        order = [r.full_name for r in placed + [r for r in rows if not r.payout_position]]
        facts |= {"order_names": order, "join_order": order == [r.full_name for r in rows]}
    return facts
