"""Transcripts: a draw mixes in the public random number (a fake drand relay here), the draw file and
the standalone checker show it, and when the beacon is down the organizer is told and may draw
without it, while the scheduler waits a day first. Each draw without it says so."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.background import tick
from bot.beacon import DrandBeacon
from core import fairness
from core.errors import BeaconUnavailable
from core.models import Cycle, Draw
from tests.channels.driver import buttons, is_card
from tests.channels.fake_beacon import beacon_value
from tests.channels.test_fair_draws import (
    AMINA,
    FAIR,
    GRACE,
    TOM,
    WA_GRACE,
    check_alone,
    drawn_circle,
    whatsapp_circle,
)

WITHOUT = "🎲 Draw without it"
UNREACHABLE = "I can't reach the public random number this draw uses right now."


async def the_cycle(new_uow) -> Cycle:
    async with new_uow() as uow:
        return (await uow.session.execute(select(Cycle))).scalar_one()


async def the_draw(new_uow) -> Draw:
    async with new_uow() as uow:
        return (await uow.session.execute(select(Draw))).scalar_one()


async def test_a_draw_on_telegram_mixes_in_the_beacon_round_fixed_when_the_cycle_opened(bot, fake_beacon, new_uow,
                                                                                       clock, tmp_path):
    await drawn_circle(bot)
    cycle = await the_cycle(new_uow)
    opened = clock.now.timestamp()
    assert opened + fairness.BEACON_MARGIN < fairness.beacon_round_time(cycle.beacon_round) <= (
        opened + fairness.BEACON_MARGIN + fairness.BEACON_PERIOD)  # published just after the cycle opened
    assert fake_beacon.asked == []  # nothing is fetched until the draw

    drawn = await bot.say(GRACE, "/draw anyway")
    assert fake_beacon.asked == [cycle.beacon_round]
    value = beacon_value(cycle.beacon_round)
    winner = fairness.pick_winner(cycle.seed, str(cycle.circle_id), 1, [str(u) for u in cycle.eligible_ids],
                                  value.randomness)
    draw = await the_draw(new_uow)
    assert str(draw.winner_id) == winner and draw.beacon_randomness == value.randomness
    assert "receives the pot!" in drawn and "without the public random number" not in drawn

    _, sent = await bot.press(AMINA, bot.last_in_group(), buttons(bot.last_in_group())[FAIR])
    why = sent[-1]["text"]
    assert "named a public random number that didn't exist yet" in why
    assert f"Public random number: drand quicknet round {cycle.beacon_round}, published 2026-11-25 09:00:" in why
    assert f"Its value (randomness): {value.randomness}" in why

    _, files = await bot.press(AMINA, sent[-1], buttons(sent[-1])["📄 The draw file"])
    proof = json.loads(files[-1]["document_content"])
    assert proof["beacon"] == {"chain": fairness.BEACON_CHAIN, "round": cycle.beacon_round,
                               "published": proof["beacon"]["published"], "randomness": value.randomness,
                               "signature": value.signature}
    done = check_alone(tmp_path, files[-1]["document_content"], "draw-1.json")
    assert done.returncode == 0 and "randomness matches signature: yes" in done.stdout, done.stdout + done.stderr
    assert f"https://api.drand.sh/{fairness.BEACON_CHAIN}/public/{cycle.beacon_round}" in done.stdout

    tampered = {**proof, "beacon": {**proof["beacon"], "randomness": beacon_value(1).randomness}}
    done = check_alone(tmp_path, json.dumps(tampered).encode(), "draw-1.json")
    assert done.returncode == 1 and "NOT OK: this randomness is not the SHA-256" in done.stdout, done.stdout


async def test_with_the_beacon_down_the_organizer_is_told_and_may_draw_without_it(bot, fake_beacon, new_uow,
                                                                                tmp_path):
    await drawn_circle(bot)
    fake_beacon.down = True
    # A draw refused for its own reasons fetches nothing and says what it always said.
    assert (await bot.say(GRACE, "/draw")).startswith("Not everyone is confirmed yet") and not fake_beacon.asked
    refused = await bot.say(GRACE, "/draw anyway")
    assert refused.startswith(UNREACHABLE) and "draw without it" in refused
    assert len(fake_beacon.asked) == 1 and not await _drawn(new_uow)
    offer = [m for m in bot.tg.messages_to(bot.group) if WITHOUT in buttons(m)][-1]

    toast, _ = await bot.press(TOM, offer, buttons(offer)[WITHOUT])  # only an organizer may
    assert "Only Grace (organizer)" in toast and not await _drawn(new_uow)
    toast, sent = await bot.press(GRACE, offer, buttons(offer)[WITHOUT])
    assert toast == "🎲" and "receives the pot!" in sent[0]["text"]
    assert sent[0]["text"].endswith("Drawn without the public random number (it couldn't be reached).")
    draw = await the_draw(new_uow)
    assert draw.beacon_randomness is None and draw.unpaid_ids  # "anyway" carried through the button
    assert (await bot.press(GRACE, offer, buttons(offer)[WITHOUT]))[0].startswith("The draw for cycle 1 has already")

    _, sent = await bot.press(AMINA, sent[0], buttons(sent[0])[FAIR])
    why = sent[-1]["text"]
    assert "this draw was made without it: whoever runs me could have known the result" in why
    assert "Not used: it couldn't be reached at the draw." in why
    _, files = await bot.press(AMINA, sent[-1], buttons(sent[-1])["📄 The draw file"])
    proof = json.loads(files[-1]["document_content"])
    assert proof["beacon"]["signature"] is None and proof["beacon"]["randomness"] is None
    done = check_alone(tmp_path, files[-1]["document_content"], "draw-1.json")
    assert done.returncode == 0 and "WITHOUT the public random number" in done.stdout, done.stdout


async def _drawn(new_uow) -> bool:
    async with new_uow() as uow:
        return (await uow.session.execute(select(Draw))).first() is not None


async def test_the_scheduler_waits_a_day_for_the_beacon_then_draws_without_it(bot, fake_beacon, new_uow, clock):
    await drawn_circle(bot)
    for person in (GRACE, TOM, AMINA):
        await bot.say(person, "/paid")
    for post in [m for m in bot.tg.messages_to(bot.group) if "✅ Confirm" in buttons(m)][-3:]:
        await bot.press(GRACE, post, buttons(post)["✅ Confirm"])
    fake_beacon.down = True
    due = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 18:00 in Nairobi on the due date

    async def tick_at(moment: datetime) -> list[str]:
        clock.now = moment
        before = len(bot.tg.sent)
        rosca = bot.app.bot_data["rosca"]
        await tick(rosca.new_uow, bot.dispatcher, rosca.beacon)
        await bot.dispatcher.drain()
        return [m["text"] for m in bot.tg.sent[before:] if not is_card(m) and "pot" in m["text"]]

    assert await tick_at(due) == [] and fake_beacon.asked  # tried, and waits
    assert await tick_at(due + timedelta(hours=23, minutes=59)) == [] and not await _drawn(new_uow)
    [announced] = await tick_at(due + timedelta(hours=24))
    assert "Everyone paid, so I drew cycle 1" in announced
    draw = await the_draw(new_uow)
    assert draw.drawn_by is None and draw.beacon_randomness is None
    why = await bot.say(TOM, "/verify")
    assert "Not used: it couldn't be reached at the draw." in why


async def test_a_whatsapp_organizer_is_told_too_and_may_draw_without_it(whatsapp, fake_beacon, new_uow):
    await whatsapp_circle(whatsapp, new_uow)
    fake_beacon.down = True
    refused = await whatsapp.send(WA_GRACE, "DRAW anyway")
    assert refused.startswith(UNREACHABLE) and "send DRAW ANYWAY WITHOUT to draw without it" in refused
    assert not await _drawn(new_uow)
    drawn = await whatsapp.send(WA_GRACE, "DRAW anyway without")
    assert "receives the pot!" in drawn and "Drawn without the public random number" in drawn
    assert (await the_draw(new_uow)).beacon_randomness is None


async def test_the_client_waits_for_a_round_not_yet_published_and_refuses_a_value_not_drands(fake_beacon):
    beacon = DrandBeacon(fake_beacon.url)
    fake_beacon.too_early = 1  # asked a moment before the round is out: asks again a round later
    assert await beacon(34264816) == beacon_value(34264816) and fake_beacon.asked == [34264816] * 2
    fake_beacon.wrong = True
    with pytest.raises(BeaconUnavailable):
        await beacon(34264816)
    with pytest.raises(BeaconUnavailable):
        await DrandBeacon("http://127.0.0.1:9")(34264816)  # nothing listens there
