"""Transcripts: /help that fits the person (a few lines and a button per next step), "Did you mean",
and refusals that say who can act and what happens next."""

from __future__ import annotations

from tests.channels import updates
from tests.channels.driver import buttons
from tests.channels.test_telegram_identity_and_roles import circle_with
from tests.channels.updates import Person

GRACE = Person(5001, "Grace", None, "grace", "+254700000501")
TOM = Person(5002, "Tom", None, "tom", "+254700000502")
AMINA = Person(5003, "Amina", None, "amina", "+254700000503")
STRANGER = Person(5009, "Stranger", None, "stranger", "+254700000509")


async def ask_help(bot, person: Person) -> tuple[str, dict[str, str], dict]:
    """`person` sends /help in the group: the text, its buttons, and the message (to press them)."""
    [reply] = await bot.deliver(updates.group_text(person, bot.group, "/help"))
    return reply["text"], buttons(reply), reply


def fits(text: str) -> bool:
    return len(text.splitlines()) <= 6


async def test_no_circle_here_points_to_newcircle_and_all_commands_shows_the_reference(bot):
    text, keys, message = await ask_help(bot, GRACE)
    assert fits(text) and "There's no savings circle in this chat yet" in text and "/newcircle" in text
    assert list(keys) == ["📖 All commands"]
    toast, sent = await bot.press(GRACE, message, keys["📖 All commands"])
    reference = sent[-1]["text"]
    assert "/paid [AMOUNT] — tell the organizers you paid this cycle" in reference
    assert "/draw [anyway] — draw who receives this cycle's pot (organizers)" in reference


async def test_an_unregistered_person_is_offered_registration_that_lands_them_in_the_circle(bot):
    await circle_with(bot, GRACE, size=3)
    text, keys, _ = await ask_help(bot, TOM)
    assert fits(text) and "1 of 3 seats taken" in text and "register with me first" in text
    assert keys["📱 Register with the bot"].startswith("https://t.me/rosca_test_bot?start=join-")
    assert set(keys) == {"📱 Register with the bot", "📋 Status", "📖 All commands"}


async def test_an_outsider_taps_join_and_takes_a_seat(bot):
    await circle_with(bot, GRACE, size=3)
    await bot.register(TOM)
    text, keys, message = await ask_help(bot, TOM)
    assert fits(text) and "Tap Join to take a seat." in text
    assert list(keys) == ["➕ Join", "📋 Status", "📖 All commands"]
    toast, sent = await bot.press(TOM, message, keys["➕ Join"])
    assert toast == "" and "👋 Tom joined “Savings” (2/3)." in sent[-1]["text"]
    text, keys, _ = await ask_help(bot, TOM)
    assert "You're in. It starts when all 3 seats are taken." in text and "➕ Join" not in keys


async def test_the_organizer_of_a_forming_circle_can_start_it_now(bot):
    await circle_with(bot, GRACE, TOM, size=4)
    text, keys, message = await ask_help(bot, GRACE)
    assert "or tap Start now" in text and list(keys) == ["🚀 Start now", "📋 Status", "📖 All commands"]
    circle_id = keys["📋 Status"].rsplit(":", 1)[1]
    for forged in (f"help:leave:{circle_id}", f"help:newcircle:{circle_id}"):  # only help's own steps run
        toast, sent = await bot.press(TOM, message, forged)
        assert toast == "This button is out of date." and sent == []
    _, sent = await bot.press(GRACE, message, keys["🚀 Start now"])
    assert "Grace started “Savings” with 2 members." in "\n".join(m["text"] for m in sent)


async def test_a_member_who_owes_pays_by_button_then_waits(bot):
    await circle_with(bot, GRACE, TOM, AMINA)
    text, keys, message = await ask_help(bot, TOM)
    assert fits(text) and "cycle 1 of 3" in text and "You haven't paid yet" in text
    assert list(keys) == ["💸 I've paid USD 20", "📋 Status", "📖 All commands"]
    _, sent = await bot.press(TOM, message, keys["💸 I've paid USD 20"])
    # The group's direct reply comes first; the outbox (Grace's private copy, the card's edit) follows in any order.
    assert "Tom says they paid USD 20 for cycle 1" in sent[0]["text"] and "✅ Confirm" in buttons(sent[0])
    text, keys, message = await ask_help(bot, TOM)
    assert "Your payment waits for an organizer to confirm it." in text and list(keys) == [
        "📋 Status", "📖 All commands"]
    _, sent = await bot.press(TOM, message, keys["📋 Status"])
    assert "Waiting for confirmation: Tom" in sent[-1]["text"]
    text, _, _ = await ask_help(bot, GRACE)
    assert "1 payment waits for your decision: Confirm or Reject them on each payment's post." in text


async def test_organizer_draws_and_records_the_payout_from_help(bot):
    await circle_with(bot, GRACE, TOM, size=2)
    for person in (GRACE, TOM):
        await bot.say(person, "/paid")
        await bot.say(GRACE, "/confirm", reply_to=bot.last_in_group())
    text, keys, message = await ask_help(bot, TOM)
    assert "Everyone is confirmed: the draw happens on Wed 2 Dec at 18:00." in text
    assert "🎲 Draw" not in keys
    text, keys, message = await ask_help(bot, GRACE)
    assert fits(text) and "Everyone is confirmed: tap Draw, or I draw by myself on Wed 2 Dec at 18:00." in text
    assert list(keys) == ["🎲 Draw", "📋 Status", "📖 All commands"]

    toast, sent = await bot.press(TOM, message, keys["🎲 Draw"])  # a member taps the organizer's button
    assert toast.startswith("Only Grace (organizer) can draw. It happens automatically on Wed 2 Dec at 18:00")
    assert sent == []
    _, sent = await bot.press(GRACE, message, keys["🎲 Draw"])
    assert any("Cycle 1 draw:" in m["text"] for m in sent)

    text, keys, message = await ask_help(bot, GRACE)
    assert "receives this cycle's pot. Tap “Pot handed over” once" in text and "🤝 Pot handed over" in keys
    text, member_keys, _ = await ask_help(bot, TOM)
    assert "receives this cycle's pot. Grace (organizer) will hand it over." in text and list(member_keys) == [
        "📋 Status", "📖 All commands"]
    _, sent = await bot.press(GRACE, message, keys["🤝 Pot handed over"])
    assert any("pot of USD 40 was handed to" in m["text"] for m in sent)
    toast, _ = await bot.press(GRACE, message, keys["🤝 Pot handed over"])  # pressed again: nothing twice
    assert "no draw yet" in toast


async def test_buttons_of_an_earlier_circle_in_this_chat_are_out_of_date(bot):
    await circle_with(bot, GRACE, size=3)
    _, keys, message = await ask_help(bot, GRACE)
    await bot.say(GRACE, "/cancelcircle")
    await bot.press(GRACE, bot.last_in_group(), buttons(bot.last_in_group())["Yes, cancel the circle"])
    text, after, ended = await ask_help(bot, GRACE)
    assert "“Savings” was cancelled." in text and list(after) == ["📜 History", "📖 All commands"]
    _, sent = await bot.press(TOM, ended, after["📜 History"])  # reading needs no registration
    assert "History of “Savings” (cancelled)" in sent[-1]["text"]
    await bot.say(GRACE, "/newcircle Again | 20 USD | 3 | weekly | 2026-12-02")
    toast, sent = await bot.press(GRACE, message, keys["📋 Status"])
    assert toast == "This button is out of date." and sent == []
    forged = keys["📋 Status"].rsplit(":", 1)[0] + ":not-a-circle"
    toast, _ = await bot.press(GRACE, message, forged)
    assert toast == "This button is out of date."


async def test_private_help_lists_my_circles_and_pays_from_there(bot):
    text = (await bot.deliver(updates.private_text(STRANGER, "/help")))[0]
    assert text["text"].startswith("Welcome!") and text["reply_markup"]["keyboard"][0][0]["request_contact"]
    await circle_with(bot, GRACE, TOM, AMINA)
    [reply] = await bot.deliver(updates.private_text(TOM, "/help"))
    assert fits(reply["text"]) and "• Savings: USD 20 due Wed 2 Dec — not paid yet" in reply["text"]
    keys = buttons(reply)
    assert list(keys) == ["💸 I've paid USD 20 · Savings", "📖 All commands"]
    _, sent = await bot.press(TOM, reply, keys["💸 I've paid USD 20 · Savings"])
    assert (TOM.id, "💸 Noted: you paid USD 20 for “Savings” (cycle 1). The organizers will confirm it.") in [
        (m["chat_id"], m["text"]) for m in sent]
    assert any(m["chat_id"] == GRACE.id and "Tom says they paid" in m["text"] for m in sent)  # via the outbox
    assert "⏳ Tom" in bot.card()  # the group sees it on the status card
    toast, _ = await bot.press(STRANGER, reply, keys["💸 I've paid USD 20 · Savings"])  # someone else's button
    assert toast.startswith("Only members")  # not registered: in no circle
    await bot.register(STRANGER)
    toast, _ = await bot.press(STRANGER, reply, keys["💸 I've paid USD 20 · Savings"])
    assert toast.startswith("Only members of “Savings” can do that. It has started")
    _, sent = await bot.press(TOM, reply, keys["📖 All commands"])
    assert "/mycircles" in sent[-1]["text"] and "/paid" in sent[-1]["text"] and "/draw" not in sent[-1]["text"]


async def test_a_mistyped_command_gets_a_suggestion_and_another_bot_s_command_silence(bot):
    await bot.register(GRACE)
    assert await bot.say(GRACE, "/sumary") == "I don't know /sumary. Did you mean /summary?"
    assert await bot.say(GRACE, "/sumary@rosca_test_bot") == "I don't know /sumary. Did you mean /summary?"
    assert await bot.say(GRACE, "/sumary@other_bot") == ""
    assert await bot.say(GRACE, "/summary@other_bot") == ""
    assert await bot.say(GRACE, "/mycircle") == ("I don't know /mycircle. Did you mean /mycircles? "
                                                 "It works in a private chat with me.")
    assert await bot.private(GRACE, "/mycircle") == "I don't know /mycircle. Did you mean /mycircles?"
    assert await bot.say(GRACE, "/xyzzy") == "I don't know /xyzzy. Send /help to see what you can do here."


async def test_refusals_name_who_can_act_and_what_comes_next(bot):
    await circle_with(bot, GRACE, TOM, size=3)
    await bot.register(STRANGER)
    assert await bot.say(STRANGER, "/paid") == ("Only members of “Savings” can do that. "
                                               "Tap Join (or send /join) to take a seat.")
    assert await bot.say(TOM, "/begin") == ("Only Grace (organizer) can start the circle early. "
                                           "The circle starts by itself when all 3 seats are taken.")
    assert (await bot.say(TOM, "/remove@rosca_test_bot @grace")).startswith("Only Grace (organizer) can remove")
    strangers_message = updates.group_text(STRANGER, bot.group, "hello all")["message"]
    assert await bot.say(GRACE, "/remove", reply_to=strangers_message) == "Stranger isn't a member of “Savings”."
    await bot.register(AMINA)
    await bot.say(AMINA, "/join")  # full: the circle starts
    assert await bot.say(TOM, "/draw") == ("Only Grace (organizer) can draw. It happens automatically on "
                                          "Wed 2 Dec at 18:00 once everyone is confirmed.")
    await bot.say(TOM, "/paid")
    post = bot.last_in_group()
    toast, _ = await bot.press(AMINA, post, buttons(post)["✅ Confirm"])
    assert toast == ("Only Grace (organizer) can confirm payments. "
                     "They see every payment and confirm it once the money has arrived.")
    assert "Only members of “Savings” can do that. It has started, so new members wait for the next circle: " \
           "ask Grace (organizer)." == await bot.say(STRANGER, "/paid")


async def test_the_suggestion_comes_with_its_button_in_a_circle_s_group(bot):
    await circle_with(bot, GRACE, TOM, AMINA)
    [reply] = await bot.deliver(updates.group_text(TOM, bot.group, "/piad"))
    assert reply["text"] == "I don't know /piad. Did you mean /paid?"
    _, sent = await bot.press(TOM, reply, buttons(reply)["💸 I've paid USD 20"])
    assert any("Tom says they paid USD 20 for cycle 1" in m["text"] for m in sent)
    [reply] = await bot.deliver(updates.group_text(TOM, bot.group, "/verfy"))
    assert reply["text"] == "I don't know /verfy. Did you mean /verify?" and buttons(reply) == {}
