"""The dispatcher against the fake Bot API: retries, backoff, permanent failures, order per chat."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.telegram_request import ATTEMPTS
from core.models import Channel, OutboxMessage, OutboxStatus
from core.outbox import MAX_ATTEMPTS, enqueue
from tests.integration.test_outbox_claims import OPEN_TRANSACTIONS

CHAT = 555


async def queue(new_uow, clock, *names: str, chat: int = CHAT) -> None:
    async with new_uow() as uow:
        for name in names:
            await enqueue(uow.session, channel=Channel.TELEGRAM, address=str(chat), kind="nudge_organizer",
                          payload={"circle": "Fund", "cycle_number": 1, "pending": [name]}, now=clock())
        await uow.session.commit()


async def rows(new_uow) -> list[OutboxMessage]:
    async with new_uow() as uow:
        return list((await uow.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars())


def delivered(tg, chat: int = CHAT) -> list[str]:
    return [text.split(": ")[-1].split(".")[0] for text in tg.texts_to(chat)]


async def test_a_429_waits_for_retry_after_then_delivers(bot, new_uow, clock):
    await queue(new_uow, clock, "Tom")
    bot.tg.fail_next("sendMessage", status=429, retry_after=30)
    assert await bot.dispatcher.drain() == 1
    assert delivered(bot.tg) == [] and (await rows(new_uow))[0].status == OutboxStatus.PENDING
    clock.now += timedelta(seconds=29)
    assert await bot.dispatcher.drain() == 0
    clock.now += timedelta(seconds=1)
    await bot.dispatcher.drain()
    assert delivered(bot.tg) == ["Tom"]
    [row] = await rows(new_uow)
    assert row.status == OutboxStatus.SENT and row.attempts == 2


async def test_server_errors_back_off_and_keep_the_chat_in_order(bot, new_uow, clock, monkeypatch):
    monkeypatch.setattr("bot.telegram_request.BACKOFF", 0.001)
    await queue(new_uow, clock, "A", "B", "C")
    bot.tg.fail_next("sendMessage", status=502, times=2 * ATTEMPTS)  # two sends, each retried ATTEMPTS times
    await bot.dispatcher.drain()
    assert delivered(bot.tg) == []  # B and C wait behind A
    clock.now += timedelta(seconds=1)
    await bot.dispatcher.drain()  # second attempt fails too; next wait is 2 s
    clock.now += timedelta(seconds=1)
    await bot.dispatcher.drain()
    assert delivered(bot.tg) == []
    clock.now += timedelta(seconds=1)
    await bot.dispatcher.drain()
    assert delivered(bot.tg) == ["A", "B", "C"]
    assert [r.attempts for r in await rows(new_uow)] == [3, 1, 1]


async def test_a_blocked_bot_is_recorded_and_not_retried(bot, new_uow, clock):
    await queue(new_uow, clock, "A", "B")
    bot.tg.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    await bot.dispatcher.drain()
    first, second = await rows(new_uow)
    assert first.status == OutboxStatus.FAILED and "blocked" in first.last_error
    assert second.status == OutboxStatus.SENT and delivered(bot.tg) == ["B"]
    clock.now += timedelta(days=1)
    assert await bot.dispatcher.drain() == 0


async def test_it_gives_up_after_the_last_attempt(bot, new_uow, clock, monkeypatch):
    await queue(new_uow, clock, "A")
    monkeypatch.setattr("bot.telegram_request.BACKOFF", 0.001)
    bot.tg.fail_next("sendMessage", status=500, times=MAX_ATTEMPTS * ATTEMPTS)
    for _ in range(MAX_ATTEMPTS):
        await bot.dispatcher.drain()
        clock.now += timedelta(minutes=10)
    [row] = await rows(new_uow)
    assert row.status == OutboxStatus.FAILED and row.attempts == MAX_ATTEMPTS
    assert delivered(bot.tg) == []


async def test_many_chats_are_delivered_in_one_drain(bot, new_uow, clock):
    for chat in range(1, 21):
        await queue(new_uow, clock, f"P{chat}a", f"P{chat}b", chat=chat)
    assert await bot.dispatcher.drain() == 40
    assert all(delivered(bot.tg, chat) == [f"P{chat}a", f"P{chat}b"] for chat in range(1, 21))


async def test_no_connection_or_transaction_is_held_while_telegram_is_called(bot, new_uow, engine, clock):
    """The real sender over HTTP, called with the pool idle and no session of the database inside a
    transaction (what holds when the sender is called holds until it returns: the dispatcher waits)."""
    await queue(new_uow, clock, "A", "B")
    real_sender = bot.dispatcher.senders[Channel.TELEGRAM]
    seen = []

    async def watched(message):
        checked_out = engine.pool.checkedout()
        async with engine.connect() as probe:
            seen.append((checked_out, await probe.scalar(OPEN_TRANSACTIONS)))
        return await real_sender(message)

    bot.dispatcher.senders[Channel.TELEGRAM] = watched
    assert await bot.dispatcher.drain() == 2
    assert delivered(bot.tg) == ["A", "B"]
    assert seen == [(0, 0), (0, 0)]
