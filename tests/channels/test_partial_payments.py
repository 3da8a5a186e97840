"""Transcripts: a short payment stays visibly short until topped up (card, /summary, /draw, the payer's
own messages), and an old Confirm never decides a payment that was claimed again since."""

from __future__ import annotations

from sqlalchemy import select

from core.models import AuditEntry
from tests.channels.driver import buttons
from tests.channels.test_status_card import FAMILY, GRACE, TOM, decision_post, started, tap_paid
from tests.channels.updates import Person

AMINA = FAMILY[2]


async def confirm_privately(bot, organizer: Person, payer: str) -> tuple[str, list[dict]]:
    post = decision_post(bot, organizer, payer)
    return await bot.press(organizer, post, buttons(post)["✅ Confirm"])


async def confirmed_amounts(new_uow) -> list[int]:
    async with new_uow() as uow:
        return [d["amount"] for d in (await uow.session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "payment_confirmed").order_by(AuditEntry.id)
        )).scalars()]


async def test_a_short_payment_stays_short_until_topped_up(bot, new_uow):
    await started(bot, [GRACE, TOM])  # USD 20 a cycle
    await tap_paid(bot, GRACE)
    await confirm_privately(bot, GRACE, "Grace")
    await bot.say(TOM, "/paid 1")
    toast, sent = await confirm_privately(bot, GRACE, "Tom")
    assert toast == "Confirmed ✅"
    assert any("✅ You confirmed it. Tom has been told. Still short by USD 19." in m["text"] for m in sent)
    told = bot.tg.last_to(TOM.id)
    assert told["text"] == ("✅ Grace confirmed your USD 1 for cycle 1 of “Fund”.\n"
                            "That makes USD 1 of USD 20: USD 19 is still to pay. Pay the rest, then tap below.")
    assert list(buttons(told)) == ["I've paid USD 19"]

    assert "🌗 Tom — short by USD 19" in bot.card() and "Waiting for 1 payment." in bot.card()
    assert "🌗 paid in part" in bot.card()
    summary = await bot.say(GRACE, "/summary")
    assert "Paid in part: Tom (short by USD 19)" in summary and "Collected: USD 21 of USD 40" in summary
    refused = await bot.say(GRACE, "/draw")
    assert refused.startswith("Not everyone is confirmed yet: Tom.") and "/draw anyway" in refused
    assert "more than is left to pay this cycle (USD 19)" in await bot.say(TOM, "/paid 20")
    assert "Fund: cycle 1, USD 20 due Wed 2 Dec — short by USD 19" in await bot.private(TOM, "/mycircles")

    toast, _ = await bot.press(TOM, told, buttons(told)["I've paid USD 19"])  # the top-up, from the private message
    assert toast == "Noted — the organizers will confirm."
    post = decision_post(bot, GRACE, "Tom")
    assert "Tom says they paid USD 19" in post["text"] and "A top-up: USD 1 of USD 20 was confirmed before." in post[
        "text"]
    await bot.press(GRACE, post, buttons(post)["✅ Confirm"])
    assert "✅ Tom" in bot.card() and "short" not in bot.card() and "Everyone paid" in bot.card()
    assert await confirmed_amounts(new_uow) == [2000, 100, 1900]


async def test_drawing_anyway_records_a_short_member_as_unpaid(bot):
    await started(bot, [GRACE, TOM])
    await tap_paid(bot, GRACE)
    await confirm_privately(bot, GRACE, "Grace")
    await bot.say(TOM, "/paid 5")
    await confirm_privately(bot, GRACE, "Tom")
    assert "Your payment is short by USD 15: pay the rest" in await bot.say(TOM, "/help")
    drawn = await bot.say(GRACE, "/draw anyway")
    assert "Drawn before everyone was confirmed; not confirmed: Tom." in drawn
    assert "Pot handed over" in str(buttons(bot.last_in_group()))
    assert "paid in part: Tom (short by USD 15)" in await bot.say(TOM, "/history")


async def test_an_old_confirm_after_a_reject_and_a_new_claim_decides_nothing(bot, new_uow):
    await started(bot, [GRACE, TOM, AMINA])
    await bot.say(TOM, "/paid 10")
    group_post = bot.last_in_group()
    old = decision_post(bot, GRACE, "Tom")  # Grace's private copy: "Tom says they paid USD 10"
    assert "❌ Tom's payment of USD 10 was rejected by Grace." in await bot.say(GRACE, "/reject", reply_to=group_post)
    await bot.say(TOM, "/paid 1")  # the same payment, claimed again: USD 1

    toast, sent = await bot.press(GRACE, old, buttons(old)["✅ Confirm"])
    assert toast == "That payment changed — nothing was decided."
    [fresh] = [m for m in sent if m["chat_id"] == GRACE.id]
    assert fresh["message_id"] == old["message_id"] and fresh["text"].startswith(
        "💸 Tom says they paid USD 1 for cycle 1 of “Fund”.")
    assert "⚠️ This payment changed since you saw it (it's now USD 1), so nothing was decided." in fresh["text"]
    toast, _ = await bot.press(GRACE, group_post, buttons(group_post)["✅ Confirm"])  # the group's old post too
    assert toast == "That payment changed — nothing was decided."
    assert "This payment changed since you saw it" in await bot.say(GRACE, "/confirm", reply_to=group_post)
    payment = buttons(old)["✅ Confirm"].split(":")[2]
    toast, _ = await bot.press(GRACE, old, f"pay:ok:{payment}")  # a button sent before versions existed
    assert toast == "That payment changed — nothing was decided."
    assert "⏳ Tom" in bot.card() and await confirmed_amounts(new_uow) == []

    toast, _ = await bot.press(GRACE, fresh, buttons(fresh)["✅ Confirm"])  # the payment as it is now
    assert toast == "Confirmed ✅" and "🌗 Tom — short by USD 19" in bot.card()
    assert await confirmed_amounts(new_uow) == [100]

    await tap_paid(bot, AMINA)  # an old-style button of a payment never claimed again still works
    amina = buttons(decision_post(bot, GRACE, "Amina"))["✅ Confirm"].split(":")[2]
    toast, _ = await bot.press(GRACE, decision_post(bot, GRACE, "Amina"), f"pay:ok:{amina}")
    assert toast == "Confirmed ✅" and await confirmed_amounts(new_uow) == [100, 2000]
