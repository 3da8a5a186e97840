"""Transcripts: organizer tools on Telegram — co-organizers, how to pay, paying for someone, the fixed order.

Each change is checked in the audit chain too: a tool that changed something without its entry would
be a hole in the circle's record.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.background import tick
from core.models import ChannelIdentity, Circle, PayoutOrder
from tests.channels import updates
from tests.channels.driver import buttons
from tests.channels.updates import Person
from tests.integration.builders import audit_details, forming_circle

GRACE = Person(7001, "Grace", None, "grace", "+254700000701")
TOM = Person(7002, "Tom", None, "tom", "+254700000702")
AMINA = Person(7003, "Amina", None, "amina", "+254700000703")
JOSEPH = Person(7004, "Joseph", None, "joseph", "+254700000704")


async def circle_with(bot, clock, *members: Person, size: int = 3, order: str = "random") -> None:
    """Members join a second apart (join order is the order of a fixed circle's unplaced members)."""
    for person in (GRACE, *members):
        await bot.register(person)
    await bot.say(GRACE, f"/newcircle Savings | 20 USD | {size} | weekly | 2026-12-02 | {order}")
    for person in members:
        clock.now += timedelta(seconds=1)
        await bot.say(person, "/join")




async def test_a_co_organizer_is_added_and_the_first_one_steps_down(bot, new_uow, clock):
    await circle_with(bot, clock, TOM, AMINA, size=4)
    assert "Only Grace (organizer" in await bot.say(AMINA, "/organizer @tom")
    assert "You're the only organizer, so you can't step down yet" in await bot.say(GRACE, "/stepdown")
    assert "Who should become an organizer too? Tap their name" in await bot.say(GRACE, "/organizer")
    ask = bot.last_in_group()
    assert set(buttons(ask)) == {"Tom", "Amina"}  # members who aren't organizers yet
    toast, _ = await bot.press(AMINA, ask, buttons(ask)["Tom"])
    assert toast == "Only Grace (organizer) can do that."
    toast, sent = await bot.press(GRACE, ask, buttons(ask)["Tom"])
    assert toast == "Done." and sent[-1]["text"] == "⭐ Grace made Tom an organizer of “Savings”."
    toast, _ = await bot.press(GRACE, ask, buttons(ask)["Tom"])  # the old button, again
    assert toast == "They're already an organizer."
    assert "already an organizer" in await bot.say(GRACE, "/organizer @tom")
    amina_says = updates.group_text(AMINA, bot.group, "I can help")["message"]
    assert "Tom made Amina an organizer" in await bot.say(TOM, "/organizer", reply_to=amina_says)  # a reply
    assert "Grace stepped down as an organizer of “Savings”. Organizers now: Amina, Tom." in await bot.say(
        GRACE, "/stepdown")
    assert "Only Tom or Amina (organizers) can do that." == await bot.say(GRACE, "/stepdown")  # a member now
    assert "Only Tom or Amina (organizers) can remove members." in await bot.say(GRACE, "/remove @amina")
    added = await audit_details(new_uow, "organizer_added")
    assert len(added) == 2 and len(await audit_details(new_uow, "organizer_stepped_down")) == 1


async def test_payment_instructions_are_set_shown_and_carried_by_calls_to_pay(bot, new_uow, clock):
    await circle_with(bot, clock, TOM, size=3)
    assert "has no payment instructions yet" in await bot.say(TOM, "/howtopay")
    assert "Only Grace (organizer" in await bot.say(TOM, "/howtopay Send it to Tom")
    assert "at most 300" in await bot.say(GRACE, "/howtopay " + "x" * 301)
    reply = await bot.say(GRACE, "/howtopay M-Pesa 0712 345 678,  \u202e Grace Wanjiru")  # a direction override
    assert reply == "💳 Grace set how to pay into “Savings”: M-Pesa 0712 345 678, Grace Wanjiru"
    assert "How to pay into “Savings”: M-Pesa 0712 345 678, Grace Wanjiru" in await bot.say(TOM, "/howtopay")

    await bot.register(AMINA)
    opened = await bot.say(AMINA, "/join")  # fills the circle: cycle 1 opens
    assert "Cycle 1 of “Savings” is open" in opened and "How to pay: M-Pesa 0712 345 678, Grace Wanjiru" in opened

    clock.now = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)  # 09:00 in Nairobi, 3 days before the due date
    await tick(bot.app.bot_data["rosca"].new_uow, bot.dispatcher, bot.app.bot_data["rosca"].beacon)
    await bot.dispatcher.drain()
    group_reminder, private_nudge = bot.tg.texts_to(bot.group)[-1], bot.tg.texts_to(TOM.id)[-1]
    assert "(in 3 days)" in group_reminder and "How to pay: M-Pesa 0712 345 678" in group_reminder
    assert private_nudge.startswith("Hi Tom!") and "How to pay: M-Pesa 0712 345 678" in private_nudge

    assert "removed the payment instructions" in await bot.say(GRACE, "/howtopay off")
    assert "has no payment instructions yet" in await bot.say(TOM, "/howtopay")
    assert [d["payment_instructions"] for d in await audit_details(new_uow, "payment_instructions_set")] == [
        "M-Pesa 0712 345 678, Grace Wanjiru", None]
    async with new_uow() as uow:
        assert (await uow.session.scalar(select(Circle.payment_instructions))) is None


async def test_an_organizer_records_a_payment_for_a_member(bot, new_uow, clock):
    await circle_with(bot, clock, TOM, AMINA)
    assert "Grace recorded Tom's payment of USD 20 for cycle 1 (confirmed)." in await bot.say(GRACE, "/paid @tom")
    assert "Amina says they paid USD 20" in await bot.say(AMINA, "/paid")
    amina_says = updates.group_text(AMINA, bot.group, "I gave Grace 15 in cash")["message"]
    recorded = await bot.say(GRACE, "/paid 15", reply_to=amina_says)
    assert "Grace recorded Amina's payment of USD 15 for cycle 1 (confirmed). Still short by USD 5." in recorded
    summary = await bot.say(TOM, "/summary")  # 15 of 20 is not paid: it stays visibly short
    assert "Confirmed: Tom\nPaid in part: Amina (short by USD 5)" in summary

    refused = await bot.say(TOM, "/paid @grace")
    assert refused == ("Only Grace (organizer) can record a payment for Grace. "
                       "If you paid yourself, send /paid on its own.")
    assert "I couldn't find @nobody among the members" in await bot.say(GRACE, "/paid @nobody")
    assert "already recorded (confirmed)" in await bot.say(GRACE, "/paid @tom")
    assert "Grace says they paid USD 20" in await bot.say(GRACE, "/paid @grace")  # naming herself: her own
    marked = await audit_details(new_uow, "payment_marked")
    confirmed = await audit_details(new_uow, "payment_confirmed")
    # Amina had said 20; Grace recorded the 15 she received: that is what was confirmed.
    assert [d["amount"] for d in marked] == [2000, 2000, 2000] and [d["amount"] for d in confirmed] == [2000, 1500]


async def test_the_fixed_order_is_tapped_name_by_name(bot, new_uow, clock):
    await circle_with(bot, clock, TOM, AMINA, JOSEPH, size=5, order="fixed")
    created = next(t for t in bot.tg.texts_to(bot.group) if "New savings circle" in t)
    assert "with /order before the circle starts" in created
    assert "Only Grace (organizer" in await bot.say(TOM, "/order")
    await bot.say(GRACE, "/order")
    board = bot.last_in_group()
    assert "Not placed yet: Grace, Tom, Amina, Joseph." in board["text"]

    toast, _ = await bot.press(TOM, board, buttons(board)["Amina"])  # a member's tap counts for nothing
    assert toast == "Only Grace (organizer) can do that."
    for name in ("Amina", "Joseph", "Tom"):
        _, sent = await bot.press(GRACE, board, buttons(bot.last_in_group())[name])
    assert "1. Amina\n2. Joseph\n3. Tom\nNot placed yet: Grace (if you save now" in sent[-1]["text"]
    _, sent = await bot.press(GRACE, board, buttons(sent[-1])["↩️ Undo"])
    assert "2. Joseph\nNot placed yet: Grace, Tom" in sent[-1]["text"]
    toast, sent = await bot.press(GRACE, board, buttons(sent[-1])["✅ Save"])
    assert toast == "Saved."
    assert sent[-1]["text"] == ("✅ Grace saved the payout order of “Savings”:\n"
                                "1. Amina\n2. Joseph\n3. Grace\n4. Tom")
    toast, _ = await bot.press(GRACE, board, buttons(board)["Tom"])  # a button of the saved draft
    assert "out of date" in toast
    [saved] = await audit_details(new_uow, "payout_order_set")
    assert len(saved["order"]) == 2

    await bot.register(Person(7005, "Wanjiru", None, "wanjiru", "+254700000705"))
    clock.now += timedelta(seconds=1)
    opened = await bot.say(Person(7005, "Wanjiru", None, "wanjiru", "+254700000705"), "/join")
    assert "Payout order: 1. Amina, 2. Joseph, 3. Grace, 4. Tom, 5. Wanjiru" in opened


async def test_a_fixed_circle_starting_without_an_order_says_it_uses_the_join_order(bot, clock):
    await circle_with(bot, clock, TOM, AMINA, size=3, order="fixed")
    opened = "\n".join(bot.tg.texts_to(bot.group))
    assert "Payout order (the order they joined): 1. Grace, 2. Tom, 3. Amina" in opened
    assert "can't change now" in await bot.say(GRACE, "/order")


async def test_order_is_refused_for_a_circle_without_a_fixed_order(bot, new_uow, clock):
    await circle_with(bot, clock, TOM, size=3)
    assert "“Savings” doesn't use a fixed order (a fair draw each cycle)" in await bot.say(GRACE, "/order")
    assert await audit_details(new_uow, "payout_order_set") == []


async def test_order_for_200_members_fits_telegram(bot, new_uow):
    circle, people = await forming_circle(new_uow, 199, total=200, payout_order=PayoutOrder.FIXED,
                                          telegram_chat=str(bot.group))
    async with new_uow() as uow:
        address = await uow.session.scalar(select(ChannelIdentity.address)
                                           .where(ChannelIdentity.user_id == people[0]))
    grace = Person(int(address), "Grace")
    await bot.dispatcher.drain()  # the 199 joins' announcements first
    await bot.say(grace, "/order")
    board = bot.last_in_group()
    for _ in range(3):
        keyboard = board["reply_markup"]["inline_keyboard"]
        assert len(board["text"]) <= 4096 and sum(len(row) for row in keyboard) <= 100
        assert all(len(b["callback_data"].encode()) <= 64 for row in keyboard for b in row)
        _, sent = await bot.press(grace, board, keyboard[0][0]["callback_data"])
        board = sent[-1]
    toast, sent = await bot.press(grace, board, buttons(board)["✅ Save"])
    assert toast == "Saved." and len(sent[-1]["text"]) <= 4096
    assert sent[-1]["text"].endswith("… and 159 more, in the order they joined")


async def test_a_pay_button_under_someone_elses_message_is_the_pressers_own_payment(bot, clock):
    await circle_with(bot, clock, TOM, AMINA)
    asked = updates.group_text(TOM, bot.group, "/help")
    await bot.deliver(asked)
    card = dict(bot.last_in_group(), reply_to_message=asked["message"])  # in groups, replies quote the asker
    _, sent = await bot.press(GRACE, card, buttons(card)["💸 I've paid USD 20"])
    assert any("Grace says they paid USD 20" in m["text"] for m in sent)  # not a payment recorded for Tom
    assert "Not paid: Tom, Amina" in await bot.say(TOM, "/summary")
