"""Transcripts: stale and forged buttons, duplicate and edited updates, chat moves, hostile input."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy.exc import OperationalError

from tests.channels import updates
from tests.channels.driver import buttons
from tests.channels.updates import Person

GRACE = Person(3001, "Grace", None, "grace", "+254700000301")
TOM = Person(3002, "Tom", None, "tom", "+254700000302")
AMINA = Person(3003, "Amina", None, "amina", "+254700000303")


async def started_circle(bot) -> None:
    for person in (GRACE, TOM, AMINA):
        await bot.register(person)
    await bot.say(GRACE, "/newcircle Savings | 20 USD | 3 | weekly | 2026-12-02")
    await bot.say(TOM, "/join")
    await bot.say(AMINA, "/join")


def board_line(board: str, title: str) -> set[str]:
    """The names on one line of the /summary board (its order follows joining, which tests don't fix)."""
    line = next(line for line in board.splitlines() if line.startswith(title + ": "))
    return set(line.split(": ", 1)[1].split(", "))


async def test_a_second_press_of_confirm_changes_nothing(bot):
    await started_circle(bot)
    await bot.say(TOM, "/paid")
    post = bot.last_in_group()
    await bot.press(GRACE, post, buttons(post)["✅ Confirm"])
    toast, sent = await bot.press(GRACE, post, buttons(post)["❌ Reject"])
    assert toast == "Already handled: that payment was confirmed." and sent == []
    assert "Confirmed: Tom" in await bot.say(GRACE, "/summary")


async def test_forged_buttons_cannot_reach_another_groups_payment(bot):
    await started_circle(bot)
    await bot.say(TOM, "/paid")
    contribution = buttons(bot.last_in_group())["✅ Confirm"].split(":")[2]
    other_group = -1009876543210
    await bot.deliver(updates.group_text(GRACE, other_group, "/newcircle Other | 5 USD | 2 | weekly | 2026-12-02"))
    forged_post = bot.tg.last_to(other_group)
    toast, _ = await bot.press(GRACE, forged_post, f"pay:ok:{contribution}")
    assert toast == "I couldn't find that payment in the current cycle."
    for data in (f"pay:ok:{uuid.uuid4()}", "pay:ok:not-a-uuid", "ack:zzz", "something-else"):
        toast, sent = await bot.press(GRACE, forged_post, data)
        assert toast and sent == []
    assert "Waiting for confirmation: Tom" in await bot.say(GRACE, "/summary")


async def test_a_duplicated_update_has_one_effect(bot):
    await started_circle(bot)
    paid = updates.group_text(TOM, bot.group, "/paid")
    first = await bot.deliver(paid)
    again = await bot.deliver(paid)
    assert len(first) == 1 and again == []
    assert "Waiting for confirmation: Tom" in await bot.say(GRACE, "/summary")


async def test_an_edited_command_does_not_act_again(bot):
    await started_circle(bot)
    original = updates.group_text(TOM, bot.group, "/paid 20")
    await bot.deliver(original)
    sent = await bot.deliver(updates.edited_group_text(original, "/paid 25"))
    assert [m["text"] for m in sent] == ["I only act on new messages. Please send the command again."]
    assert "Collected: USD 0 of USD 60" in await bot.say(GRACE, "/summary")


async def test_commands_for_another_bot_are_ignored(bot):
    await started_circle(bot)
    assert await bot.say(TOM, "/paid@some_other_bot") == ""
    assert "says they paid" in await bot.say(TOM, "/paid@rosca_test_bot")


async def test_the_circle_follows_its_group_to_a_supergroup(bot):
    bot.group = -4001  # a basic group
    await started_circle(bot)
    new_id = -1004001000001
    await bot.deliver(updates.chat_migrated(GRACE, -4001, new_id))
    bot.group = new_id
    assert "“Savings”" in await bot.say(TOM, "/summary")


async def test_bot_removed_and_member_left_are_handled_quietly(bot, caplog):
    await started_circle(bot)
    with caplog.at_level(logging.WARNING):
        assert await bot.deliver(updates.bot_removed(GRACE, bot.group)) == []
    assert "removed from chat" in caplog.text
    sent = await bot.deliver(updates.member_left(TOM, bot.group, TOM))
    assert "Tom left this chat but is still a member of “Savings”" in sent[0]["text"]


@pytest.mark.parametrize("typed, expected", [
    ("/paid abc", "I couldn't read “abc” as an amount"),
    ("/paid -5", "I couldn't read “-5” as an amount"),
    ("/paid 0", "I couldn't read “0” as an amount"),
    ("/paid 99999999999999999999", "I couldn't read “99999999999999999999” as an amount"),
    ("/paid 20 EUR", "This circle uses USD, not EUR."),
    ("/paid " + "9" * 5000, "I couldn't read"),
    ("/paid 💰💰", "I couldn't read “💰💰” as an amount"),
])
async def test_bad_amounts_get_a_clear_reply_and_change_nothing(bot, typed, expected):
    await started_circle(bot)
    reply = await bot.say(TOM, typed)
    assert expected in reply and len(reply) < 300
    assert board_line(await bot.say(GRACE, "/summary"), "Not paid") == {"Grace", "Tom", "Amina"}


@pytest.mark.parametrize("typed, expected", [
    ("/newcircle Fund | 50", "To set up a circle in one line"),
    ("/newcircle Fund | fifty | 5 | monthly | 2026-12-01", "I couldn't read “fifty” as an amount"),
    ("/newcircle Fund | 50 | 1 | monthly | 2026-12-01", "“1” doesn't work as the number of members"),
    ("/newcircle Fund | 50 | 5 | yearly | 2026-12-01", "I couldn't read “yearly” as how often members pay"),
    ("/newcircle Fund | 50 | 5 | monthly | 13/13/2026", "I couldn't read “13/13/2026” as a date"),
    ("/newcircle Fund | 50 | 5 | monthly | 2020-01-01", "Wed 1 Jan 2020 has already passed"),
    ("/newcircle Fund | 50 | 5 | monthly | 2028-01-01", "Sat 1 Jan 2028 is more than a year away"),
    ("/newcircle Fund | 50 XYZ | 5 | monthly | 2026-12-01", "I couldn't read “50 XYZ” as an amount"),
    ("/newcircle  | 50 | 5 | monthly | 2026-12-01", "I need a name"),
    ("/newcircle Fund | 50 | 5 | monthly | 2026-12-01 | sideways", "I couldn't read “sideways” as a payout order"),
])
async def test_bad_circle_setups_are_refused_clearly(bot, typed, expected):
    await bot.register(GRACE)
    assert expected in await bot.say(GRACE, typed)
    assert "There's no savings circle here yet" in await bot.say(GRACE, "/summary")


async def test_unicode_names_and_currency_from_the_phone(bot):
    await bot.register(GRACE)  # a Kenyan number: KES by default
    created = await bot.say(GRACE, "/newcircle Chama ya Mama 👩‍👧 | 1 000,50 | 4 | every 10 days | 2026-12-01")
    assert "“Chama ya Mama 👩‍👧”" in created and "KES 1,000.50 every 10 days" in created


async def test_an_unexpected_failure_apologises_and_logs_the_update(bot, monkeypatch, caplog):
    await started_circle(bot)

    async def broken(*args, **kwargs):
        raise RuntimeError("database exploded")

    monkeypatch.setattr("handlers.telegram.info.circle_summary", broken)
    update = updates.group_text(TOM, bot.group, "/summary")
    with caplog.at_level(logging.ERROR):
        sent = await bot.deliver(update)
    assert sent[0]["text"].startswith("Sorry, something went wrong on my side. Nothing was changed")
    assert f"update {update['update_id']} failed" in caplog.text and "database exploded" in caplog.text


async def test_verify_a_cycle_that_does_not_exist_and_plain_text_in_private(bot):
    await started_circle(bot)
    assert "There's no cycle 9 in this circle yet." in await bot.say(TOM, "/verify 9")
    assert "Fingerprint (commitment):" in await bot.say(TOM, "/verify 1") and (
        "Secret number (seed): revealed at the draw" in await bot.say(TOM, "/verify"))
    assert "Send /mycircles" in await bot.private(TOM, "hello?")
    assert await bot.say(TOM, "just chatting in the group") == ""


async def test_a_database_outage_says_try_again(bot, monkeypatch):
    await started_circle(bot)

    async def unreachable(*args, **kwargs):
        raise OperationalError("select 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr("handlers.telegram.info.circle_summary", unreachable)
    assert await bot.say(TOM, "/summary") == (
        "I can't reach my records right now. Nothing was changed; please try again in a moment.")


async def test_the_database_going_after_a_change_does_not_say_nothing_changed(bot, monkeypatch):
    await started_circle(bot)

    async def unreachable(*args, **kwargs):
        raise OperationalError("select 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr("handlers.telegram.draws.proof_of_draw", unreachable)  # the read after the draw
    assert await bot.say(GRACE, "/draw anyway") == (
        "That went through, but then I lost touch with my records before I could finish my answer. "
        "Send /summary in a moment to see where things stand.")
    monkeypatch.undo()
    assert "already happened" in await bot.say(GRACE, "/draw anyway")  # the draw did happen, once
