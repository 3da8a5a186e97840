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
            post = bot.tg.last_to(GRACE.id)  # the WhatsApp payment reaches the organizer privately, with buttons
            assert f"{name} says they paid USD 50 for cycle {cycle}" in post["text"]
            await bot.press(GRACE, post, buttons(post)["✅ Confirm"])
            assert f"Grace confirmed your USD 50 for cycle {cycle}" in whatsapp.inbox(phone)[-1]
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
    # Tom's number on WhatsApp, new to him: he confirms it on Telegram first (a recycled SIM must not be Tom).
    assert "This number already belongs to a member" in await whatsapp.send(TOM.phone, f"JOIN {code}", name="Tom O")
    question = bot.tg.last_to(TOM.id)
    await bot.press(TOM, question, buttons(question)["Yes, that's me"])
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
    assert "What name should your circle see?" in await whatsapp.send(phone, "hello")  # no profile name
    assert "Reply with a number or the word." in await whatsapp.send(phone, "Amina")  # named: then "hello"
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
    ref = told.split("CONFIRM ")[1].split(" ")[0]
    assert "says they paid KES 1,000" in told and f"reply CONFIRM {ref} or REJECT {ref}." in told
    listing = await whatsapp.send(amina, "confirm")
    assert f"{ref} — Joseph, KES" in listing
    assert "use the payment's code, not a number" in await whatsapp.send(amina, "CONFIRM 1")
    confirmed = await whatsapp.send(amina, f"confirm {ref.lower()}")
    assert "Joseph's payment of KES 1,000 was confirmed by Amina" in confirmed
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
    await tick(bot.app.bot_data["rosca"].new_uow, bot.dispatcher, bot.app.bot_data["rosca"].beacon)
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


async def test_confirm_by_code_decides_the_payment_the_organizer_saw(bot, whatsapp, clock):
    """Codes don't move when the list does: position 2 changes hands, the code still means Wanjiru."""
    amina, joseph, wanjiru = WA["Amina"], WA["Joseph"], WA["Wanjiru"]
    for answer in ("NEW", "Chama", "1,000 KES", "3", "3", "2026-12-07", "1"):  # the last: random order
        await whatsapp.send(amina, answer, name="Amina")
    code = (await whatsapp.send(amina, "1")).split("JOIN ")[1].split(" ")[0]  # the review's 1: Create
    await whatsapp.send(joseph, f"join {code}", name="Joseph")
    await whatsapp.send(wanjiru, f"join {code}", name="Wanjiru")  # 3 of 3: started
    for payer in (joseph, wanjiru):
        clock.now += timedelta(minutes=1)
        await whatsapp.send(payer, "paid")
    told = {t.split(" says")[0].removeprefix("💸 "): t.split("CONFIRM ")[1].split(" ")[0]
            for t in whatsapp.inbox(amina) if "says they paid" in t}
    assert set(told) == {"Joseph", "Wanjiru"} and told["Joseph"] != told["Wanjiru"]
    listing = await whatsapp.send(amina, "confirm")
    assert listing.index(told["Joseph"]) < listing.index(told["Wanjiru"])  # Wanjiru is second

    assert "rejected by Amina" in await whatsapp.send(amina, f"REJECT {told['Joseph']}")
    clock.now += timedelta(minutes=1)
    await whatsapp.send(amina, "paid")  # the list is now Wanjiru, Amina: position 2 is Amina's
    assert "not a number" in await whatsapp.send(amina, "CONFIRM 2")
    listing = await whatsapp.send(amina, "confirm")
    assert listing.index(told["Wanjiru"]) < listing.index("— Amina")  # Wanjiru first, Amina second now
    assert "Wanjiru's payment of KES" in await whatsapp.send(amina, f"CONFIRM {told['Wanjiru']}")
    board = await whatsapp.send(joseph, "summary")
    assert "Confirmed: Wanjiru" in board and "Waiting for confirmation: Amina" in board
    assert "Already confirmed by Amina" in await whatsapp.send(amina, f"confirm {told['Wanjiru']}")
    assert "No payment of this cycle has the code ZZZZZ" in await whatsapp.send(amina, "CONFIRM ZZZZZ")
    assert "Only Amina (organizer) can confirm" in await whatsapp.send(joseph, f"CONFIRM {told['Wanjiru']}")
    assert "Amina's payment of KES" in await whatsapp.send(amina, "confirm amina")  # names still work
    # A rejection can say why, and the payer hears it: REJECT <code> SHORT <what arrived> · NOT RECEIVED · OTHER.
    clock.now += timedelta(minutes=1)
    await whatsapp.send(joseph, "paid")
    again = next(t for t in reversed(whatsapp.inbox(amina)) if "Joseph says they paid" in t).split("CONFIRM ")[1][:5]
    assert "rejected by Amina" in await whatsapp.send(amina, f"reject {again} short 400")
    assert "KES 600 short (KES 400 arrived)" in whatsapp.inbox(joseph)[-1]


async def test_cycle_open_and_reminders_carry_a_paid_quick_reply_inside_the_window(bot, whatsapp, clock):
    template = "HX" + "2" * 32
    bot.dispatcher.senders[Channel.WHATSAPP].paid_template = template
    await mixed_circle(bot, whatsapp)  # the last join opens cycle 1; everyone wrote just now
    [opened] = [m for m in whatsapp.twilio.messages_to(f"whatsapp:{WA['Amina']}") if m["content_sid"]]
    assert opened["content_sid"] == template and not opened["body"]
    assert "Cycle 1 of “Family Fund” is open" in opened["content_variables"]["1"]
    assert "Reply PAID once you've paid." in opened["content_variables"]["1"]
    assert not any(m["content_sid"] for m in whatsapp.twilio.messages_to(f"whatsapp:{WA['Amina']}")
                   if "joined" in m["body"])  # only messages whose next step is paying

    clock.now += timedelta(hours=20)  # 2026-11-26 05:00Z: still inside everyone's window, no reminder due
    # Tapping the button: Twilio posts the button's title as Body and its id as ButtonPayload.
    tapped = incoming(f"whatsapp:{WA['Joseph']}", "I've paid") | {"ButtonPayload": "PAID", "ButtonText": "I've paid"}
    assert (await whatsapp.post(WEBHOOK_PATH, tapped)).status_code == 200
    assert "Noted: you paid" in whatsapp.inbox(WA["Joseph"])[-1]

    clock.now = clock.now.replace(day=28, hour=5)
    await whatsapp.send(WA["Wanjiru"], "summary")  # Wanjiru wrote an hour before the reminders, Amina days ago
    clock.now = clock.now.replace(hour=6)  # 09:00 in Nairobi, 3 days before the due date
    await tick(bot.app.bot_data["rosca"].new_uow, bot.dispatcher, bot.app.bot_data["rosca"].beacon)
    await bot.dispatcher.drain()
    nudge = whatsapp.twilio.messages_to(f"whatsapp:{WA['Wanjiru']}")[-1]
    assert nudge["content_sid"] == template and nudge["content_variables"]["1"].startswith("Hi Wanjiru! Your")
    assert "Reply PAID once you've paid." in nudge["content_variables"]["1"]
    amina = whatsapp.twilio.messages_to(f"whatsapp:{WA['Amina']}")[-1]
    assert not amina["content_sid"] and amina["body"].startswith("Hi Amina!")  # her window closed: plain text


async def test_a_telegram_member_without_a_group_pays_and_confirms_the_pot_privately(bot, whatsapp):
    """Amina's circle lives on WhatsApp; Tom joined it from a private Telegram chat."""
    amina = WA["Amina"]
    for answer in ("NEW", "Chama", "1,000 KES", "2", "3", "2026-12-07", "1"):
        await whatsapp.send(amina, answer, name="Amina")
    code = (await whatsapp.send(amina, "1")).split("JOIN ")[1].split(" ")[0]
    await bot.register(TOM)
    assert "You're in “Chama”" in await bot.private(TOM, f"/join {code}")  # 2 of 2: started

    assert "Noted: you paid KES" in await bot.private(TOM, "/paid")
    ref = whatsapp.inbox(amina)[-1].split("CONFIRM ")[1].split(" ")[0]
    assert "Tom's payment of KES" in await whatsapp.send(amina, f"CONFIRM {ref}")
    await whatsapp.send(amina, "paid")
    await whatsapp.send(amina, "confirm amina")
    drawn = await whatsapp.send(amina, "draw")
    assert "was handed to" in await whatsapp.send(amina, "payout")
    if "Tom receives" in drawn:
        assert "received the cycle 1 pot of “Chama”" in await bot.private(TOM, "/received")
    else:
        assert "no pot waiting for you" in await bot.private(TOM, "/received")
        assert "Thank you! Recorded that you received" in await whatsapp.send(amina, "received")
    assert "✔" in await whatsapp.send(amina, "history")
