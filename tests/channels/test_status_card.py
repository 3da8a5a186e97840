"""Transcripts: organizers decide privately, payers hear privately, and the group sees one status card,
edited in place, instead of a post per payment."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from telegram import Update

from core import outbox
from core.circles import add_organizer
from core.models import Channel, OutboxMessage, OutboxStatus
from core.users import user_by_identity
from handlers.telegram import card
from tests.channels import updates
from tests.channels.driver import buttons, is_card
from tests.channels.updates import Person

FAMILY = [Person(8001 + i, name, None, name.lower(), f"+2547000008{i:02d}") for i, name in enumerate(
    ["Grace", "Tom", "Amina", "Joseph", "Wanjiru", "Baraka", "Zawadi", "Otieno", "Njeri", "Kamau"])]
GRACE, TOM, AMINA = FAMILY[:3]


async def started(bot, people: list[Person]) -> None:
    for person in people:
        await bot.register(person)
    await bot.say(people[0], f"/newcircle Fund | 20 USD | {len(people)} | weekly | 2026-12-02")
    for person in people[1:]:
        await bot.say(person, "/join")


def new_in_group(bot, since: int) -> list[dict]:
    """New messages in the group (sendMessage), not edits: what makes a phone buzz."""
    return [m for m in bot.tg.sent[since:] if m["chat_id"] == bot.group and not m.get("edited")]


async def tap_paid(bot, person: Person) -> str:
    post = next(m for m in reversed(bot.tg.messages_to(bot.group)) if any(
        label.startswith("I've paid") for label in buttons(m)))
    data = next(d for label, d in buttons(post).items() if label.startswith("I've paid"))
    toast, _ = await bot.press(person, post, data)
    return toast


def decision_post(bot, organizer: Person, payer: str) -> dict:
    return next(m for m in reversed(bot.tg.messages_to(organizer.id))
                if m["text"].startswith(f"💸 {payer} says they paid") and "✅ Confirm" in buttons(m))


async def test_ten_members_make_at_most_half_a_group_message_each_per_cycle(bot):
    """Payments by tap, decisions in the organizer's private chat, the draw from its private button:
    the group hears the cycle opening, the draw and the handover; everything else edits the card."""
    await started(bot, FAMILY)
    since = len(bot.tg.sent)
    assert bot.tg.pinned[bot.group] == next(m for m in bot.tg.sent if is_card(m))["message_id"]
    for cycle in range(1, 11):
        for person in FAMILY:
            assert await tap_paid(bot, person) == "Noted — the organizers will confirm."
            toast, _ = await bot.press(GRACE, (post := decision_post(bot, GRACE, person.first_name)),
                                       buttons(post)["✅ Confirm"])
            assert toast == "Confirmed ✅"
        assert f"Cycle {cycle} of 10" in bot.card() and "Everyone paid — the draw is at 18:00" in bot.card()
        ready = bot.tg.last_to(GRACE.id)
        assert f"Everyone in “Fund” is confirmed for cycle {cycle}" in ready["text"]
        toast, _ = await bot.press(GRACE, ready, buttons(ready)["🎲 Draw now"])
        assert "waiting for the handover" in bot.card()
        paid_out = await bot.say(GRACE, "/payout")
        receiver = next(p for p in FAMILY if f"handed to {p.first_name}" in paid_out)
        post = next(m for m in reversed(bot.tg.messages_to(bot.group)) if "🙏 I received it" in buttons(m))
        await bot.press(receiver, post, buttons(post)["🙏 I received it"])
    assert "Complete: every member received the pot once" in bot.card()
    per_member_per_cycle = len(new_in_group(bot, since)) / (len(FAMILY) * 10)
    assert per_member_per_cycle <= 0.5, [m["text"][:40] for m in new_in_group(bot, since)]


async def test_the_card_follows_every_change_and_survives_being_deleted(bot):
    await started(bot, FAMILY[:3])
    assert "Cycle 1 of 3" in bot.card() and "Waiting for 3 payments." in bot.card()
    card_id = next(m for m in bot.tg.sent if is_card(m))["message_id"]
    await tap_paid(bot, TOM)
    assert "⏳ Tom" in bot.card() and "(1 waiting for an organizer to confirm)" in bot.card()
    latest = [m for m in bot.tg.sent if is_card(m)][-1]
    assert latest.get("edited") and latest["message_id"] == card_id  # edited, not posted
    await bot.press(GRACE, (post := decision_post(bot, GRACE, "Tom")), buttons(post)["✅ Confirm"])
    assert "✅ Tom" in bot.card() and "Waiting for 2 payments." in bot.card()

    bot.tg._messages.pop((bot.group, card_id))  # someone deleted the card
    await tap_paid(bot, AMINA)
    reposted = [m for m in bot.tg.sent if is_card(m) and not m.get("edited")]
    assert len(reposted) == 2 and "⏳ Amina" in reposted[-1]["text"]
    assert bot.tg.pinned[bot.group] == reposted[-1]["message_id"]
    await tap_paid(bot, GRACE)  # and the next change edits the new one
    assert [m for m in bot.tg.sent if is_card(m)][-1]["message_id"] == reposted[-1]["message_id"]
    assert "⏳ Grace" in bot.card()


async def test_changes_waiting_for_delivery_make_one_card_edit(bot):
    await started(bot, FAMILY[:4])
    cycle_post = bot.last_in_group()
    data = next(d for label, d in buttons(cycle_post).items() if label.startswith("I've paid"))
    before = len(bot.tg.sent)
    for person in FAMILY[:4]:  # four taps land before the dispatcher runs
        await bot.app.process_update(Update.de_json(updates.callback(person, cycle_post, data), bot.app.bot))
    await bot.dispatcher.drain()
    edits = [m for m in bot.tg.sent[before:] if is_card(m)]
    assert len(edits) == 1 and edits[0]["text"].count("⏳") == 5  # four members, and the legend


async def test_without_the_right_to_pin_the_group_is_told_once_how_to_allow_it(bot):
    bot.tg.cannot_pin.add(bot.group)
    since = len(bot.tg.sent)
    await started(bot, FAMILY[:2])
    told = [m["text"] for m in new_in_group(bot, since) if "Pin messages" in m["text"]]
    assert told == [
        "📌 I keep this circle's status card up to date above. To pin it for everyone, make me an admin with "
        "“Pin messages” allowed."]
    await tap_paid(bot, TOM)
    assert len([m for m in new_in_group(bot, since) if "Pin messages" in m["text"]]) == 1


async def test_reject_asks_why_and_the_payer_hears_it_privately(bot, new_uow):
    await started(bot, FAMILY[:3])
    grace = await user_by_identity(new_uow(), Channel.TELEGRAM, str(GRACE.id))
    amina = await user_by_identity(new_uow(), Channel.TELEGRAM, str(AMINA.id))
    circle_id = re.search(r"paid:([0-9a-f-]{36})", str(buttons(bot.last_in_group()))).group(1)
    await add_organizer(new_uow(), actor=grace.id, circle_id=uuid.UUID(circle_id), user_id=amina.id)

    await tap_paid(bot, TOM)
    mine, hers = decision_post(bot, GRACE, "Tom"), decision_post(bot, AMINA, "Tom")
    _, sent = await bot.press(GRACE, mine, buttons(mine)["❌ Reject"])
    asked = sent[-1]
    assert "Why can't you confirm it? Tom will be told." in asked["text"]
    assert list(buttons(asked)) == ["Amount short", "Not received", "Other", "↩️ Back"]
    assert "⏳ Tom" in bot.card()  # nothing decided yet
    _, sent = await bot.press(GRACE, asked, buttons(asked)["Amount short"])
    asked = sent[-1]
    assert "How much did arrive?" in asked["text"] and list(buttons(asked)) == ["🤷 Don't know"]

    reply = await bot.deliver(updates.private_text(GRACE, "15"))  # not a reply: the setup flow's, not ours
    assert not any("short" in m["text"] for m in reply)
    answered = await bot.deliver(_reply(GRACE, asked, "15"))
    assert any("❌ You rejected it (amount short). Tom has been told." in m["text"] for m in answered)
    told = bot.tg.last_to(TOM.id)
    assert told["text"].startswith("❌ Grace couldn't confirm your payment of USD 20 for cycle 1 of “Fund”: "
                                   "USD 5 short (USD 15 arrived). Pay the rest, then send /paid again.")
    assert any(label.startswith("I've paid") for label in buttons(told))
    assert "❌ Tom" in bot.card()

    toast, _ = await bot.press(AMINA, hers, buttons(hers)["✅ Confirm"])  # Amina's copy is stale now
    assert toast == "Already rejected by Grace."
    toast, _ = await bot.press(TOM, hers, buttons(hers)["✅ Confirm"])  # a member can't decide, even forged
    assert toast.startswith("Only ") and "(organizers) can confirm payments" in toast


def _reply(person: Person, to: dict, text: str) -> dict:
    update = updates.private_text(person, text)
    update["message"]["reply_to_message"] = {k: v for k, v in to.items() if k not in ("chat_id", "edited")}
    return update


def test_the_card_fits_telegram_at_two_hundred_members():
    members = [{"name": f"Member With A Long Name {i:03d}", "payment": [None, "PENDING", "CONFIRMED"][i % 3],
                "received": i if i < 50 else None, "organizer": i == 0} for i in range(200)]
    facts = {"circle": "C" * 64, "currency": "KES", "amount_per_cycle": 50_000, "status": "ACTIVE", "total_cycles": 200,
             "auto_draw": True, "draw_hour": 18, "instructions": "M-Pesa 0712 345 678, Alice Njeri " * 10,
             "members": members, "collected": 10, "expected": 20, "cycle_number": 51, "due_date": "2027-01-05",
             "today": "2026-12-30", "cycle_status": "OPEN", "winner": None}
    text = card.render(facts)
    assert len(text) <= 4096 and "and 109 more" in text and "Waiting for 134 payments" in text


async def test_an_edit_that_changes_nothing_counts_as_delivered(bot, new_uow):
    await started(bot, FAMILY[:2])
    uow = new_uow()
    async with uow:  # a second request with nothing new (two changes racing a delivery can make one)
        circle_id = (await uow.session.scalar(select(OutboxMessage.circle_id).where(
            OutboxMessage.kind == outbox.STATUS_CARD)))
        await outbox.want_status_card(uow.session, channel=Channel.TELEGRAM, address=str(bot.group),
                                      circle_id=circle_id, now=uow.now())
        await uow.session.commit()
    await bot.dispatcher.drain()
    edits = [c for c in bot.tg.calls if c.method == "editMessageText"]
    assert [e.failed_with for e in edits] == [400]  # Telegram: "message is not modified"
    async with new_uow() as uow:
        statuses = (await uow.session.scalars(select(OutboxMessage.status).where(
            OutboxMessage.kind == outbox.STATUS_CARD))).all()
    assert statuses == [OutboxStatus.SENT, OutboxStatus.SENT]


async def test_the_card_says_how_to_pay_once_an_organizer_sets_it(bot):
    await started(bot, FAMILY[:2])
    assert "How to pay" not in bot.card()
    await bot.say(GRACE, "/howtopay M-Pesa 0712 345 678, Grace")
    assert "💳 How to pay: M-Pesa 0712 345 678, Grace" in bot.card()
