"""Transcripts: who an account is. A member's number on a new account waits for a confirmation, a
member's new number is confirmed from their own account, and names never show a number or nothing."""

from __future__ import annotations

import re

from sqlalchemy import select

from core import audit
from core.models import AuditEntry
from tests.channels import updates
from tests.channels.driver import buttons
from tests.channels.test_telegram_identity_and_roles import circle_with
from tests.channels.updates import Person

GRACE = Person(7001, "Grace", None, "grace", "+254700000701")
TOM = Person(7002, "Tom", None, "tom", "+254700000702")
AMINA = Person(7003, "Amina", None, "amina", "+254700000703")
JOE = Person(7004, "Joe", None, "joe", "+254700000704")
# Whoever got Grace's old SIM, on a Telegram account of their own.
MALLORY = Person(7099, "Mallory", None, "mallory", GRACE.phone)
WAITING = "This number already belongs to a member"
REGISTER_FIRST = "I need to know your phone number first"


async def share(bot, person: Person, phone: str) -> str:
    """`person` shares their own contact, showing `phone`."""
    await bot.private(person, "/start")
    sent = await bot.deliver(updates.contact(person, phone, person.id))
    return "\n".join(m["text"] for m in sent)


async def test_a_recycled_sim_on_a_new_account_is_nobody_until_the_member_answers(bot):
    await circle_with(bot, GRACE, TOM, AMINA)  # full: started, Grace organizes
    assert WAITING in await share(bot, MALLORY, GRACE.phone)
    question = bot.tg.last_to(GRACE.id)
    assert question["text"] == "Someone on a new Telegram account says they have your number +…01. Is that you?"

    # Meanwhile Mallory is not Grace: not renamed, no organizer powers, no confirming or cancelling.
    summary = await bot.say(TOM, "/summary")
    assert "Grace" in summary and "Mallory" not in summary
    assert REGISTER_FIRST in await bot.say(MALLORY, "/cancelcircle")
    await bot.say(TOM, "/paid")
    post = bot.tg.last_to(GRACE.id)
    toast, _ = await bot.press(MALLORY, post, buttons(post)["✅ Confirm"])
    assert REGISTER_FIRST in toast
    assert WAITING in await bot.private(MALLORY, "/start")
    assert "Waiting for confirmation: Tom" in await bot.say(AMINA, "/summary")

    toast, sent = await bot.press(GRACE, question, buttons(question)["No, not me"])
    assert "Noted: the new Telegram account was not linked to Grace." in sent[0]["text"]
    assert "This account was not linked" in bot.tg.last_to(MALLORY.id)["text"]
    assert REGISTER_FIRST in await bot.say(MALLORY, "/draw")
    toast, _ = await bot.press(GRACE, question, buttons(question)["Yes, that's me"])  # too late: answered
    assert toast == "That was already answered."


async def user_records(new_uow) -> list[str]:
    """The actions of the audit chain of user records, which must be intact."""
    async with new_uow() as uow:
        assert await audit.verify_chain(uow.session, None) is None
        return list((await uow.session.scalars(select(AuditEntry.action).where(AuditEntry.circle_id.is_(None))
                                               .order_by(AuditEntry.seq))).all())


async def test_an_organizer_confirms_a_members_new_account_and_no_one_else_can(bot, new_uow):
    await circle_with(bot, GRACE, TOM, AMINA, size=4)
    await bot.say(GRACE, "/organizer @tom")
    new_grace = Person(7098, "Grace N", None, "gracen", GRACE.phone)
    assert WAITING in await share(bot, new_grace, GRACE.phone)
    for_tom = bot.tg.last_to(TOM.id)
    assert "Someone on a new Telegram account says they are Grace (number +…01)" in for_tom["text"]
    answer = buttons(for_tom)["Yes, it's Grace"]
    toast, _ = await bot.press(AMINA, for_tom, answer)  # a member who doesn't organize: refused
    assert toast == "Only the member themselves, or an organizer of their circle, can answer that."
    toast, _ = await bot.press(new_grace, for_tom, answer)  # nor the waiting account itself
    assert "I don't know you yet" in toast

    _, sent = await bot.press(TOM, for_tom, answer)
    assert "Done: Grace's new Telegram account is linked." in sent[0]["text"]
    assert "Confirmed: this Telegram account is now Grace's." in bot.tg.last_to(new_grace.id)["text"]
    assert "Cancel “Savings” for everyone?" in await bot.say(new_grace, "/cancelcircle")  # she is Grace
    assert "Hi Grace!" in await bot.private(GRACE, "/start")  # her old account too, name unchanged
    assert (await user_records(new_uow))[-3:] == ["identity_claimed", "identity_claim_decided", "identity_linked"]


async def test_a_new_number_is_confirmed_from_the_same_account_and_keeps_the_organizer_role(bot, new_uow):
    await circle_with(bot, GRACE, TOM, AMINA, size=4)
    await bot.say(GRACE, "/organizer @tom")
    asked = await bot.deliver(updates.contact(GRACE, "+254700000799", GRACE.id))
    assert asked[-1]["text"] == ("Change your number from +…01 to +254700000799? "
                                 "Your circles and roles stay as they are.")
    _, sent = await bot.press(GRACE, asked[-1], buttons(asked[-1])["No, keep +…01"])
    assert sent[0]["text"] == "OK, your number stays +254700000701."

    asked = await bot.deliver(updates.contact(GRACE, "+254700000799", GRACE.id))
    toast, _ = await bot.press(TOM, asked[-1], buttons(asked[-1])["Yes, change my number"])  # not Tom's to say
    assert toast == "Only the member themselves, or an organizer of their circle, can answer that."
    _, sent = await bot.press(GRACE, asked[-1], buttons(asked[-1])["Yes, change my number"])
    assert sent[0]["text"] == "✅ Your number is now +254700000799. Your circles and roles are unchanged."
    assert "Grace has a new phone number (ending in 99)" in bot.tg.last_to(TOM.id)["text"]
    assert "You're registered as +254700000799" in await bot.private(GRACE, "/start")
    assert "Grace started “Savings” with 3 members." in await bot.say(GRACE, "/begin")  # still an organizer
    assert (await user_records(new_uow))[-1] == "phone_changed"


async def test_a_number_that_is_another_members_is_refused_naming_who_can_help(bot):
    await circle_with(bot, GRACE, TOM, AMINA, size=4)
    refused = await bot.deliver(updates.contact(TOM, AMINA.phone, TOM.id))
    assert ("That number already belongs to a member of a circle, so I can't move your account to it. "
            "If it's really yours now, Grace can help") in refused[-1]["text"]
    assert "Hi Tom! You're registered as +254700000702" in await bot.private(TOM, "/start")
    assert "Hi Amina! You're registered as +254700000703" in await bot.private(AMINA, "/start")


async def test_a_name_made_of_invisible_characters_registers_under_a_usable_name(bot):
    ghost = Person(7010, "\u200b\u2063", None, "ghost", "+254700000710")
    assert "Thanks @ghost, you're registered as +254700000710." in await bot.register(ghost)
    blank = Person(7011, "\u3164 \u200d", None, None, "+254700000711")  # a filler and a joiner: nothing to see
    registered = await bot.register(blank)
    assert re.fullmatch(r"Thanks Telegram member [A-Z]{3}, you're registered as \+254700000711\.", registered)


async def test_handles_follow_every_update(bot):
    await circle_with(bot, GRACE, TOM, AMINA, size=4)
    tommy = Person(TOM.id, "Tom", None, "tommy", TOM.phone)  # Tom changed his @username, then wrote
    await bot.say(tommy, "/summary")
    assert "Tom was removed from “Savings” by Grace." in await bot.say(GRACE, "/remove @tommy")


async def test_a_handle_two_members_hold_is_refused_not_guessed(bot):
    await circle_with(bot, GRACE, AMINA, JOE, size=4)
    # Joe gave up @joe and Amina took it; Joe hasn't written since, so here both hold it.
    await bot.deliver(updates.contact(Person(AMINA.id, "Amina", None, "joe", AMINA.phone), AMINA.phone, AMINA.id))
    refused = await bot.say(GRACE, "/remove @joe")
    assert refused == "Two members use @joe. Reply to a message of the one you mean instead."
    assert "Members: 3/4" in await bot.say(GRACE, "/summary")  # no one was removed


async def test_whatsapp_with_a_telegram_organizers_number_cannot_cancel_until_she_answers(bot, whatsapp):
    await circle_with(bot, GRACE, TOM, size=4)
    code = _join_code(bot)
    assert WAITING in await whatsapp.send(GRACE.phone, f"CANCEL {code}", name="Grace W")
    assert "Savings" in await bot.say(TOM, "/summary")  # not cancelled
    question = bot.tg.last_to(GRACE.id)
    assert question["text"] == "Someone on a new WhatsApp account says they have your number +…01. Is that you?"
    assert WAITING in await whatsapp.send(GRACE.phone, "HELP", name="Grace W")  # still waiting; asked once
    assert bot.tg.last_to(GRACE.id) == question

    await bot.press(GRACE, question, buttons(question)["Yes, that's me"])
    assert "Confirmed: this WhatsApp account is now Grace's. Send HELP" in whatsapp.inbox(GRACE.phone)[-1]
    assert "“Savings” was cancelled." in await whatsapp.send(GRACE.phone, f"CANCEL {code}", name="Grace W")


async def test_a_whatsapp_organizer_answers_with_yes_and_the_code(bot, whatsapp):
    amina = "+254700000721"
    created = await whatsapp.send(amina, "NEW Chama | 10 USD | 3 | weekly | 2026-12-02", name="Amina")
    code = created.split("JOIN ")[1].split()[0].rstrip(",.")
    await bot.register(TOM)
    await bot.private(TOM, f"/join {code}")
    assert WAITING in await whatsapp.send(TOM.phone, "SUMMARY", name="Tom")
    asked = whatsapp.inbox(amina)[-1]
    ref = re.search(r"Reply YES (\w{5}) if it is Tom", asked).group(1)
    assert "Tom's new WhatsApp account is linked" in await whatsapp.send(amina, f"yes {ref}")
    assert "Confirmed: this WhatsApp account is now Tom's" in whatsapp.inbox(TOM.phone)[-1]
    assert "Chama" in await whatsapp.send(TOM.phone, "SUMMARY", name="Tom")
    assert "Nothing is waiting for your yes or no." in await whatsapp.send(amina, "NO")


async def test_whatsapp_without_a_profile_name_is_asked_and_never_shown_by_number(bot, whatsapp):
    await circle_with(bot, GRACE, TOM, size=5)
    code = _join_code(bot)
    wanjiru, anon = "+254700000731", "+254700000732"
    assert "What name should your circle see?" in await whatsapp.send(wanjiru, f"JOIN {code}")
    answered = await whatsapp.send(wanjiru, "0712 345 678")  # a number is no name
    assert "couldn't read that as a name" in answered
    answered = await whatsapp.send(wanjiru, "Wanjiru")
    assert "Thanks, Wanjiru!" in answered and "You joined “Savings”" in answered  # her JOIN, answered now
    assert "What name should your circle see?" in await whatsapp.send(anon, f"JOIN {code}", name=anon)
    assert "You joined “Savings”" in await whatsapp.send(anon, f"JOIN {code}")  # a command, not a name
    group = bot.tg.texts_to(bot.group)
    assert "👋 Wanjiru joined “Savings”." in group
    assert any(re.fullmatch(r"👋 WhatsApp member [A-Z]{3} joined “Savings”\.", t) for t in group)
    told = group + bot.tg.texts_to(GRACE.id) + bot.tg.texts_to(TOM.id) + whatsapp.inbox(wanjiru)
    for phone in (wanjiru, anon):
        assert not any(phone[4:] in t for t in told), phone  # no member sees another's number


def _join_code(bot) -> str:
    return re.search(r"join code (\w+)\)", "\n".join(bot.tg.texts_to(bot.group))).group(1)
