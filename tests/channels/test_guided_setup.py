"""Transcripts: /newcircle without arguments continues in the organizer's private chat, like @BotFather
(one question at a time, buttons, a review with Create / Change / Cancel), and the circle is posted in
the group it was asked for. The clock says Wednesday 25 November 2026, 09:00 UTC (noon in Nairobi)."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select
from telegram import Update

from core.models import AuditEntry
from tests.channels import updates
from tests.channels.driver import buttons
from tests.channels.updates import Person

GRACE = Person(7001, "Grace", None, "grace", "+254700000701")  # Kenyan number: Nairobi time, KES
TOM = Person(7002, "Tom", None, "tom", "+254700000702")
JOE = Person(7003, "Joe", None, "joe", "+12125550123")  # a New York number: writes 12/5 for 5 December


def start_payload(message: dict, label: str) -> str:
    return parse_qs(urlparse(buttons(message)[label]).query)["start"][0]


async def in_private(bot, person: Person, text: str) -> dict:
    """`person` types `text` in their private chat with the bot; returns the bot's last message there."""
    await bot.private(person, text)
    return bot.tg.last_to(person.id)


async def tap(bot, person: Person, label: str) -> dict:
    """`person` taps the button labelled `label` on the bot's last message in their private chat."""
    message = bot.tg.last_to(person.id)
    await bot.press(person, message, buttons(message)[label])
    return bot.tg.last_to(person.id)


async def test_setup_moves_to_private_chat_and_posts_the_circle_in_the_group(bot):
    await bot.register(GRACE)
    await bot.register(TOM)
    await bot.say(GRACE, "/newcircle")
    invite = bot.last_in_group()
    assert "let's set up the circle in a private chat" in invite["text"]
    payload = start_payload(invite, "Set it up in private chat")
    assert payload.startswith("new-") and str(bot.group) not in payload  # the group is not in the link
    assert "That setup link is no longer current" in await bot.private(TOM, f"/start {payload}")  # not Tom's

    assert "What should it be called?" in (await in_private(bot, GRACE, f"/start {payload}"))["text"]
    assert "How much" in (await in_private(bot, GRACE, "Family Fund"))["text"]
    asked = await in_private(bot, GRACE, "lots")
    assert asked["text"].startswith("I couldn't read “lots” as an amount") and "How much" in asked["text"]
    assert "How many members" in (await in_private(bot, GRACE, "50 USD"))["text"]
    assert list(buttons(bot.tg.last_to(GRACE.id))) == ["3", "4", "5", "6", "8", "10"]
    asked = await tap(bot, GRACE, "4")
    assert "How often" in asked["text"] and list(buttons(asked)) == ["Weekly", "Every 2 weeks", "Monthly"]
    asked = await tap(bot, GRACE, "Monthly")
    assert "When is the first payment due?" in asked["text"]
    assert list(buttons(asked)) == ["Mon 30 Nov", "Tue 1 Dec", "Tue 15 Dec", "Thu 31 Dec"]

    asked = await in_private(bot, GRACE, "5 Decembre")  # a bad date: the date question again, not frequency
    assert asked["text"].startswith("I couldn't read “5 Decembre” as a date. Try 5 Dec, 5/12")
    assert "When is the first payment due?" in asked["text"] and "How often" not in asked["text"]
    assert "Tue 1 Dec" in buttons(asked)
    asked = await in_private(bot, GRACE, "1 Jan 2028")
    assert asked["text"].startswith("Sat 1 Jan 2028 is more than a year away")
    asked = await in_private(bot, GRACE, "24/11/2026")
    assert asked["text"].startswith("Tue 24 Nov has already passed") and "first payment due" in asked["text"]
    asked = await in_private(bot, GRACE, "5 December")
    assert "How is the payout order decided?" in asked["text"]

    review = await tap(bot, GRACE, "Fair draw each cycle")
    assert review["text"].startswith("Here's your circle")
    for line in ("Name: Family Fund", "Members: 4", "First payment due: Sat 5 Dec", "a fair draw each cycle",
                 "Kenya Time (Africa/Nairobi)"):
        assert line in review["text"]
    assert list(buttons(review)) == ["✅ Create", "✏️ Change", "✖️ Cancel"]
    assert bot.tg.texts_to(bot.group) == [invite["text"]]  # nothing posted in the group meanwhile

    asked = await tap(bot, GRACE, "✏️ Change")
    assert "Which answer" in asked["text"] and "First due date" in buttons(asked)
    asked = await tap(bot, GRACE, "Members")
    assert "How many members" in asked["text"]
    review = await in_private(bot, GRACE, "5")  # one field re-answered, then straight back to the review
    assert "Members: 5" in review["text"] and "Name: Family Fund" in review["text"]
    assert "First payment due: Sat 5 Dec" in review["text"]

    asked = await tap(bot, GRACE, "✏️ Change")
    asked = await tap(bot, GRACE, "Time zone")
    assert "Which time zone" in asked["text"]
    asked = await in_private(bot, GRACE, "Atlantis")
    assert asked["text"].startswith("I don't know the time zone “Atlantis”") and "Which time zone" in asked["text"]
    review = await in_private(bot, GRACE, "Kampala")
    assert "Time zone: Uganda Time (Africa/Kampala)" in review["text"] and "Members: 5" in review["text"]

    create = buttons(review)["✅ Create"]
    done = await tap(bot, GRACE, "✅ Create")
    assert "Done! I posted “Family Fund” in your group" in done["text"]
    posted = bot.last_in_group()
    assert "New savings circle “Family Fund” by Grace" in posted["text"] and "5 members" in posted["text"]
    toast, sent = await bot.press(GRACE, review, create)  # a second tap on Create changes nothing
    assert toast == "That question was already answered." and sent == []
    toast, sent = await bot.press(TOM, posted, buttons(posted)["🙋 Join"])  # the posted circle's Join button
    assert toast == "You're in “Family Fund”! 👋" and "👋 Tom joined “Family Fund” (2/5)" in sent[0]["text"]
    assert "(Africa/Kampala)" in await bot.say(TOM, "/timezone")


async def test_an_unregistered_organizer_registers_and_lands_in_the_setup(bot):
    await bot.say(GRACE, "/newcircle")
    payload = start_payload(bot.last_in_group(), "Register with the bot")
    assert payload.startswith("new-")
    assert "share your phone number" in await bot.private(GRACE, f"/start {payload}")
    sent = await bot.deliver(updates.contact(GRACE, GRACE.phone, GRACE.id))
    assert "you're registered" in sent[0]["text"] and "What should it be called?" in sent[-1]["text"]
    assert "How much" in (await in_private(bot, GRACE, "Chama"))["text"]
    resumed = await bot.private(GRACE, "/newcircle")  # the group's setup goes on; no group-less circle
    assert "How much" in resumed and "no group chat" not in resumed


async def test_weekly_dates_and_us_style_slashes(bot):
    await bot.register(JOE)
    assert "It has no group chat" in await bot.private(JOE, "/newcircle")  # in a private chat: joined by code
    for answer in ("Joe's Jar", "20", "3"):
        await bot.private(JOE, answer)
    asked = await tap(bot, JOE, "Weekly")
    assert "type one like 5 Dec or 12/5" in asked["text"]
    assert list(buttons(asked)) == ["Thu 26 Nov", "Sat 28 Nov", "Sun 29 Nov", "Sat 5 Dec"]
    await in_private(bot, JOE, "12/5")  # month first for a US number
    review = await tap(bot, JOE, "I'll set it")
    assert "First payment due: Sat 5 Dec" in review["text"] and "set by the organizer" in review["text"]
    assert "United States (New York) Time (America/New_York)" in review["text"]
    created = await tap(bot, JOE, "✅ Create")
    assert "New savings circle “Joe's Jar”" in created["text"] and "send me /join" in created["text"]
    assert "Tap Join" not in created["text"] and not buttons(created)  # no group, so no Join button


async def test_cancel_and_the_one_line_form_with_a_natural_date(bot):
    await bot.register(GRACE)
    await bot.private(GRACE, "/newcircle")
    assert "Setup cancelled. Nothing was created." in await bot.private(GRACE, "cancel")
    assert "Send /mycircles" in await bot.private(GRACE, "Family Fund")  # no setup running any more
    created = await bot.say(GRACE, "/newcircle Family Fund | 50 | 5 | monthly | 5 Dec")
    assert "New savings circle “Family Fund”" in created and "Tap Join below" in created


async def test_the_circle_timezone_is_shown_and_only_an_organizer_changes_it(bot, new_uow):
    for person in (GRACE, TOM):
        await bot.register(person)
    await bot.say(GRACE, "/newcircle Family Fund | 50 | 4 | monthly | 5 Dec")
    await bot.say(TOM, "/join")
    shown = await bot.say(TOM, "/timezone")
    assert "“Family Fund” follows Kenya Time (Africa/Nairobi)" in shown and "/timezone Nairobi" in shown
    assert "Only Grace (organizer) can change the time zone." in await bot.say(TOM, "/timezone London")
    assert "I don't know the time zone “Atlantis”" in await bot.say(GRACE, "/timezone Atlantis")
    changed = await bot.say(GRACE, "/timezone new york")
    assert "Grace set “Family Fund” to United States (New York) Time (America/New_York)" in changed
    assert "(America/New_York)" in await bot.say(TOM, "/timezone")
    async with new_uow() as uow:
        entries = (await uow.session.execute(select(AuditEntry.action, AuditEntry.details)
                                             .where(AuditEntry.action == "timezone_changed"))).all()
    assert entries == [("timezone_changed", {"timezone": "America/New_York", "previous": "Africa/Nairobi"})]


async def test_whatsapp_new_has_the_same_questions_and_review(bot, whatsapp):
    amina, joseph = "+254700000711", "+254700000712"
    assert "What should it be called?" in await whatsapp.send(amina, "NEW", name="Amina")
    await whatsapp.send(amina, "Chama")
    await whatsapp.send(amina, "1,000")
    await whatsapp.send(amina, "4")
    asked = await whatsapp.send(amina, "1")  # Weekly
    assert "first payment due" in asked
    assert "1. Thu 26 Nov\n2. Sat 28 Nov\n3. Sun 29 Nov\n4. Sat 5 Dec" in asked
    asked = await whatsapp.send(amina, "someday")
    assert asked.startswith("I couldn't read “someday” as a date") and "first payment due" in asked
    assert "payout order" in await whatsapp.send(amina, "2")  # Sat 28 Nov
    review = await whatsapp.send(amina, "1")
    assert "Name: Chama" in review and "First payment due: Sat 28 Nov" in review and "Kenya Time" in review
    assert "1. Create\n2. Change\n3. Cancel" in review
    assert "1. Name" in await whatsapp.send(amina, "2")
    assert "What should it be called?" in await whatsapp.send(amina, "1")
    review = await whatsapp.send(amina, "Chama ya Amina")
    assert "Name: Chama ya Amina" in review and "Members: 4" in review
    created = await whatsapp.send(amina, "1")
    assert "New savings circle “Chama ya Amina”" in created and "JOIN " in created
    code = created.split("JOIN ")[1].split(" ")[0]
    await whatsapp.send(joseph, f"JOIN {code}", name="Joseph")
    assert "Only Amina (organizer) can change the time zone." in await whatsapp.send(joseph, "TIMEZONE London")
    assert "Kenya Time (Africa/Nairobi)" in await whatsapp.send(joseph, "timezone")
    assert "to United Kingdom Time (Europe/London)" in await whatsapp.send(amina, "TIMEZONE london")


async def test_ten_taps_on_create_at_once_create_one_circle(bot):
    await bot.register(GRACE)
    for answer in ("/newcircle", "Fund", "20", "3"):
        await bot.private(GRACE, answer)
    await tap(bot, GRACE, "Weekly")
    await tap(bot, GRACE, "Sat 28 Nov")
    review = await tap(bot, GRACE, "Fair draw each cycle")
    answers_before = len(bot.tg.callback_answers)
    presses = [updates.callback(GRACE, review, buttons(review)["✅ Create"]) for _ in range(10)]
    await asyncio.gather(*(bot.app.process_update(Update.de_json(press, bot.app.bot)) for press in presses))
    answers = [a.get("text") for a in bot.tg.callback_answers[answers_before:]]
    assert len(answers) == 10 and answers.count("That question was already answered.") == 9
    assert sum("New savings circle “Fund”" in t for t in bot.tg.texts_to(GRACE.id)) == 1
    assert (await bot.private(GRACE, "/mycircles")).count("Fund") == 1
