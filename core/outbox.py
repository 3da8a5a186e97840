"""The outbox: messages owed to people, delivered in order per chat, each once (barring a crash
mid-send, which repeats only the message that was in flight).

No transaction or connection is held while a message is on the network (a rate-limited send can
wait minutes). A message is sent in three steps:

1. claim: one short transaction takes the chat's oldest pending message if it is due and nobody
   holds it (`claimed_until` unset or past: UPDATE ... WHERE ... RETURNING, atomic between
   dispatchers and processes), sets a lease (`claimed_until` = now + LEASE) and commits. A status
   card is rendered here, from what is committed at claim time (see want_status_card).
2. send, with no connection checked out; the dispatcher extends the lease while a send takes long.
3. record: another short transaction marks it sent, failed or due again later, and clears the claim.

A chat whose head is claimed or waiting for a retry has nothing due, so a chat's messages still go
one at a time, in order, while different chats go in parallel. Delivery is at least once: a
dispatcher that dies after sending and before recording leaves its claim behind, and the message
is sent again once the lease has expired (the chat's later messages wait until then).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, String, bindparam, cast, exists, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from core import status_card
from core.models import Channel, ChannelIdentity, Circle, OutboxMessage, OutboxStatus, User

if TYPE_CHECKING:  # core.uow imports this module (through notifications)
    from core.uow import UnitOfWork

MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(minutes=10)
# How long a claim keeps other dispatchers off a message; the claimer extends it every third of
# that while it sends. Short, since after a crash the chat waits for its claim to run out.
LEASE = timedelta(seconds=10)

# What the clock or one event sends to many, none of whom just acted or waits for it: sent in the bulk
# lane, behind interactive messages (replies, a decision someone waits for, status cards, identity
# notices, and any kind not listed here). Announcements of someone's action skip the chat it came
# from, which already got a direct reply, so every copy of them is for someone who did not act.
BULK_KINDS = frozenset({
    "reminder", "overdue", "nudge_reminder", "nudge_overdue", "nudge_organizer",  # the scheduler's reminders
    "cycle_opened", "circle_completed", "auto_draw", "vote_expired",  # consequences the clock brings
    "member_joined", "member_left", "member_removed", "organizer_added", "organizer_stepped_down",
    "circle_started", "circle_cancelled", "payment_instructions_set", "payout_order_set",
    "draw_completed", "payout_recorded", "payout_acknowledged", "vote_started", "vote_carried", "vote_failed",
})
# When bulk chats are due, at least one in BULK_SHARE of the chats taken in a round is one of them.
BULK_SHARE = 4


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


STATUS_CARD = "status_card"


async def want_status_card(session: AsyncSession, *, channel: Channel, address: str, circle_id: uuid.UUID,
                           now: datetime) -> None:
    """Ask for the circle's status card in a group chat to be brought up to date.

    The card is rendered when it is sent (see claim_head), from what is committed then, so one
    pending request covers any number of changes: coalesced, it costs Telegram one edit however many
    taps came in meanwhile. A request a dispatcher has claimed (maybe rendered before this change)
    does not count, nor one being claimed right now (row-locked by the claim: SKIP LOCKED); a request
    we find unclaimed stays locked by us until we commit, so a claim waits for our commit and renders
    this change.
    """
    await session.execute(_WANT_CARD, {"channel": channel, "address": address, "circle_id": circle_id,
                                       "payload": {"circle_id": str(circle_id)}, "now": now})


_CARDS = (OutboxMessage.kind == STATUS_CARD, OutboxMessage.channel == bindparam("channel"),
          OutboxMessage.address == bindparam("address"), OutboxMessage.circle_id == bindparam("circle_id"))
_PENDING_CARD = (select(OutboxMessage.id).where(*_CARDS, OutboxMessage.status == OutboxStatus.PENDING,
                                                OutboxMessage.claimed_until.is_(None))
                 .with_for_update(skip_locked=True))
# One statement (it runs for every change): insert a request unless an unlocked one is pending.
_WANT_CARD = insert(OutboxMessage.__table__).from_select(
    ["channel", "address", "kind", "payload", "circle_id", "next_attempt_at", "created_at"],
    select(cast(bindparam("channel", type_=OutboxMessage.channel.type), String), bindparam("address", type_=String),
           literal(STATUS_CARD), bindparam("payload", type_=JSONB), bindparam("circle_id", type_=UUID(as_uuid=True)),
           bindparam("now", type_=DateTime(timezone=True)), bindparam("now", type_=DateTime(timezone=True)))
    .where(~exists(_PENDING_CARD)))
# The card's message in that chat: the provider id its latest delivery recorded (a post or an edit).
_CARD_MESSAGE = (select(OutboxMessage.provider_id).where(*_CARDS, OutboxMessage.status == OutboxStatus.SENT,
                                                         OutboxMessage.provider_id.is_not(None))
                 .order_by(OutboxMessage.id.desc()).limit(1))


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
    language: str | None = None  # the recipient's (a person's own; a group's circle's), None: not known


def _free(now: datetime):
    """Nobody holds the message: never claimed, or the claimer's lease ran out."""
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now)


async def chats_with_due_messages(conn: AsyncConnection, now: datetime, limit: int) -> list[tuple[Channel, str]]:
    """Up to `limit` chats whose oldest pending message is due and free: interactive-headed first,
    oldest first, but bulk-headed ones get at least one place in BULK_SHARE, so they never starve."""
    pending = (select(OutboxMessage.channel, OutboxMessage.address, OutboxMessage.id, OutboxMessage.kind,
                      OutboxMessage.next_attempt_at, OutboxMessage.claimed_until,
                      func.row_number().over(partition_by=(OutboxMessage.channel, OutboxMessage.address),
                                             order_by=OutboxMessage.id).label("position"))
               .where(OutboxMessage.status == OutboxStatus.PENDING).subquery())
    heads = select(pending).where(pending.c.position == 1).subquery()
    bulk = heads.c.kind.in_(BULK_KINDS)
    due = (select(heads.c.channel, heads.c.address, heads.c.id, bulk.label("bulk"),
                  func.row_number().over(partition_by=bulk, order_by=heads.c.id).label("place"))
           .where(heads.c.next_attempt_at <= now,
                  or_(heads.c.claimed_until.is_(None), heads.c.claimed_until <= now)).subquery())
    rows = (await conn.execute(select(due.c.channel, due.c.address, due.c.bulk).where(due.c.place <= limit)
                               .order_by(due.c.bulk, due.c.id))).all()
    interactive = [(Channel(c), a) for c, a, is_bulk in rows if not is_bulk]
    bulky = [(Channel(c), a) for c, a, is_bulk in rows if is_bulk]
    reserved = min(len(bulky), max(1, limit // BULK_SHARE))
    taken = interactive[:limit - reserved]
    return taken + bulky[:limit - len(taken)]


async def claim_head(conn: AsyncConnection, channel: Channel, address: str, now: datetime,
                     lease: timedelta = LEASE) -> Due | None:
    """Claim the chat's oldest pending message until now + lease, in the caller's transaction (commit
    it before sending). None when there is none, or it waits for a retry, or someone holds it: later
    messages wait too, order matters."""
    head = (select(OutboxMessage.id).where(OutboxMessage.channel == channel, OutboxMessage.address == address,
                                           OutboxMessage.status == OutboxStatus.PENDING)
            .order_by(OutboxMessage.id).limit(1).scalar_subquery())
    # Status is checked again on the row itself: a dispatcher that recorded the head after our
    # subquery's snapshot makes this claim find nothing (the next head waits for the next round).
    row = (await conn.execute(update(OutboxMessage).where(
        OutboxMessage.id == head, OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now,
        _free(now)).values(claimed_until=now + lease).returning(*OutboxMessage.__table__.c))).first()
    if row is None:
        return None
    # One round trip: when the reader last wrote here, and their language; a group's, or that of
    # someone whose language isn't known yet, is the circle's.
    reader = (ChannelIdentity.channel == channel, ChannelIdentity.address == address)
    last_inbound, language = (await conn.execute(select(
        select(ChannelIdentity.last_inbound_at).where(*reader).scalar_subquery(),
        func.coalesce(select(User.language).join(ChannelIdentity, ChannelIdentity.user_id == User.id)
                      .where(*reader).scalar_subquery(),
                      select(Circle.language).where(Circle.id == row.circle_id).scalar_subquery())))).one()
    payload = row.payload
    if row.kind == STATUS_CARD:  # rendered now, from what is committed now (see want_status_card)
        where = {"channel": channel, "address": address, "circle_id": row.circle_id}
        payload = payload | await status_card.card_facts(conn, row.circle_id, now) | {
            "message_id": await conn.scalar(_CARD_MESSAGE, where)}
    return Due(row.id, Channel(row.channel), row.address, row.kind, payload, row.attempts, last_inbound, row.circle_id,
               language)


async def extend_claim(conn: AsyncConnection, message_id: int, until: datetime) -> None:
    """Keep holding a message whose send is taking long (waiting in a rate limiter)."""
    await conn.execute(update(OutboxMessage).where(_ours(message_id)).values(claimed_until=until))


async def release_claim(conn: AsyncConnection, message_id: int) -> None:
    """Give a claimed message back unsent (its send was interrupted): due again at once."""
    await conn.execute(update(OutboxMessage).where(_ours(message_id)).values(claimed_until=None))


def _ours(message_id: int):
    """The message, while still pending: a claimer whose lease ran out and was overtaken by another
    dispatcher that already recorded it must not undo that record."""
    return (OutboxMessage.id == message_id) & (OutboxMessage.status == OutboxStatus.PENDING)


async def mark_sent(conn: AsyncConnection, message_id: int, now: datetime, provider_id: str | None = None) -> None:
    await conn.execute(update(OutboxMessage).where(_ours(message_id)).values(
        status=OutboxStatus.SENT, sent_at=now, attempts=OutboxMessage.attempts + 1, provider_id=provider_id,
        claimed_until=None))


async def record_delivery_failure(uow: UnitOfWork, provider_id: str, error: str) -> bool:
    """The provider told us later that a sent message never arrived (a status callback)."""
    async with uow:
        result = await uow.session.execute(update(OutboxMessage).where(OutboxMessage.provider_id == provider_id)
                                           .values(status=OutboxStatus.FAILED, last_error=error[:500]))
        await uow.session.commit()
        return result.rowcount > 0


async def mark_failed(conn: AsyncConnection, message_id: int, error: str) -> None:
    """Permanent: the bot was blocked, the chat is gone. Recorded, never retried."""
    await conn.execute(update(OutboxMessage).where(_ours(message_id)).values(
        status=OutboxStatus.FAILED, last_error=error[:500], attempts=OutboxMessage.attempts + 1, claimed_until=None))


async def mark_retry(conn: AsyncConnection, message: Due, error: str, now: datetime,
                     wait: timedelta | None = None) -> None:
    """Try again later: after `wait` (a server's retry_after) or an exponential backoff; give up
    after MAX_ATTEMPTS."""
    if message.attempts + 1 >= MAX_ATTEMPTS:
        return await mark_failed(conn, message.id, f"gave up after {MAX_ATTEMPTS} attempts: {error}")
    backoff = min(timedelta(seconds=2 ** message.attempts), MAX_BACKOFF)
    await conn.execute(update(OutboxMessage).where(_ours(message.id)).values(
        attempts=OutboxMessage.attempts + 1, last_error=error[:500], next_attempt_at=now + (wait or backoff),
        claimed_until=None))


class DeliveryFailed(Exception):
    """Raised by a channel's sender. `permanent`: never retry (blocked, chat gone); otherwise retry
    after `retry_after` seconds if the server said so, or after a backoff."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.permanent, self.retry_after = permanent, retry_after


@dataclass(frozen=True)
class Attachment:
    """A reply that carries a file: its text, and the public address the provider fetches the file
    from (a WhatsApp message can't carry a file any other way)."""

    text: str
    url: str


async def queue_replies(uow: UnitOfWork, channel: Channel, address: str, replies: list[str | Attachment]) -> None:
    """Answers to an incoming message, for channels that answer through their API rather than in
    the webhook's response: queued so they are retried and rate-limited like everything else."""
    async with uow:
        for reply in replies:
            payload = {"text": reply} if isinstance(reply, str) else {"text": reply.text, "media_url": reply.url}
            await enqueue(uow.session, channel=channel, address=address, kind="reply", payload=payload, now=uow.now())
        await uow.session.commit()
