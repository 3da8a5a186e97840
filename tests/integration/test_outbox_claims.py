"""The dispatcher claims a message, sends it with nothing held, and records the outcome: two
dispatchers never send a message twice, a dead dispatcher's claim runs out, and bulk messages go
behind interactive ones without starving. Senders here are plain async functions; the dispatcher
against the fake Bot API is in tests/channels/test_outbox_delivery.py."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from datetime import timedelta

from sqlalchemy import select, text

from bot import lanes
from bot.dispatcher import Dispatcher
from core import outbox
from core.db import make_engine
from core.models import Channel, OutboxMessage
from core.outbox import Due, enqueue


async def queue(new_uow, clock, address: str, *texts: str, kind: str = "reply") -> None:
    async with new_uow() as uow:
        for words in texts:
            await enqueue(uow.session, channel=Channel.TELEGRAM, address=address, kind=kind, payload={"text": words},
                          now=clock())
        await uow.session.commit()


# Sessions of this database, other than the asking one, inside a transaction.
OPEN_TRANSACTIONS = text("select count(*) from pg_stat_activity where datname = current_database() "
                         "and pid <> pg_backend_pid() and xact_start is not null")


class Recorder:
    """A sender that notes what it sent and fails the test if a message or a chat is ever in
    flight twice at once."""

    def __init__(self) -> None:
        self.sent: list[Due] = []
        self.in_flight: set[int] = set()
        self.busy_chats: set[str] = set()

    async def __call__(self, message: Due) -> None:
        assert message.id not in self.in_flight and message.address not in self.busy_chats
        self.in_flight.add(message.id)
        self.busy_chats.add(message.address)
        for _ in range(3):  # let the other dispatcher run while this send is "on the network"
            await asyncio.sleep(0)
        self.in_flight.discard(message.id)
        self.busy_chats.discard(message.address)
        self.sent.append(message)


async def test_two_dispatchers_send_each_message_once_and_in_order(new_uow, engine, clean_database, clock):
    for chat in range(12):
        await queue(new_uow, clock, f"c{chat}", *(f"c{chat}-{n}" for n in range(5)))
    other_engine = make_engine(clean_database)  # another process's pool
    try:
        recorder = Recorder()
        first = Dispatcher(engine, {Channel.TELEGRAM: recorder}, clock=clock, concurrency=4)
        second = Dispatcher(other_engine, {Channel.TELEGRAM: recorder}, clock=clock, concurrency=4)
        handled = await asyncio.gather(first.drain(), second.drain())
    finally:
        await other_engine.dispose()
    texts = [m.payload["text"] for m in recorder.sent]
    assert Counter(texts) == Counter(f"c{chat}-{n}" for chat in range(12) for n in range(5))  # once each
    assert sum(handled) == 60 and all(handled), handled  # both took part
    per_chat = defaultdict(list)
    for sent in texts:
        chat, n = sent.split("-")
        per_chat[chat].append(int(n))
    assert all(order == sorted(order) for order in per_chat.values())


async def test_a_claim_left_by_a_dead_dispatcher_is_sent_again_when_its_lease_runs_out(new_uow, engine, clock):
    await queue(new_uow, clock, "9", "first", "second")
    async with engine.begin() as conn:  # a dispatcher claims the head, then dies before recording
        crashed = await outbox.claim_head(conn, Channel.TELEGRAM, "9", clock())
    assert crashed.payload["text"] == "first"
    recorder = Recorder()
    dispatcher = Dispatcher(engine, {Channel.TELEGRAM: recorder}, clock=clock)
    assert await dispatcher.drain() == 0  # held: nobody else sends it, and the next one waits behind it
    clock.now += outbox.LEASE
    assert await dispatcher.drain() == 2
    assert [m.payload["text"] for m in recorder.sent] == ["first", "second"]


async def test_nothing_is_held_while_a_message_is_sent(new_uow, engine, clock):
    await queue(new_uow, clock, "1", "a", "b")
    seen = []

    async def sender(message: Due) -> None:
        checked_out = engine.pool.checkedout()
        async with engine.connect() as probe:
            open_transactions = await probe.scalar(OPEN_TRANSACTIONS)
        seen.append((checked_out, open_transactions))

    assert await Dispatcher(engine, {Channel.TELEGRAM: sender}, clock=clock).drain() == 2
    assert seen == [(0, 0), (0, 0)]


async def test_bulk_goes_behind_interactive_and_still_progresses(new_uow, engine, clock):
    """One chat at a time (concurrency 1: four chats a round, one place kept for bulk). Each
    reminder sent brings a new reply to send, so interactive work is always due."""
    for chat in range(12):
        await queue(new_uow, clock, f"b{chat}", f"reminder {chat}", kind="reminder")
    for chat in range(6):
        await queue(new_uow, clock, f"i{chat}", f"reply {chat}")
    order: list[tuple[str, str]] = []  # (kind, lane) as sent
    arrived: dict[str, int] = {}  # a reply's text -> how many sends had happened when it was queued

    async def sender(message: Due) -> None:
        order.append((message.kind, lanes.current.get()))
        if message.kind == "reminder":  # someone taps meanwhile
            reply = f"reply to {message.payload['text']}"
            arrived[reply] = len(order)
            await queue(new_uow, clock, f"new-{message.address}", reply)
        else:
            order[-1] += (message.payload["text"],)

    await Dispatcher(engine, {Channel.TELEGRAM: sender}, clock=clock, concurrency=1).drain()
    kinds = [kind for kind, *_ in order]
    assert kinds.count("reminder") == 12 and kinds.count("reply") == 18
    assert all(lane == (lanes.BULK if kind == "reminder" else lanes.INTERACTIVE) for kind, lane, *_ in order)
    assert kinds[:3] == ["reply"] * 3  # interactive first
    last_reminder = max(i for i, kind in enumerate(kinds) if kind == "reminder")
    assert all("reminder" in kinds[i:i + 4] for i in range(0, last_reminder - 3))  # never starved
    sent_at = {entry[2]: i for i, entry in enumerate(order) if len(entry) == 3}
    assert all(sent_at[reply] - queued < 8 for reply, queued in arrived.items())  # a reply waits one round at most


async def test_a_long_send_keeps_its_claim(new_uow, engine, clean_database, clock, monkeypatch):
    """A send waiting longer than the lease (in a rate limiter) extends it: another dispatcher
    does not take the message meanwhile."""
    monkeypatch.setattr(outbox, "LEASE", timedelta(seconds=0.3))
    extended = asyncio.Event()
    real_extend = outbox.extend_claim

    async def extend_claim(conn, message_id, until):
        await real_extend(conn, message_id, until)
        extended.set()
    monkeypatch.setattr(outbox, "extend_claim", extend_claim)
    await queue(new_uow, clock, "5", "slow")
    others: list[int] = []
    other_engine = make_engine(clean_database)

    async def slow(message: Due) -> None:
        clock.now += timedelta(minutes=1)  # long past the claim's lease
        async with asyncio.timeout(30):  # several beats of the 0.1 s keeper, on a slow machine too
            await extended.wait()
        others.append(await Dispatcher(other_engine, {Channel.TELEGRAM: Recorder()}, clock=clock).drain())

    try:
        assert await Dispatcher(engine, {Channel.TELEGRAM: slow}, clock=clock).drain() == 1
    finally:
        await other_engine.dispose()
    assert others == [0]


async def test_a_send_cut_short_by_a_shutdown_gives_its_message_back(new_uow, engine, clock):
    await queue(new_uow, clock, "7", "interrupted")
    started = asyncio.Event()

    async def hangs(message: Due) -> None:
        started.set()
        await asyncio.Event().wait()

    stopping = asyncio.create_task(Dispatcher(engine, {Channel.TELEGRAM: hangs}, clock=clock).drain())
    await started.wait()
    stopping.cancel()
    await asyncio.gather(stopping, return_exceptions=True)
    async with engine.connect() as conn:
        assert await conn.scalar(select(OutboxMessage.claimed_until)) is None
    recorder = Recorder()
    assert await Dispatcher(engine, {Channel.TELEGRAM: recorder}, clock=clock).drain() == 1  # at once
