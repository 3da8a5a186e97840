"""Transcript: the circle keeps moving by itself — reminders, nudges and the automatic draw."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.background import tick
from tests.channels.driver import buttons, is_card
from tests.channels.updates import Person

GRACE = Person(5001, "Grace", None, "grace", "+254700000501")
TOM = Person(5002, "Tom", None, "tom", "+254700000502")


async def run_tick(bot, clock, when: str) -> list[dict]:
    clock.now = datetime.fromisoformat(when).replace(tzinfo=UTC)
    before = len(bot.tg.sent)
    await tick(bot.app.bot_data["rosca"].new_uow, bot.dispatcher, bot.app.bot_data["rosca"].beacon)
    await bot.dispatcher.drain()
    return bot.tg.sent[before:]


async def test_reminders_nudges_and_the_automatic_draw(bot, clock):
    for person in (GRACE, TOM):
        await bot.register(person)
    await bot.say(GRACE, "/newcircle Fund | 20 USD | 2 | weekly | 2026-12-02")
    await bot.say(TOM, "/join")
    assert "reminders at 09:00 (Africa/Nairobi): 3 days before, on the due date" in await bot.say(GRACE, "/reminders")
    assert "Only Grace (organizer) can change the reminders." in await bot.say(TOM, "/reminders 1 at 8")

    sent = await run_tick(bot, clock, "2026-11-29T06:00")  # 09:00 in Nairobi, 3 days before
    by_chat = {m["chat_id"]: m["text"] for m in sent}
    assert "is due Wed 2 Dec (in 3 days)" in by_chat[bot.group] and "Not paid yet: Grace, Tom" in by_chat[bot.group]
    assert by_chat[TOM.id].startswith("Hi Tom! Your USD 20 for “Fund” (cycle 1) is due Wed 2 Dec (in 3 days)")
    assert await run_tick(bot, clock, "2026-11-29T06:01") == []

    await bot.say(TOM, "/paid")
    nudged = await run_tick(bot, clock, "2026-12-02T06:00")  # due day: Tom's payment waits for Grace
    assert {m["chat_id"] for m in nudged} == {bot.group, GRACE.id}
    assert any("payments wait for your confirmation (cycle 1): Tom" in m["text"] for m in nudged)
    assert any("Not paid yet: Grace." in m["text"] for m in nudged)

    await bot.say(GRACE, "/paid")
    for post in [m for m in bot.tg.messages_to(bot.group) if "✅ Confirm" in buttons(m)][-2:]:
        await bot.press(GRACE, post, buttons(post)["✅ Confirm"])
    assert await run_tick(bot, clock, "2026-12-02T14:59") == []  # 17:59: not yet the draw hour
    drawn = [m for m in await run_tick(bot, clock, "2026-12-02T15:00") if not is_card(m)]
    assert len(drawn) == 1 and "Everyone paid, so I drew cycle 1 of “Fund”" in drawn[0]["text"]
    assert "🤔 How is this fair?" in buttons(drawn[0]) and not re.search(r"[0-9a-f]{64}", drawn[0]["text"])
    assert "already happened" in await bot.say(GRACE, "/draw")
