"""Transcripts: registration by contact share, and who may do what (outsider, member, organizer)."""

from __future__ import annotations

import pytest

from tests.channels import updates
from tests.channels.driver import buttons
from tests.channels.updates import Person

GRACE = Person(2001, "Grace", None, "grace", "+254700000201")
TOM = Person(2002, "Tom", None, "tom", "+254700000202")
AMINA = Person(2003, "Amina", None, "amina", "+254700000203")
STRANGER = Person(2009, "Stranger", None, "stranger", "+254700000209")


async def circle_with(bot, organizer: Person, *members: Person, size: int = 3) -> None:
    for person in (organizer, *members):
        await bot.register(person)
    await bot.say(organizer, f"/newcircle Savings | 20 USD | {size} | weekly | 2026-12-02")
    for person in members:
        await bot.say(person, "/join")


async def test_start_asks_for_the_phone_with_a_contact_button(bot):
    reply = await bot.deliver(updates.private_text(GRACE, "/start"))
    assert "share your phone number" in reply[0]["text"]
    keyboard = reply[0]["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_contact"] is True


async def test_someone_elses_contact_is_refused(bot):
    await bot.private(GRACE, "/start")
    for spoof in (updates.contact(GRACE, TOM.phone, TOM.id), updates.contact(GRACE, TOM.phone, None)):
        sent = await bot.deliver(spoof)
        assert sent[0]["text"].startswith("Please share your own contact")
    assert "I need to know your phone number first" in await bot.say(GRACE, "/newcircle")


async def test_phone_without_plus_from_telegram_is_normalised(bot):
    await bot.private(GRACE, "/start")
    sent = await bot.deliver(updates.contact(GRACE, "254700000201", GRACE.id))
    assert "registered as +254700000201" in sent[0]["text"]
    assert "You're registered as +254700000201" in await bot.private(GRACE, "/start")


async def test_unregistered_join_deep_links_and_finishes_after_sharing(bot):
    await circle_with(bot, GRACE)
    sent = await bot.deliver(updates.group_text(TOM, bot.group, "/join"))
    link = buttons(sent[0])["Register with the bot"]
    assert link.startswith("https://t.me/rosca_test_bot?start=join-")
    payload = link.split("start=")[1]
    assert len(payload) <= 64 and payload.replace("-", "").isalnum()

    await bot.private(TOM, f"/start {payload}")
    replies = await bot.deliver(updates.contact(TOM, TOM.phone, TOM.id))
    texts = [(m["chat_id"], m["text"]) for m in replies]
    assert (TOM.id, "Thanks Tom, you're registered as +254700000202.") in texts
    assert (bot.group, "👋 Tom joined “Savings”.") in texts  # announced through the outbox


async def test_an_outsider_can_only_look(bot):
    await circle_with(bot, GRACE, TOM)
    await bot.register(STRANGER)
    for command in ("/paid", "/leave"):
        assert "Only members of “Savings” can do that. Tap Join" in await bot.say(STRANGER, command)
    for command in ("/draw", "/payout", "/begin", "/cancelcircle", "/remove @tom"):
        assert "Only Grace (organizer) can " in await bot.say(STRANGER, command)
    assert "“Savings”" in await bot.say(STRANGER, "/summary")


async def test_a_member_cannot_use_organizer_powers(bot):
    await circle_with(bot, GRACE, TOM, AMINA)  # full: the circle started
    await bot.say(TOM, "/paid")
    post = bot.last_in_group()
    toast, sent = await bot.press(AMINA, post, buttons(post)["✅ Confirm"])
    assert toast.startswith("Only Grace (organizer) can confirm payments.") and sent == []
    assert "Only Grace (organizer) can confirm payments." in await bot.say(AMINA, "/confirm", reply_to=post)
    assert "Only Grace (organizer) can draw." in await bot.say(TOM, "/draw anyway")
    assert "Waiting for confirmation: Tom" in await bot.say(AMINA, "/summary")  # nothing changed


async def test_organizer_confirms_by_naming_the_member_and_rejects(bot):
    await circle_with(bot, GRACE, TOM, AMINA)
    await bot.say(TOM, "/paid 20")
    await bot.say(AMINA, "/paid")
    assert "Tom's payment of USD 20 was confirmed by Grace" in await bot.say(GRACE, "/confirm @Tom")
    assert "Amina's payment of USD 20 was rejected by Grace. Amina, you can send /paid again." in await bot.say(
        GRACE, "/reject @amina")
    assert "Whose payment?" in await bot.say(GRACE, "/confirm")
    assert "couldn't find that payment" in await bot.say(GRACE, "/confirm @grace")  # she hasn't paid


async def test_leave_remove_and_begin_before_the_start(bot):
    await circle_with(bot, GRACE, TOM, AMINA, size=5)
    assert "Tom left “Savings”." in await bot.say(TOM, "/leave")
    assert "An organizer can't leave" in await bot.say(GRACE, "/leave")
    assert "Amina was removed from “Savings” by Grace." in await bot.say(GRACE, "/remove @amina")
    assert "A circle needs at least 2 members to start; it has 1." in await bot.say(GRACE, "/begin")
    await bot.say(TOM, "/join")
    started = await bot.say(GRACE, "/begin")
    assert "Grace started “Savings” with 2 members." in started and "Cycle 1 of “Savings” is open" in started
    assert "can't change now" in await bot.say(TOM, "/leave")


async def test_cancel_asks_first_and_only_an_organizer_can_press(bot):
    await circle_with(bot, GRACE, TOM, size=4)
    assert "Cancel “Savings” for everyone?" in await bot.say(GRACE, "/cancelcircle")
    ask = bot.last_in_group()
    toast, _ = await bot.press(TOM, ask, buttons(ask)["Yes, cancel the circle"])
    assert toast == "Only Grace (organizer) can cancel the circle. Talk to them if the circle should stop."
    toast, sent = await bot.press(GRACE, ask, buttons(ask)["Yes, cancel the circle"])
    assert toast == "Cancelled." and "was cancelled by Grace" in sent[-1]["text"]
    assert "There's no savings circle here yet" in await bot.say(TOM, "/summary")
    assert "History of “Savings” (cancelled)" in await bot.say(TOM, "/history")


@pytest.mark.parametrize("command, expected", [("/draw", "That works in the group chat")])
async def test_group_commands_in_a_private_chat_point_to_the_group(bot, command, expected):
    assert expected in await bot.private(GRACE, command)


async def test_mycircles_in_private(bot):
    await circle_with(bot, GRACE, TOM, AMINA)
    await bot.say(TOM, "/paid")
    reply = await bot.private(TOM, "/mycircles")
    assert "• Savings: cycle 1, USD 20 due Wed 2 Dec — waiting for confirmation" in reply
    assert "Let's do that in a private chat" in await bot.say(TOM, "/mycircles")
