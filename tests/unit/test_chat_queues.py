"""bot/inbound.ChatQueues: one chat's updates in order, one person's in order, everyone else meanwhile."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.inbound import ChatQueues
from tests.channels import updates
from tests.channels.updates import Person

ANA, BEN, CARO = Person(1, "Ana"), Person(2, "Ben"), Person(3, "Caro")
GROUP = -100123


class Recorder:
    """Handles an update by noting it; an update whose text is "slow" waits until released."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.release = asyncio.Event()

    async def handle(self, update: Update) -> None:
        if update.effective_message.text == "slow":
            await self.release.wait()
        self.done.append(f"{update.effective_user.first_name}:{update.effective_message.text}")


def update(data: dict) -> Update:
    return Update.de_json(data, None)


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_a_slow_chat_holds_up_only_itself():
    seen = Recorder()
    queues = ChatQueues(seen.handle)
    queues.submit(update(updates.group_text(ANA, GROUP, "slow")))
    queues.submit(update(updates.group_text(BEN, GROUP, "after the slow one")))
    queues.submit(update(updates.private_text(CARO, "/help")))
    await settle()
    assert seen.done == ["Caro:/help"]  # the group waits on its first update; Caro doesn't
    seen.release.set()
    await queues.drain()
    assert seen.done == ["Caro:/help", "Ana:slow", "Ben:after the slow one"]


async def test_one_person_is_handled_in_order_across_chats():
    seen = Recorder()
    queues = ChatQueues(seen.handle)
    queues.submit(update(updates.private_text(ANA, "slow")))  # say, sharing her phone number
    queues.submit(update(updates.group_text(ANA, GROUP, "/join")))  # which this needs first
    queues.submit(update(updates.group_text(BEN, GROUP, "/summary")))  # the group's order holds too
    queues.submit(update(updates.private_text(BEN, "/help")))
    await settle()
    assert seen.done == []  # Ben's private /help follows his /summary, which follows Ana's /join
    seen.release.set()
    await queues.drain()
    assert seen.done == ["Ana:slow", "Ana:/join", "Ben:/summary", "Ben:/help"]


async def test_at_most_concurrency_updates_run_at_once_and_drain_waits_for_all():
    running, peak = 0, 0

    async def handle(update: Update) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1

    queues = ChatQueues(handle, concurrency=3)
    for n in range(12):
        queues.submit(update(updates.private_text(Person(100 + n, f"P{n}"), "/help")))
    assert queues.waiting == 12
    await queues.drain()
    assert (peak, queues.waiting) == (3, 0)


async def test_a_drain_with_a_time_limit_cuts_short_what_is_still_waiting():
    seen = Recorder()
    queues = ChatQueues(seen.handle)
    queues.submit(update(updates.group_text(ANA, GROUP, "slow")))  # never released
    queues.submit(update(updates.group_text(BEN, GROUP, "behind it")))
    queues.submit(update(updates.private_text(CARO, "/help")))
    assert await queues.drain(0.2) == 2
    assert seen.done == ["Caro:/help"] and queues.waiting == 0
