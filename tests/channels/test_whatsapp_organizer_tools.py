"""Transcripts: the organizer tools on WhatsApp (signed webhooks in, the real twilio client out), with
their audit entries, and a 200-member ORDER list that still fits WhatsApp's messages."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from core.circles import join_circle
from core.models import Circle
from tests.channels.updates import Person
from tests.integration.builders import audit_details, user

AMINA, JOSEPH, WANJIRU, OTIENO = "+254700000801", "+254700000802", "+254700000803", "+254700000804"
NAMES = {AMINA: "Amina", JOSEPH: "Joseph", WANJIRU: "Wanjiru", OTIENO: "Otieno"}


async def circle_of(whatsapp, clock, *members: str, size: int = 4, order: str = "random") -> str:
    """Amina sets up a circle on WhatsApp; `members` join a second apart."""
    created = await whatsapp.send(AMINA, f"NEW Family | 50 USD | {size} | weekly | 2026-12-02 | {order}", name="Amina")
    code = re.search(r"JOIN (\w{6})", created).group(1)
    for phone in members:
        clock.now += timedelta(seconds=1)
        assert "You joined “Family”" in await whatsapp.send(phone, f"JOIN {code}", name=NAMES[phone])
    return code




async def test_co_organizers_on_whatsapp(whatsapp, new_uow, clock):
    await circle_of(whatsapp, clock, JOSEPH, WANJIRU)
    assert "Only Amina (organizer" in await whatsapp.send(JOSEPH, "ORGANIZER Wanjiru")
    assert "You're the only organizer" in await whatsapp.send(AMINA, "step down")
    assert "Send ORGANIZER followed by their name" in await whatsapp.send(AMINA, "ORGANIZER")
    assert "I couldn't tell which member you mean by “Zed”" in await whatsapp.send(AMINA, "ORGANIZER Zed")
    assert "⭐ Amina made Joseph an organizer of “Family”." in await whatsapp.send(AMINA, "organizer jos")
    assert "⭐ Amina made Joseph an organizer of “Family”." in whatsapp.inbox(JOSEPH)[-1]  # everyone hears it
    reply = await whatsapp.send(AMINA, "STEP DOWN")
    assert reply == "Amina stepped down as an organizer of “Family”. Organizers now: Joseph."
    assert "Amina stepped down" in whatsapp.inbox(WANJIRU)[-1]
    assert "Only Joseph (organizer) can make someone an organizer." in await whatsapp.send(AMINA, "ORGANIZER Wanjiru")
    assert len(await audit_details(new_uow, "organizer_added")) == 1
    assert len(await audit_details(new_uow, "organizer_stepped_down")) == 1


async def test_how_to_pay_on_whatsapp_reaches_the_cycle_opening(whatsapp, new_uow, clock):
    await circle_of(whatsapp, clock, JOSEPH, WANJIRU)
    assert "An organizer sets them like this:\nHOW TO PAY M-Pesa" in await whatsapp.send(JOSEPH, "how to pay")
    assert "Only Amina (organizer" in await whatsapp.send(JOSEPH, "HOW TO PAY send it to Joseph")
    reply = await whatsapp.send(AMINA, "How to pay M-Pesa 0712 345 678/till, Amina")
    assert reply == "💳 Amina set how to pay into “Family”: M-Pesa 0712 345 678/till, Amina"
    assert whatsapp.inbox(JOSEPH)[-1] == reply  # announced word for word (the slash is no command)
    clock.now += timedelta(seconds=1)
    code = re.search(r"JOIN (\w{6})", whatsapp.inbox(AMINA)[0]).group(1)
    await whatsapp.send(OTIENO, f"JOIN {code}", name="Otieno")  # the fourth member: cycle 1 opens
    opened = next(t for t in whatsapp.inbox(WANJIRU) if "Cycle 1 of “Family” is open" in t)
    assert "How to pay: M-Pesa 0712 345 678/till, Amina" in opened
    assert [d["payment_instructions"] for d in await audit_details(new_uow, "payment_instructions_set")] == [
        "M-Pesa 0712 345 678/till, Amina"]


async def test_paid_for_a_member_on_whatsapp(whatsapp, new_uow, clock):
    await circle_of(whatsapp, clock, JOSEPH, WANJIRU, OTIENO)
    refused = await whatsapp.send(JOSEPH, "PAID FOR Wanjiru")
    assert refused == ("Only Amina (organizer) can record a payment for Wanjiru. "
                       "If you paid yourself, send PAID on its own.")
    assert "Recorded Wanjiru's payment of USD 30 (confirmed)." in await whatsapp.send(AMINA, "paid for wanjiru 30")
    assert "Amina confirmed your USD 30 for cycle 1" in whatsapp.inbox(WANJIRU)[-1]  # told privately
    assert not any("Wanjiru says they paid" in t for t in whatsapp.inbox(JOSEPH))  # she didn't: Amina recorded it
    assert "Whose payment?" in await whatsapp.send(AMINA, "PAID FOR")
    assert "Noted: you paid USD 50" in await whatsapp.send(AMINA, "PAID FOR Amina")  # herself: her own payment
    assert "Paid in part: Wanjiru (short by USD 20)" in await whatsapp.send(JOSEPH, "SUMMARY")
    assert [d["amount"] for d in await audit_details(new_uow, "payment_confirmed")] == [3000]


async def test_the_fixed_order_by_numbers_on_whatsapp(whatsapp, new_uow, clock):
    code = await circle_of(whatsapp, clock, JOSEPH, WANJIRU, order="fixed")
    listing = await whatsapp.send(AMINA, "ORDER")
    assert "1. Amina\n2. Joseph\n3. Wanjiru\nPayout order now: 1. Amina, 2. Joseph, 3. Wanjiru" in listing
    assert "Only Amina (organizer" in await whatsapp.send(JOSEPH, "ORDER 2 1")
    assert "only once" in await whatsapp.send(AMINA, "ORDER 3 3")
    assert "Use the members' numbers from 1 to 3" in await whatsapp.send(AMINA, "ORDER 4 1")
    saved = await whatsapp.send(AMINA, "ORDER 3 1")
    assert saved == "✅ Amina saved the payout order of “Family”:\n1. Wanjiru\n2. Amina\n3. Joseph"
    assert "Amina set the payout order of “Family”: 1. Wanjiru, 2. Amina, 3. Joseph" in whatsapp.inbox(JOSEPH)[-1]
    clock.now += timedelta(seconds=1)
    await whatsapp.send(OTIENO, f"JOIN {code}", name="Otieno")
    opened = next(t for t in whatsapp.inbox(JOSEPH) if "Cycle 1 of “Family” is open" in t)
    assert "Payout order: 1. Wanjiru, 2. Amina, 3. Joseph, 4. Otieno" in opened
    assert "can't change now" in await whatsapp.send(AMINA, "ORDER 2 1")
    assert [len(d["order"]) for d in await audit_details(new_uow, "payout_order_set")] == [2]


async def test_order_is_refused_for_a_random_circle_on_whatsapp(whatsapp, new_uow, clock):
    await circle_of(whatsapp, clock, JOSEPH)
    assert "doesn't use a fixed order (a fair draw each cycle)" in await whatsapp.send(AMINA, "ORDER")
    assert "doesn't use a fixed order" in await whatsapp.send(AMINA, "ORDER 2 1")
    assert await audit_details(new_uow, "payout_order_set") == []


async def test_order_for_200_members_fits_whatsapp(whatsapp, new_uow, clock):
    await circle_of(whatsapp, clock, size=200, order="fixed")
    async with new_uow() as uow:
        circle_id = await uow.session.scalar(select(Circle.id))
    for _ in range(198):
        await join_circle(new_uow(), actor=await user(new_uow), circle_id=circle_id)
    before = len(whatsapp.inbox(AMINA))
    await whatsapp.send(AMINA, "ORDER")
    replies = whatsapp.inbox(AMINA)[before:]
    assert len(replies) > 1 and all(len(r) <= 1600 for r in replies)
    listing = "\n".join(replies)
    assert "\n199. " in listing and "Send ORDER with the numbers" in replies[-1]
    saved = await whatsapp.send(AMINA, "ORDER " + " ".join(str(n) for n in range(199, 0, -1)))
    assert len(saved) <= 1600 and saved.endswith("… and 159 more, in the order they joined")


async def test_a_telegram_organizer_names_a_whatsapp_member_by_name(bot, whatsapp, clock):
    grace = Person(7101, "Grace", None, "grace", "+254700000711")
    tom = Person(7102, "Tom", None, "tom", "+254700000712")
    for person in (grace, tom):
        await bot.register(person)
    created = await bot.say(grace, "/newcircle Family | 50 USD | 3 | weekly | 2026-12-02")
    code = created.split("join code ")[1].rstrip(").")
    clock.now += timedelta(seconds=1)
    await whatsapp.send(WANJIRU, f"JOIN {code}", name="Wanjiru Kamau")
    assert "Grace made Wanjiru Kamau an organizer" in await bot.say(grace, "/organizer @wanjiru")  # no handle
    assert "⭐ Grace made Wanjiru Kamau an organizer of “Family”." in whatsapp.inbox(WANJIRU)[-1]
    clock.now += timedelta(seconds=1)
    await bot.say(tom, "/join")
    recorded = await bot.say(grace, "/paid @wanjiru")
    assert recorded == "✅ Grace recorded Wanjiru Kamau's payment of USD 50 for cycle 1 (confirmed)."
    assert "Grace confirmed your USD 50 for cycle 1" in whatsapp.inbox(WANJIRU)[-1]  # told privately
