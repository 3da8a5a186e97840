"""Who must hear about a change: written to the outbox in the change's own transaction.

Announcements (a cycle opening, the draw, the payout, members coming and going) go to the circle's
group chats, each member's WhatsApp (a "virtual group": WhatsApp has no group chats for bots), and,
when the circle has no Telegram group, each member's Telegram private chat. The chat a change was
made from already got a direct reply, so announcements of actions skip it; consequences nobody asked
for (a cycle opening, the circle completing, the scheduler's draw) go everywhere.

Payments are between a member and the organizers: a payment reaches each organizer privately with
Confirm / Reject, the decision reaches the payer privately, and the group sees them only as edits
of the circle's one status card (core/status_card.py). Only facts go in; each channel words them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, false, func, null, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core import identity_notices
from core.models import (
    Channel,
    ChannelIdentity,
    Circle,
    CircleChat,
    CircleStatus,
    Contribution,
    ContributionStatus,
    Cycle,
    Membership,
    PayoutOrder,
    Role,
    User,
    in_payout_order,
)
from core.outbox import enqueue, want_status_card
from core.schedule import local_date

# A vote's outcome is a consequence too: everyone hears it, the chat whose ballot settled it included.
CONSEQUENCES = (ev.CycleOpened, ev.CircleCompleted, ev.VoteCarried, ev.VoteFailed, ev.VoteExpired)
ANNOUNCED = (ev.MemberJoined, ev.MemberLeft, ev.MemberRemoved, ev.CircleStarted, ev.DrawCompleted,
             ev.PayoutRecorded, ev.PayoutAcknowledged, ev.CircleCancelled, ev.OrganizerAdded, ev.OrganizerSteppedDown,
             ev.PaymentInstructionsSet, ev.PayoutOrderSet, ev.VoteStarted)
PAYMENTS = (ev.PaymentMarked, ev.PaymentConfirmed, ev.PaymentRejected)
# What changes the status card: everything from the start on (joins happen before there is a card).
CARD = (ev.CircleStarted, ev.CycleOpened, *PAYMENTS, ev.DrawCompleted, ev.PayoutRecorded, ev.PayoutAcknowledged,
        ev.CircleCompleted, ev.CircleCancelled, ev.PaymentInstructionsSet, ev.VoteCarried)


async def _facts(session: AsyncSession, event: ev.Event, known: dict[Any, str]) -> dict[str, Any]:
    """The event's own fields, plus the names people are called by (those not `known` in one query)."""
    facts = event.details()
    people = {"actor": event.actor_id} | {key.removesuffix("_id"): getattr(event, key)
                                          for key in ("user_id", "winner_id", "receiver_id") if key in facts}
    ids = {i for i in people.values() if i is not None and i not in known}
    names = dict((await session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))).all()) if ids else {}
    return facts | {role: (known | names).get(i) for role, i in people.items()}


_TELEGRAM_GROUP = exists().where(CircleChat.circle_id == bindparam("circle_id"), CircleChat.channel == Channel.TELEGRAM,
                                 CircleChat.active)
# Built once (with bind parameters): this runs for every change, and building a statement costs more
# than running it. Rows: (channel, address, user_id, organizer, name); user_id NULL for a group chat.
# Only the identities someone may need: WhatsApp ones, Telegram ones of a circle without a Telegram
# group or of members who joined privately, organizers' and the payer's (`person`), and `also`'s (a
# member who just left). The last column: the member hears announcements privately.
_REACH = select(CircleChat.channel, CircleChat.chat_address.label("address"), null().label("user_id"),
                false().label("organizer"), null().label("name"), false().label("private")).where(
    CircleChat.circle_id == bindparam("circle_id")).union_all(
    select(ChannelIdentity.channel, ChannelIdentity.address, ChannelIdentity.user_id,
           func.coalesce(Membership.role == Role.ORGANIZER, false()), User.full_name,
           func.coalesce(Membership.hears_privately, false()))
    .join(User, User.id == ChannelIdentity.user_id)
    .outerjoin(Membership, and_(Membership.user_id == ChannelIdentity.user_id,
                                Membership.circle_id == bindparam("circle_id")))
    .where((Membership.id.is_not(None)) | (ChannelIdentity.user_id == bindparam("also")),
           (ChannelIdentity.channel == Channel.WHATSAPP) | ~_TELEGRAM_GROUP | (Membership.role == Role.ORGANIZER)
           | Membership.hears_privately | (ChannelIdentity.user_id == bindparam("person"))))


async def audience(session: AsyncSession, circle_id: Any, *, also: Any = None) -> list[tuple[Channel, str]]:
    """Where the circle's announcements go (plus `also`'s chats, a member who just left)."""
    return [(channel, address) for channel, address, _ in _announced(await _reach(session, circle_id, also=also))]


async def _reach(session: AsyncSession, circle_id: Any, *, also: Any = None, person: Any = None) -> list[tuple]:
    rows = await session.execute(_REACH, {"circle_id": circle_id, "also": also, "person": person})
    return [(Channel(c), a, u, o, n, p) for c, a, u, o, n, p in rows.all()]


def _announced(reach: list[tuple]) -> list[tuple[Channel, str, Any]]:
    """Group chats, WhatsApp members, and Telegram members when no Telegram group carries the circle
    or when they joined privately."""
    telegram_group = any(u is None and c == Channel.TELEGRAM for c, _, u, *_ in reach)
    chosen = [(c, a, u) for c, a, u, _, _, private in reach
              if u is None or c == Channel.WHATSAPP or not telegram_group or private]
    return list({(c, a): (c, a, u) for c, a, u in chosen}.values())


_ALL_CONFIRMED = select(
    select(func.count()).select_from(Membership).where(Membership.circle_id == bindparam("circle_id"))
    .scalar_subquery() == select(func.count()).select_from(Contribution).join(Cycle, Cycle.id == Contribution.cycle_id)
    .where(Cycle.circle_id == bindparam("circle_id"), Cycle.cycle_number == bindparam("cycle_number"),
           Contribution.status == ContributionStatus.CONFIRMED).scalar_subquery())


async def notify(session: AsyncSession, event: ev.Event, now: datetime, origin: tuple[Channel, str] | None) -> None:
    if isinstance(event, identity_notices.EVENTS):  # about a person, not a circle
        return await identity_notices.notify(session, event, now)
    if isinstance(event, ev.ChatLinked) and event.channel == Channel.TELEGRAM.value:
        # A running circle brought into a group: the group gets its status card now.
        if (await session.get(Circle, event.circle_id)).status == CircleStatus.ACTIVE:
            await want_status_card(session, channel=Channel.TELEGRAM, address=event.chat_address,
                                   circle_id=event.circle_id, now=now)
        return
    if isinstance(event, ev.CircleLanguageChanged):  # the group's status card speaks the new language at once
        if (await session.get(Circle, event.circle_id)).status == CircleStatus.ACTIVE:
            for channel, address, user, *_ in await _reach(session, event.circle_id):
                if user is None and channel == Channel.TELEGRAM:
                    await want_status_card(session, channel=channel, address=address, circle_id=event.circle_id,
                                           now=now)
        return
    if event.circle_id is None or not isinstance(event, CONSEQUENCES + ANNOUNCED + PAYMENTS):
        return
    if isinstance(event, ev.PaymentMarked) and event.actor_id != event.user_id:
        return  # an organizer recorded it for the member: the confirmation in the same change says it all
    scheduled_draw = isinstance(event, ev.DrawCompleted) and event.actor_id is None
    gone = event.user_id if isinstance(event, ev.MemberLeft | ev.MemberRemoved) else None
    person = next((getattr(event, k) for k in ("user_id", "winner_id", "receiver_id") if hasattr(event, k)), None)
    reach = await _reach(session, event.circle_id, also=gone, person=person)
    if isinstance(event, CARD):
        for channel, address, user, *_ in reach:
            if user is None and channel == Channel.TELEGRAM:
                await want_status_card(session, channel=channel, address=address, circle_id=event.circle_id, now=now)
    recipients = _recipients(event, reach, None if isinstance(event, CONSEQUENCES) or scheduled_draw else origin)
    if isinstance(event, ev.PaymentConfirmed) and await session.scalar(
            _ALL_CONFIRMED, {"circle_id": event.circle_id, "cycle_number": event.cycle_number}):
        recipients += [(c, a, u, "all_paid") for c, a, u, organizer, *_ in reach if organizer]
    if not recipients:  # e.g. a Telegram-only circle acting from its own group: the reply said it all
        return
    circle = await session.get(Circle, event.circle_id)
    payload = await _facts(session, event, {u: n for _, _, u, _, n, _ in reach if u is not None}) | {
        "circle": circle.name, "circle_id": str(circle.id), "currency": circle.currency,
        "amount_per_cycle": circle.amount_per_cycle, "auto_draw": circle.auto_draw, "draw_hour": circle.draw_hour,
        "today": local_date(now, circle.timezone).isoformat()}
    payload |= await _order_and_how_to_pay(session, event, circle)
    if isinstance(event, ev.VoteCarried):  # the organizers the vote replaced, by name
        payload["demoted"] = list((await session.execute(select(User.full_name).where(
            User.id.in_(event.demoted_ids)).order_by(User.full_name))).scalars()) if event.demoted_ids else []
    kind = "auto_draw" if scheduled_draw else event.action
    for channel, address, user, special in recipients:
        # A private copy says whom it is for, so it can carry that person's buttons (the receiver's
        # "I received it") and not everyone's.
        personal = payload if user is None else payload | {"for": str(user)}
        await enqueue(session, channel=channel, address=address, kind=special or kind, payload=personal, now=now,
                      circle_id=circle.id)


def _recipients(event: ev.Event, reach: list[tuple], skip: tuple[Channel, str] | None) -> list[tuple]:
    if isinstance(event, ev.PaymentMarked):
        if event.actor_id != event.user_id:  # recorded by an organizer on the member's behalf: confirmed at once
            return []
        return [(c, a, u, None) for c, a, u, organizer, *_ in reach if organizer]
    if isinstance(event, ev.PaymentConfirmed | ev.PaymentRejected):
        if event.actor_id == event.user_id:  # an organizer deciding their own payment knows already
            return []
        return [(c, a, u, None) for c, a, u, *_ in reach if u == event.user_id]
    return [(c, a, u, None) for c, a, u in _announced(reach) if (c, a) != skip]


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
        order = [r.full_name for r in in_payout_order(rows)]
        facts |= {"order_names": order, "join_order": order == [r.full_name for r in rows]}
    return facts
