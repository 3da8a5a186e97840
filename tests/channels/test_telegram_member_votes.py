"""Transcripts: a circle whose only organizer disappeared is not stuck — its members vote, on Telegram,
for a new organizer or to end it; a minority carries nothing, and each member's ballot counts once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import select
from telegram import Update

from bot.background import tick
from core.models import User
from tests.channels import updates
from tests.channels.driver import buttons
from tests.channels.updates import Person
from tests.integration.builders import audit_details

GRACE = Person(7301, "Grace", None, "grace", "+254700000731")
TOM = Person(7302, "Tom", None, "tom", "+254700000732")
AMINA = Person(7303, "Amina", None, "amina", "+254700000733")
JOSEPH = Person(7304, "Joseph", None, "joseph", "+254700000734")
WANJIRU = Person(7305, "Wanjiru", None, "wanjiru", "+254700000735")  # not a member


async def running_circle(bot, clock, *members: Person) -> None:
    """Grace sets up a circle that the members fill (it starts), then she is never heard from again."""
    for person in (GRACE, *members, WANJIRU):
        await bot.register(person)
    await bot.say(GRACE, f"/newcircle Savings | 20 USD | {len(members) + 1} | weekly | 2026-12-02")
    for person in members:
        clock.now += timedelta(seconds=1)
        await bot.say(person, "/join")




async def test_members_elect_a_new_organizer_who_can_then_confirm_and_draw(bot, new_uow, clock):
    await running_circle(bot, clock, TOM, AMINA, JOSEPH)
    assert "Tom says they paid USD 20" in await bot.say(TOM, "/paid")
    clock.now += timedelta(days=1)
    refused = await bot.say(TOM, "/vote")  # Grace acted yesterday: she still runs the circle
    assert refused == ("An organizer of this circle (Grace) acted on Wed 25 Nov, so they still run it. Members can "
                       "vote for a new organizer or to end the circle once no organizer has acted for 14 days "
                       "(from Wed 9 Dec); until then, talk to Grace.")
    assert "No organizer has acted" not in await bot.say(TOM, "/draw")

    clock.now += timedelta(days=14)  # fifteen days without Grace
    refused = await bot.say(TOM, "/draw")
    assert refused.startswith("Only Grace (organizer) can draw.")
    assert refused.endswith("No organizer has acted in “Savings” since Wed 25 Nov. Members can vote for a new "
                            "organizer or to end the circle: send /vote.")
    offer = bot.last_in_group()
    _, sent = await bot.press(TOM, offer, buttons(offer)["🗳 Vote"])
    choices = sent[-1]
    assert "tap a member to propose them as organizer" in choices["text"]
    assert "It carries when 3 of all 4 members vote yes" in choices["text"]
    assert set(buttons(choices)) == {"Tom", "Amina", "Joseph", "🛑 End the circle"}  # Grace is the organizer

    toast, sent = await bot.press(TOM, choices, buttons(choices)["Amina"])
    ballot = sent[-1]
    assert ballot["text"].startswith("🗳 Tom proposes to make Amina the organizer of “Savings”.\nYes: 1 · No: 0")
    assert "A vote is already open" in await bot.say(JOSEPH, "/vote end")  # one vote at a time

    toast, _ = await bot.press(TOM, ballot, buttons(ballot)["👍 Yes"])  # proposing was his yes
    assert toast == "You already voted yes. Each member votes once, and a vote can't be changed."
    toast, _ = await bot.press(WANJIRU, ballot, buttons(ballot)["👍 Yes"])
    assert toast.startswith("Only members of “Savings” can do that.")
    toast, sent = await bot.press(AMINA, ballot, buttons(ballot)["👍 Yes"])
    assert toast == "Counted: yes." and "Yes: 2 · No: 0" in sent[-1]["text"]
    assert "Only Grace (organizer) can draw" in await bot.say(AMINA, "/draw anyway")  # not carried yet

    # Joseph taps Yes twice at once: one ballot, and the vote carries once.
    taps = [Update.de_json(updates.callback(JOSEPH, ballot, buttons(ballot)["👍 Yes"]), bot.app.bot)
            for _ in range(2)]
    before = len(bot.tg.sent)
    await asyncio.gather(*(bot.app.process_update(tap) for tap in taps))
    await bot.dispatcher.drain()
    group = [m["text"] for m in bot.tg.sent[before:] if m["chat_id"] == bot.group and not m.get("edited")]
    assert group.count("⭐ The members chose Amina as organizer of “Savings” (3 of 4 voted yes). Grace hadn't acted "
                       "since the vote began, so they stay members but are no longer organizers.") == 1
    ballots = [d["user_id"] for d in await audit_details(new_uow, "ballot_cast")]
    assert ballots.count(str(await _id(new_uow, "Joseph"))) == 1
    [carried] = await audit_details(new_uow, "vote_carried")
    assert carried["kind"] == "ELECT" and carried["yes"] == 3 and carried["members"] == 4
    assert carried["demoted_ids"] == [str(await _id(new_uow, "Grace"))]

    assert "Tom's payment of USD 20 was confirmed by Amina." in await bot.say(AMINA, "/confirm @tom")
    drawn = await bot.say(AMINA, "/draw anyway")
    assert "Cycle 1 draw" in drawn and "receives the pot" in drawn
    assert "Only Amina (organizer) can" in await bot.say(GRACE, "/payout")  # Grace is a member now
    assert "acted on" in await bot.say(TOM, "/vote")  # Amina is active: no new vote


async def test_the_majority_ends_the_circle(bot, new_uow, clock):
    """Amina joined by code from a private chat: she hears the vote there, and votes there."""
    for person in (GRACE, TOM, AMINA):
        await bot.register(person)
    created = await bot.say(GRACE, "/newcircle Savings | 20 USD | 3 | weekly | 2026-12-02")
    await bot.say(TOM, "/join")
    await bot.private(AMINA, "/join " + created.split("join code ")[1].rstrip(")."))
    clock.now += timedelta(days=15)
    ballot = await bot.say(TOM, "/vote end")
    assert ballot.startswith("🗳 Tom proposes to end “Savings” (it shows as cancelled; its history stays).")
    assert "It carries when 2 of all 3 members vote yes" in ballot
    heard = bot.tg.messages_to(AMINA.id)[-1]
    assert heard["text"].startswith("🗳 Tom proposes to end “Savings”") and "👍 Yes" in buttons(heard)
    toast, sent = await bot.press(AMINA, heard, buttons(heard)["👍 Yes"])
    assert toast == "Counted: yes." and "✅ Carried." in sent[0]["text"]
    told = "🛑 The members ended “Savings” (2 of 3 voted yes). Its history stays available with /history."
    assert told in bot.tg.texts_to(bot.group) and told in bot.tg.texts_to(AMINA.id)
    assert "This circle was cancelled." in bot.card()
    [carried] = await audit_details(new_uow, "vote_carried")
    assert carried["kind"] == "END" and carried["previous_status"] == "ACTIVE"
    assert "no savings circle here" in await bot.say(TOM, "/draw")  # the chat is free for a new circle


async def test_a_minority_carries_nothing_and_a_vote_runs_out_of_time(bot, new_uow, clock):
    await running_circle(bot, clock, TOM, AMINA, JOSEPH)
    clock.now += timedelta(days=15)
    await bot.say(TOM, "/vote @amina")
    assert "Yes: 1 · No: 1" in await bot.say(JOSEPH, "/vote no")
    failed = await bot.say(AMINA, "/vote no")  # 2 of 4 said no: 3 yes can no longer happen
    assert "The vote to make Amina the organizer of “Savings” didn't carry: 2 of 4 members voted no." in failed
    assert "Only Grace (organizer) can draw" in await bot.say(AMINA, "/draw anyway")

    await bot.say(TOM, "/vote @joseph")
    await bot.say(JOSEPH, "/vote yes")  # 2 of 4: not more than half
    clock.now += timedelta(days=8)
    rosca = bot.app.bot_data["rosca"]
    await tick(rosca.new_uow, bot.dispatcher, rosca.beacon)
    await bot.dispatcher.drain()
    assert any("The vote to make Joseph the organizer of “Savings” ran out of time with 2 yes of the 3 it needed"
               in t for t in bot.tg.texts_to(bot.group))
    assert "Only Grace (organizer) can draw" in await bot.say(JOSEPH, "/draw anyway")
    assert [len(await audit_details(new_uow, a)) for a in ("vote_failed", "vote_expired", "vote_carried")] == [1, 1, 0]


async def test_outsiders_cannot_start_a_vote(bot, clock):
    await running_circle(bot, clock, TOM)
    clock.now += timedelta(days=15)
    assert "Only members of “Savings” can do that." in await bot.say(WANJIRU, "/vote end")
    assert "Only members of “Savings” can do that." in await bot.say(WANJIRU, "/vote")


async def _id(new_uow, name: str) -> uuid.UUID:
    async with new_uow() as uow:
        return await uow.session.scalar(select(User.id).where(User.full_name == name))
