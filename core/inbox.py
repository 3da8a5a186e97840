"""Incoming deliveries (Telegram update ids, Twilio MessageSids): deduplication, and the lookups
every update starts with, done together in one transaction."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import aliased

from core.chats import chat_circle_query
from core.models import Channel, ChannelIdentity, Circle, ProcessedDelivery, User
from core.uow import UnitOfWork
from core.users import identity_query


@dataclass(frozen=True)
class Arrival:
    first: bool  # False: a redelivery, already handled
    user: User | None  # who sent it, if registered
    circle: Circle | None  # the chat's active circle, if any


@functools.cache
def _arrival(with_sender: bool, with_chat: bool) -> Select:
    """The statement `arrive` runs, built once per shape (building costs more than running it): the
    delivery's insert, which returns no row for a redelivery, outer-joined to the sender and the
    chat's circle. With a sender, it also brings their stored handle up to date: an update that
    writes in the same statement costs no round trip, and the row is written only when the handle
    changed (an index lookup otherwise), so `@tom` names whoever is @tom now."""
    channel = bindparam("via")  # not "channel": an UPDATE would take a parameter named like a column into its SET
    delivered = (insert(ProcessedDelivery)
                 .values(channel=channel, key=bindparam("key"), received_at=bindparam("received_at"))
                 .on_conflict_do_nothing().returning(ProcessedDelivery.key).cte("delivered"))
    query = select(delivered.c.key).select_from(delivered)
    if with_sender:
        identities = ChannelIdentity.__table__
        refreshed = (update(identities).where(
            identities.c.channel == channel, identities.c.address == bindparam("sender"),
            identities.c.handle.is_distinct_from(bindparam("handle"))).values(handle=bindparam("handle"))
            .returning(identities.c.id).cte("refreshed"))
        query = query.add_cte(refreshed)
        user = aliased(User, identity_query(channel, bindparam("sender")).subquery("sender"))
        query = query.add_columns(user).outerjoin(user, true())
    if with_chat:
        circle = aliased(Circle, chat_circle_query(channel, bindparam("chat")).subquery("chat_circle"))
        query = query.add_columns(circle).outerjoin(circle, true())
    return query


async def arrive(uow: UnitOfWork, channel: Channel, key: str, *, sender: str | None, chat: str | None,
                 handle: str | None = None) -> Arrival:
    """Record the delivery and look up its sender and its chat's circle, in one statement (see
    bench/throughput.py); the sender's `handle` (their @username now, None: they have none) is stored.

    A first delivery leaves `uow` held (see UnitOfWork): the update's change continues its
    transaction, so the change and the delivery record commit together, exactly once. A crash
    before that leaves neither, and the update, delivered again, is handled then; a refusal rolls
    the record back too, which is harmless, since a refusal changes nothing. Whoever handles the
    update calls `uow.finish()` when done.
    """
    query = _arrival(sender is not None, chat is not None)
    async with uow:
        row = (await uow.session.execute(query, {"via": channel, "key": key[:64], "received_at": uow.now(),
                                                 "sender": sender, "chat": chat, "handle": handle})).first()
        if row is not None:
            uow.hold()
    if row is None:
        return Arrival(False, None, None)
    found = iter(row[1:])
    return Arrival(True, next(found) if sender is not None else None, next(found) if chat is not None else None)
