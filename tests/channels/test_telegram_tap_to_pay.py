"""Transcript: every next step is a button — Join on the announcement, "I've paid" on cycle-open posts and
reminders (in the group and in a private chat) — and paying or confirming the pot works from a private chat."""

from __future__ import annotations

import uuid

from telegram import InlineKeyboardMarkup

from tests.channels import updates
from tests.channels.driver import buttons
from tests.channels.test_telegram_scheduler import run_tick
from tests.channels.updates import Person

GRACE = Person(7001, "Grace", None, "grace", "+254700000701")
TOM = Person(7002, "Tom", None, "tom", "+254700000702")
AMINA = Person(7003, "Amina", None, None, "+254700000703")
OTHER_GROUP = -1009876543210


def paid_label(message: dict) -> str:
    return next(label for label in buttons(message) if label.startswith("I've paid"))


async def in_group(bot, person: Person, chat: int, text: str) -> list[dict]:
    return await bot.deliver(updates.group_text(person, chat, text))


async def test_join_button_for_registered_and_unregistered_people(bot):
    await bot.register(GRACE)
    await bot.register(TOM)
    await bot.say(GRACE, "/newcircle Family Fund | 500 KES | 3 | weekly | 2026-12-02")
    announcement = bot.last_in_group()
    assert "Tap Join below" in announcement["text"] and "🙋 Join" in buttons(announcement)
    join = buttons(announcement)["🙋 Join"]

    toast, sent = await bot.press(TOM, announcement, join)  # registered: one tap
    assert toast == "You're in “Family Fund”! 👋"
    assert [m["text"] for m in sent] == ["👋 Tom joined “Family Fund” (2/3)."]
    toast, _ = await bot.press(TOM, announcement, join)
    assert toast == "You're already in this circle."

    # Not registered: Telegram opens the deep link; sharing the phone there finishes the join.
    answers = len(bot.tg.callback_answers)
    sent = await bot.deliver(updates.callback(AMINA, announcement, join))
    assert sent == [] and bot.tg.callback_answers[answers]["url"].endswith("?start=join-" + join_code(announcement))
    await bot.private(AMINA, "/start join-" + join_code(announcement))
    sent = await bot.deliver(updates.contact(AMINA, AMINA.phone, AMINA.id))
    assert "You're in “Family Fund”" in "\n".join(m["text"] for m in sent)
    assert any("Amina joined “Family Fund”" in m["text"] for m in bot.tg.messages_to(bot.group))
    assert any("Cycle 1 of “Family Fund” is open" in m["text"] for m in bot.tg.messages_to(bot.group))

    # Full and started now: the stale Join button changes nothing.
    toast, sent = await bot.press(Person(7009, "Late", None, None, "+254700000709"), announcement, join)
    assert sent == []
    toast, sent = await bot.press(GRACE, announcement, f"join:{uuid.uuid4()}")
    assert toast == "This button is out of date." and sent == []


def join_code(announcement: dict) -> str:
    return announcement["text"].split("join code ")[1].rstrip(").")


async def started_circle(bot) -> dict:
    """Grace and Tom's 2-member circle, started; returns the cycle-open post."""
    for person in (GRACE, TOM):
        await bot.register(person)
    await bot.say(GRACE, "/newcircle Family Fund | 500 KES | 2 | weekly | 2026-12-02")
    await bot.say(TOM, "/join")
    return next(m for m in bot.tg.messages_to(bot.group) if "is open" in m["text"])


async def test_ive_paid_in_the_group_is_a_toast_not_a_new_post(bot):
    opened = await started_circle(bot)
    assert "Tap “I've paid” below" in opened["text"] and "/paid" not in opened["text"]
    label = paid_label(opened)
    assert label == "I've paid KES 500" and buttons(opened)[label] == f"paid:{circle_id(opened)}"

    toast, sent = await bot.press(TOM, opened, buttons(opened)[label])
    assert toast == "Noted — the organizers will confirm."
    # No reply of ours in the group: at most the organizers' Confirm / Reject post (routed by notifications).
    assert all("Tom says they paid" in m["text"] for m in sent if m["chat_id"] == bot.group)
    toast, sent = await bot.press(TOM, opened, buttons(opened)[label])  # a second tap: one payment
    assert toast.startswith("That payment is already recorded") and sent == []
    summary = await bot.say(GRACE, "/summary")
    assert "Waiting for confirmation: Tom" in summary

    stranger = Person(7010, "Stranger", None, None, "+254700000710")
    toast, sent = await bot.press(stranger, opened, buttons(opened)[label])  # not even registered
    assert toast.startswith("Only members of “Family Fund”") and sent == []
    await bot.register(stranger)
    toast, sent = await bot.press(stranger, opened, buttons(opened)[label])
    assert toast.startswith("Only members of “Family Fund”") and sent == []


def circle_id(message: dict) -> str:
    return next(d for d in buttons(message).values() if d.startswith("paid:")).removeprefix("paid:")


async def test_ive_paid_from_a_private_reminder(bot, clock):
    await started_circle(bot)
    sent = await run_tick(bot, clock, "2026-11-29T06:00")  # 3 days before, 09:00 in Nairobi
    nudge = next(m for m in sent if m["chat_id"] == TOM.id)
    group_reminder = next(m for m in sent if m["chat_id"] == bot.group)
    assert nudge["text"].startswith("Hi Tom!") and "Tap “I've paid” below" in nudge["text"]
    assert paid_label(nudge) == paid_label(group_reminder)

    toast, sent = await bot.press(TOM, nudge, buttons(nudge)[paid_label(nudge)])
    assert toast == "Noted — the organizers will confirm."
    mine = [m["text"] for m in sent if m["chat_id"] == TOM.id]
    assert len(mine) == 1 and "Noted: you paid" in mine[0] and "“Family Fund” (cycle 1)" in mine[0]
    assert "Waiting for confirmation: Tom" in await bot.say(GRACE, "/summary")


async def test_forged_and_stale_paid_buttons_are_harmless(bot):
    opened = await started_circle(bot)
    stranger_circle_post = opened | {"chat": {"id": OTHER_GROUP, "type": "supergroup", "title": "Other"}}
    amina = AMINA
    await bot.register(amina)
    await in_group(bot, amina, OTHER_GROUP, "/newcircle Other | 100 KES | 2 | weekly | 2026-12-02")
    other = next(m for m in bot.tg.messages_to(OTHER_GROUP) if "New savings circle" in m["text"])
    other_id = buttons(other)["🙋 Join"].removeprefix("join:")

    for data in (f"paid:{other_id}", f"paid:{uuid.uuid4()}", "paid:not-a-uuid"):  # not Tom's, unknown, junk
        toast, sent = await bot.press(TOM, opened, data)
        assert toast and sent == [], data
    toast, sent = await bot.press(TOM, stranger_circle_post, f"paid:{other_id}")
    assert toast.startswith("Only members") and sent == []
    board = await bot.say(GRACE, "/summary")
    assert "Not paid: " in board and "Waiting" not in board and "Confirmed" not in board
    assert "Waiting" not in (await in_group(bot, amina, OTHER_GROUP, "/summary"))[0]["text"]

    await bot.say(GRACE, "/cancelcircle")
    cancel = bot.last_in_group()
    await bot.press(GRACE, cancel, buttons(cancel)["Yes, cancel the circle"])
    toast, sent = await bot.press(TOM, opened, buttons(opened)[paid_label(opened)])  # the circle ended
    assert toast == "This circle was cancelled." and sent == []


async def test_private_paid_with_one_and_with_two_circles(bot):
    await started_circle(bot)
    reply = await bot.private(TOM, "/paid")
    assert "Noted: you paid" in reply and "“Family Fund”" in reply
    assert "already recorded" in await bot.private(TOM, "/paid")

    await bot.register(AMINA)
    await in_group(bot, AMINA, OTHER_GROUP, "/newcircle Savings Club | 100 KES | 2 | weekly | 2026-12-02")
    await in_group(bot, GRACE, OTHER_GROUP, "/join")
    sent = await bot.deliver(updates.private_text(GRACE, "/paid"))
    assert len(sent) == 1 and sent[0]["text"] == "Which circle did you pay? Tap it:"
    choices = buttons(sent[0])
    assert sorted(choices) == ["Family Fund — KES 500", "Savings Club — KES 100"]
    club = next(label for label in choices if label.startswith("Savings Club"))
    toast, sent = await bot.press(GRACE, sent[0], choices[club])
    assert toast == "Noted — the organizers will confirm."
    assert "Noted: you paid KES 100 for “Savings Club”" in next(m["text"] for m in sent if m["chat_id"] == GRACE.id)
    assert "Waiting for confirmation: Grace" in (await in_group(bot, AMINA, OTHER_GROUP, "/summary"))[0]["text"]
    assert "Not paid: Grace" in await bot.say(GRACE, "/summary")  # Family Fund's payment is still Grace's to make


async def pay_draw_and_hand_over(bot) -> tuple[Person, dict]:
    for person in (GRACE, TOM):
        await bot.say(person, "/paid")
        await bot.say(GRACE, "/confirm", reply_to=bot.last_in_group())
    drawn = await bot.say(GRACE, "/draw")
    await bot.say(GRACE, "/payout")
    post = next(m for m in reversed(bot.tg.sent) if "🙏 I received it" in buttons(m))
    return (GRACE if "Grace receives" in drawn else TOM), post


async def copy_to_private(bot, post: dict, person: Person) -> dict:
    """The payout post as a member without a group chat gets it (privately)."""
    await bot.app.bot.send_message(person.id, post["text"],
                                   reply_markup=InlineKeyboardMarkup.de_json(post["reply_markup"], bot.app.bot))
    return bot.tg.last_to(person.id)


async def test_the_pot_is_confirmed_from_a_private_chat(bot):
    """By the button on a private copy of the payout post, or by /received there."""
    await started_circle(bot)
    winner, post = await pay_draw_and_hand_over(bot)
    loser = TOM if winner is GRACE else GRACE
    toast, _ = await bot.press(loser, await copy_to_private(bot, post, loser), buttons(post)["🙏 I received it"])
    assert f"Only {winner.first_name} can confirm receiving this pot" in toast
    private_post = await copy_to_private(bot, post, winner)
    assert "no pot waiting for you" in await bot.private(loser, "/received")
    toast, sent = await bot.press(winner, private_post, buttons(post)["🙏 I received it"])
    assert toast == "Thank you!" and any(m["chat_id"] == winner.id and "confirmed receiving the cycle 1 pot"
                                         in m["text"] for m in sent)

    winner, _ = await pay_draw_and_hand_over(bot)  # cycle 2: the other member, by typing
    reply = await bot.private(winner, "/received")
    assert "received the cycle 2 pot of “Family Fund”" in reply
    assert "no pot waiting for you" in await bot.private(winner, "/received")
    assert (await bot.say(GRACE, "/history")).count("✔") == 2
