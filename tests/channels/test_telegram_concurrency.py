"""Concurrent taps through the real Application: exactly one effect, and one clear answer each."""

from __future__ import annotations

import asyncio

from telegram import Update

from tests.channels import updates
from tests.channels.driver import CARD_START, buttons
from tests.channels.updates import Person

GRACE = Person(7001, "Grace", None, "grace", "+254700000701")
TOM = Person(7002, "Tom", None, "tom", "+254700000702")
AMINA = Person(7003, "Amina", None, "amina", "+254700000703")


async def started(bot) -> None:
    for person in (GRACE, TOM, AMINA):
        await bot.register(person)
    await bot.say(GRACE, "/newcircle Fund | 20 USD | 3 | weekly | 2026-12-02")
    await bot.say(TOM, "/join")
    await bot.say(AMINA, "/join")


async def at_once(bot, raw_updates: list[dict]) -> None:
    await asyncio.gather(*(bot.app.process_update(Update.de_json(u, bot.app.bot)) for u in raw_updates))
    await bot.dispatcher.drain()


async def test_twenty_presses_of_the_same_confirm_button_confirm_once(bot):
    await started(bot)
    await bot.say(TOM, "/paid")
    post = bot.last_in_group()
    data = buttons(post)["✅ Confirm"]
    answers_before = len(bot.tg.callback_answers)
    await at_once(bot, [updates.callback(GRACE, post, data) for _ in range(20)])
    answers = [a.get("text") for a in bot.tg.callback_answers[answers_before:]]
    assert len(answers) == 20
    assert answers.count("Confirmed ✅") == 1
    assert answers.count("Already confirmed by Grace.") == 19
    edits = [m for m in bot.tg.sent if m.get("edited") and "was confirmed by Grace" in m["text"]]
    assert len(edits) == 1
    assert "Confirmed: Tom" in await bot.say(GRACE, "/summary")


async def test_ten_draw_commands_at_once_draw_once(bot):
    await started(bot)
    for person in (GRACE, TOM, AMINA):
        await bot.say(person, "/paid")
        await bot.say(GRACE, "/confirm", reply_to=bot.last_in_group())
    before = len(bot.tg.texts_to(bot.group))
    await at_once(bot, [updates.group_text(GRACE, bot.group, "/draw") for _ in range(10)])
    replies = [t for t in bot.tg.texts_to(bot.group)[before:] if not t.startswith(CARD_START)]
    assert len(replies) == 10
    assert sum("Cycle 1 draw:" in r for r in replies) == 1
    assert sum("The draw for cycle 1 has already happened." in r for r in replies) == 9
