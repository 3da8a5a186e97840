"""Transcripts over WhatsApp: signed webhooks in, the real twilio client out, one circle across apps."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import select

from bot.background import tick
from bot.config import Settings
from bot.web import create_web_app
from bot.whatsapp import WEBHOOK_PATH, whatsapp_routes
from core.db import make_engine, make_sessionmaker
from core.models import Channel, OutboxMessage, OutboxStatus
from core.uow import UnitOfWork
from tests.channels.driver import buttons
from tests.channels.fake_twilio import FakeTwilio, incoming, new_sid, sign, status_callback
from tests.channels.updates import Person
from tests.channels.whatsapp_driver import PUBLIC_URL

GRACE = Person(6001, "Grace", None, "grace", "+254700000601")  # organizer, on Telegram
TOM = Person(6002, "Tom", None, "tom", "+254700000602")  # on Telegram
WA = {"Amina": "+254700000611", "Joseph": "+254700000612", "Wanjiru": "+254700000613"}


async def mixed_circle(bot, whatsapp) -> str:
    """Grace's circle in her Telegram group; Tom joins there, three relatives join from WhatsApp."""
    for person in (GRACE, TOM):
        await bot.register(person)
    created = await bot.say(GRACE, "/newcircle Family Fund | 50 USD | 5 | monthly | 2026-12-01")
    code = created.split("join code ")[1].rstrip(").")
    await bot.say(TOM, "/join")
    for name, phone in WA.items():
        reply = await whatsapp.send(phone, f"join {code}", name=name)
        assert "You joined “Family Fund”" in reply
    return code


async def test_three_whatsapp_and_two_telegram_members_complete_a_circle(bot, whatsapp):
    await mixed_circle(bot, whatsapp)
    group = bot.tg.texts_to(bot.group)
    assert any("👋 Amina joined “Family Fund”." in t for t in group)  # WhatsApp joins reach the group
    assert any("Cycle 1 of “Family Fund” is open" in t for t in group)
    assert any("Cycle 1 of “Family Fund” is open" in t for t in whatsapp.inbox(WA["Amina"]))
    assert any("Wanjiru joined" in t for t in whatsapp.inbox(WA["Amina"]))  # the virtual group

    winners = []
    for cycle in range(1, 6):
        for name, phone in WA.items():
            assert "Noted: you paid USD 50" in await whatsapp.send(phone, "PAID")
            post = bot.last_in_group()  # the WhatsApp payment shows up in the group, with buttons
            assert f"{name} says they paid USD 50 for cycle {cycle}" in post["text"]
            await bot.press(GRACE, post, buttons(post)["✅ Confirm"])
            assert f"{name}'s payment of USD 50 was confirmed by Grace" in whatsapp.inbox(phone)[-1]
        for person in (GRACE, TOM):
            await bot.say(person, "/paid")
            await bot.say(GRACE, "/confirm", reply_to=bot.last_in_group())
        drawn = await bot.say(GRACE, "/draw")
        winner = drawn.split("draw: ")[1].split(" receives")[0]
        winners.append(winner)
        assert f"Cycle {cycle} draw by Grace: {winner} receives the pot!" in whatsapp.inbox(WA["Joseph"])[-1]
        await bot.say(GRACE, "/payout")
        if winner in WA:
            assert any("reply RECEIVED once you have it" in t for t in whatsapp.inbox(WA[winner])[-2:])
            assert "Thank you! Recorded that you received" in await whatsapp.send(WA[winner], "received")
        else:
            post = next(m for m in bot.tg.sent[::-1] if "I received it" in str(m.get("reply_markup")))
            person = GRACE if winner.startswith("Grace") else TOM
            await bot.press(person, post, buttons(post)["🙏 I received it"])
    assert sorted(winners) == sorted(["Grace", "Tom", *WA])
    assert any("is complete: every member received the pot once" in t for t in whatsapp.inbox(WA["Amina"]))
    assert "won, received USD 250 ✔" in await whatsapp.send(WA["Amina"], "history")


async def test_the_same_person_on_both_apps_is_one_member(bot, whatsapp):
    code = await mixed_circle(bot, whatsapp)
    assert "You're already in this circle." in await whatsapp.send(TOM.phone, f"JOIN {code}", name="Tom O")
    assert "Family Fund: cycle 1" in await whatsapp.send(TOM.phone, "my circles")


async def test_signatures_are_checked_and_retries_have_one_effect(bot, whatsapp):
    code = await mixed_circle(bot, whatsapp)
    params = incoming(f"whatsapp:{WA['Amina']}", "PAID", message_sid=new_sid("SM"))
    assert (await whatsapp.post("/whatsapp/webhook", params, signature=None)).status_code == 403
    assert (await whatsapp.post("/whatsapp/webhook", params, signature="forged")).status_code == 403
    other_token = sign(PUBLIC_URL + "/whatsapp/webhook", params, "0" * 32)
    assert (await whatsapp.post("/whatsapp/webhook", params, signature=other_token)).status_code == 403
    tampered = whatsapp.post("/whatsapp/webhook", {**params, "Body": "DRAW anyway"},
                             signature=sign(PUBLIC_URL + "/whatsapp/webhook", params, FakeTwilio.AUTH_TOKEN))
    assert (await tampered).status_code == 403
    before = len(whatsapp.inbox(WA["Amina"]))
    for _ in range(3):  # Twilio retrying, or someone replaying a captured request
        assert (await whatsapp.post("/whatsapp/webhook", params)).status_code == 200
    assert len(whatsapp.inbox(WA["Amina"])) == before + 1
    assert "Waiting for confirmation: Amina" in await whatsapp.send(WA["Joseph"], "summary")
    assert code


async def test_unknown_words_and_hostile_input_get_a_clear_reply(bot, whatsapp):
    phone = WA["Amina"]
    assert "Reply with a number or the word." in await whatsapp.send(phone, "hello")
    assert "didn't understand" in await whatsapp.send(phone, "bananas please")
    assert "too long" in await whatsapp.send(phone, "x" * 5000)
    assert "only read text" in await whatsapp.send(phone, "", num_media=1,
                                                   media=[("https://example.invalid/a.jpg", "image/jpeg")])
    assert "not in a circle yet" in await whatsapp.send(phone, "PAID")
    assert "join code" in (await whatsapp.send(phone, "JOIN")).lower()
    assert "No circle has the join code “🤔🤔”" in await whatsapp.send(phone, "JOIN 🤔🤔")
    code = await mixed_circle(bot, whatsapp)
    assert "I couldn't read “50💰” as an amount" in await whatsapp.send(phone, "paid 50💰")
    assert "This circle uses USD, not EUR." in await whatsapp.send(phone, "/Paid 5 EUR")
    assert "Only Grace (organizer) can draw." in await whatsapp.send(phone, "DRAW")
    assert code


async def test_guided_setup_and_numbered_confirmations_on_whatsapp(bot, whatsapp):
    amina, joseph = WA["Amina"], WA["Joseph"]
    assert "What should it be called?" in await whatsapp.send(amina, "NEW", name="Amina")
    assert "How much" in await whatsapp.send(amina, "Chama ya Amina")
    assert "How many members" in await whatsapp.send(amina, "1,000 KES")
    assert "1. Weekly" in await whatsapp.send(amina, "2")
    assert "I couldn't read “whenever” as how often members pay" in await whatsapp.send(amina, "whenever")
    assert "first payment due" in await whatsapp.send(amina, "3")
    assert "payout order" in await whatsapp.send(amina, "2026-12-07")
    assert "Here's your circle" in await whatsapp.send(amina, "1")
    created = await whatsapp.send(amina, "1")
    assert "New savings circle “Chama ya Amina”" in created and "KES 1,000 monthly" in created
    code = created.split("JOIN ")[1].split(" ")[0]
    assert "You joined" in await whatsapp.send(joseph, f"join {code}", name="Joseph")  # 2 of 2: started
    assert "Noted: you paid" in await whatsapp.send(joseph, "paid")
    told = whatsapp.inbox(amina)[-1]
    assert "says they paid KES 1,000" in told and "CONFIRM Joseph" in told
    listing = await whatsapp.send(amina, "confirm")
    assert "1. Joseph" in listing
    assert "Joseph's payment of KES 1,000 was confirmed by Amina" in await whatsapp.send(amina, "CONFIRM 1")
    assert "No payments are waiting" in await whatsapp.send(amina, "confirm")


async def test_failed_deliveries_are_recorded_from_status_callbacks(bot, whatsapp, new_uow):
    await whatsapp.send(WA["Amina"], "help", name="Amina")
    [sent] = whatsapp.twilio.messages_to(f"whatsapp:{WA['Amina']}")
    assert sent["status_callback"] == PUBLIC_URL + "/whatsapp/status"
    forged = status_callback(sent["sid"], "failed", error_code="63016", to=sent["to"])
    assert (await whatsapp.post("/whatsapp/status", forged, signature="nope")).status_code == 403
    assert (await whatsapp.status(forged)).status_code == 204
    async with new_uow() as uow:
        row = (await uow.session.execute(select(OutboxMessage).where(OutboxMessage.provider_id == sent["sid"]))
               ).scalar_one()
    assert row.status == OutboxStatus.FAILED and "63016" in row.last_error


async def test_reminders_outside_the_24_hour_window_use_the_template(bot, whatsapp, clock):
    await mixed_circle(bot, whatsapp)  # everyone last wrote at 09:00Z on 2026-11-25
    bot.dispatcher.senders[Channel.WHATSAPP].reminder_template = "HX" + "1" * 32
    clock.now += timedelta(days=2, hours=21)  # 2026-11-28 06:00Z = 09:00 in Nairobi, 3 days before
    await whatsapp.send(WA["Joseph"], "help")  # Joseph just wrote: his window is open
    await tick(bot.app.bot_data["rosca"].new_uow, bot.dispatcher)
    await bot.dispatcher.drain()
    [nudge] = [m for m in whatsapp.twilio.messages_to(f"whatsapp:{WA['Amina']}") if m["content_sid"]]
    assert nudge["content_sid"] == "HX" + "1" * 32 and not nudge["body"]
    assert nudge["content_variables"] == {"1": "Family Fund", "2": "USD 50", "3": "Tue 1 Dec"}
    joseph = whatsapp.twilio.messages_to(f"whatsapp:{WA['Joseph']}")[-1]
    assert not joseph["content_sid"] and joseph["body"].startswith("Hi Joseph! Your USD 50 for “Family Fund”")


async def test_with_the_database_away_the_member_is_told_to_try_again(fake_twilio, clock):
    """Nothing listens where this engine points: a real connection failure, answered in the webhook's
    own TwiML, since no outbox can be written."""
    settings = Settings(database_url=None, data_dir=Path("."), public_url=PUBLIC_URL,
                        twilio_account_sid=FakeTwilio.ACCOUNT_SID, twilio_auth_token=FakeTwilio.AUTH_TOKEN,
                        twilio_whatsapp_from=FakeTwilio.FROM, twilio_api_url=fake_twilio.base_url)
    engine = make_engine("postgresql://postgres@127.0.0.1:9/nowhere", pool_timeout=2)
    sessions = make_sessionmaker(engine)
    web = create_web_app(engine, None, public_url=PUBLIC_URL, webhook_secret=None,
                         routes=whatsapp_routes(settings, lambda: UnitOfWork(sessions, clock=clock), lambda: None))
    params = incoming("whatsapp:+254700000555", "PAID")
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": sign(PUBLIC_URL + WEBHOOK_PATH, params, FakeTwilio.AUTH_TOKEN)}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as http:
            response = await http.post(WEBHOOK_PATH, content=urlencode(params), headers=headers)
    finally:
        await engine.dispose()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert "<Message>I can't reach my records right now. Nothing was changed; please try again in a moment." \
           "</Message>" in response.text
