"""Incoming deliveries (Telegram update ids, Twilio MessageSids): recorded on arrival, handled once.

A delivery goes through up to three steps, none holding a transaction open while the bot talks to
anyone:
- `receive` (Telegram): the updates are recorded with their content as they arrive, so Telegram can
  be told at once that we have them (the polling offset moves on, the webhook answers 200) while
  they wait for their chat's turn; after a crash, `unhandled` hands them over again.
- `arrive`: the lookups every update starts with (its sender, its chat's circle), and whether it was
  handled already, in one statement. The unit of work it is given then carries the delivery's key.
- the claim (core/deliveries.py), inside that unit of work's commit: the change the update asks
  for and the record that it was handled commit together, exactly once; a second handling of the
  same update finds it claimed and rolls back (AlreadyHandled). An update that changes nothing is
  claimed by `UnitOfWork.finish`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, func, literal, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased

from core.chats import chat_circle_query
from core.models import Channel, ChannelIdentity, Circle, ProcessedDelivery, User
from core.uow import UnitOfWork
from core.users import identity_query

T = TypeVar("T")


@dataclass(frozen=True)
class Arrival:
    first: bool  # False: a redelivery, already handled
    user: User | None  # who sent it, if registered
    circle: Circle | None  # the chat's active circle, if any


@functools.cache
def _arrival(with_sender: bool, with_chat: bool) -> Select:
    """The statement `arrive` runs, built once per shape (building costs more than running it):
    whether the delivery was handled, outer-joined to the sender and the chat's circle. With a
    sender, it also brings their stored handle up to date: an update that writes in the same
    statement costs no round trip, and the row is written only when the handle changed (an index
    lookup otherwise), so `@tom` names whoever is @tom now."""
    channel = bindparam("via")  # not "channel": an UPDATE would take a parameter named like a column into its SET
    handled = (select(ProcessedDelivery.key).where(
        ProcessedDelivery.channel == channel, ProcessedDelivery.key == bindparam("key"),
        ProcessedDelivery.handled_at.is_not(None)).exists())
    one = select(literal(1).label("one")).cte("one")
    query = select(handled.label("handled")).select_from(one)
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
    """Look up the delivery's sender and its chat's circle, and whether it was handled before, in one
    statement (see bench/throughput.py); the sender's `handle` (their @username now, None: they have
    none) is stored. A first delivery's key goes with `uow`: its first change claims it (see above)."""
    query = _arrival(sender is not None, chat is not None)
    values = {"via": channel, "key": key[:64], "sender": sender, "chat": chat, "handle": handle}

    async def run() -> Any:
        async with uow:
            await uow.single_statement()
            return (await uow.session.execute(query, values)).first()

    row = await once_more_if_disconnected(run)
    if row.handled:
        return Arrival(False, None, None)
    uow.delivery = (channel, key[:64])
    found = iter(row[1:])
    return Arrival(True, next(found) if sender is not None else None, next(found) if chat is not None else None)


async def receive(uow: UnitOfWork, channel: Channel, updates: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """Record arriving updates (key, content) in one statement; returns the keys seen for the first
    time (the others are redeliveries of updates recorded already, handled or waiting)."""
    if not updates:
        return set()
    rows = [{"channel": channel, "key": key[:64], "received_at": uow.now(), "payload": payload}
            for key, payload in updates]
    statement = insert(ProcessedDelivery).values(rows).on_conflict_do_nothing().returning(ProcessedDelivery.key)

    async def run() -> set[str]:
        async with uow:
            await uow.single_statement()
            return set((await uow.session.scalars(statement)).all())

    return await once_more_if_disconnected(run)


async def unhandled(uow: UnitOfWork, channel: Channel, prefix: str) -> list[dict[str, Any]]:
    """The contents of received updates never handled (a crash or a stop came first), oldest first:
    those whose key starts with `prefix` (one bot's, when several share a database)."""
    async with uow:
        rows = await uow.session.scalars(
            select(ProcessedDelivery.payload).where(
                ProcessedDelivery.channel == channel, ProcessedDelivery.handled_at.is_(None),
                ProcessedDelivery.payload.is_not(None), ProcessedDelivery.key.startswith(prefix, autoescape=True))
            # A batch shares its received_at; its keys are the prefix and a number, in arrival order.
            .order_by(ProcessedDelivery.received_at, func.length(ProcessedDelivery.key), ProcessedDelivery.key))
        return list(rows.all())


async def once_more_if_disconnected(run: Callable[[], Awaitable[T]]) -> T:
    """Run `run`; if it failed because a pooled connection had died (a database restart or failover
    while we were idle), run it once more. The pool drops every connection older than that failure,
    so the second try gets a fresh one; this replaces a liveness check on every checkout, which
    costs a round trip each time. Every update starts here, so a restart costs no update an error."""
    try:
        return await run()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    return await run()
