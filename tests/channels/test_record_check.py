"""Transcripts: the record check members keep — the status card's last line, the draw's "How is this
fair?" details on Telegram and FAIR on WhatsApp — and what it later proves about the record."""

from __future__ import annotations

import re

from sqlalchemy import select, text

from core import audit
from core.models import Circle
from tests.channels.driver import buttons
from tests.channels.test_fair_draws import FAIR, GRACE, WA_GRACE, WA_TOM, drawn_circle, whatsapp_circle

RECORD_CHECK = re.compile(r"Record check: ([0-9]+-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


async def head_now(new_uow, name: str) -> audit.Head:
    async with new_uow() as uow:
        circle_id = await uow.session.scalar(select(Circle.id).where(Circle.name == name))
        return await audit.head(uow.session, circle_id)


async def test_the_card_and_the_draw_details_carry_the_record_check(bot, new_uow):
    await drawn_circle(bot)
    card = bot.card()
    assert card.splitlines()[-1] == f"Record check: {(await head_now(new_uow, 'Savings')).fingerprint}"
    await bot.say(GRACE, "/paid")
    assert bot.card().splitlines()[-1] == f"Record check: {(await head_now(new_uow, 'Savings')).fingerprint}"
    assert bot.card() != card  # a change: a newer record check

    await bot.say(GRACE, "/draw anyway")
    post = bot.last_in_group()
    assert not RECORD_CHECK.search(post["text"])  # the result itself stays plain
    _, sent = await bot.press(GRACE, post, buttons(post)[FAIR])
    held = RECORD_CHECK.search(sent[-1]["text"])[1]
    assert held == (await head_now(new_uow, "Savings")).fingerprint
    assert sent[-1]["text"].endswith(f"Record check: {held} (keep this message: with it, anyone can later "
                                     "confirm that the circle's record wasn't changed)")
    verify = await bot.say(GRACE, "/verify 1")
    assert f"Record check: {held}" in verify

    # What the member kept proves the record later: intact now, cut back afterwards.
    async with new_uow() as uow:
        circle_id = await uow.session.scalar(select(Circle.id).where(Circle.name == "Savings"))
        assert await audit.check_head(uow.session, circle_id, held) is None
        await uow.session.execute(text("delete from audit_log where circle_id = :c and seq >= :n"),
                                  {"c": circle_id, "n": int(held.split("-")[0])})
        assert (await audit.check_head(uow.session, circle_id, held)).found is None


async def test_whatsapp_fair_carries_the_record_check(whatsapp, new_uow):
    await whatsapp_circle(whatsapp, new_uow)
    await whatsapp.send(WA_GRACE, "DRAW anyway")
    fair = await whatsapp.send(WA_TOM, "FAIR")
    assert RECORD_CHECK.search(fair)[1] == (await head_now(new_uow, "Savings")).fingerprint and len(fair) <= 1600
