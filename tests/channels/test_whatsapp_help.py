"""Transcripts over WhatsApp: HELP as a short numbered menu that fits the person, "Did you mean",
and refusals that say who can act and what comes next."""

from __future__ import annotations

from tests.channels.test_whatsapp import WA, mixed_circle


async def test_help_without_a_circle_is_a_short_menu_and_help_all_the_reference(bot, whatsapp):
    phone = WA["Amina"]
    menu = await whatsapp.send(phone, "help", name="Amina")
    assert menu.splitlines() == ["Hi! I keep your family savings circle honest. You're not in a circle yet.",
                                 "1. JOIN — join a circle with its code", "2. NEW — set up a circle",
                                 "3. HELP ALL — every command", "Reply with a number or the word."]
    assert "Send JOIN followed by the circle's join code" in await whatsapp.send(phone, "1")
    reference = await whatsapp.send(phone, "3")
    assert "PAID [amount] — tell the organizers you paid this cycle" in reference
    assert reference == await whatsapp.send(phone, "HELP ALL") == await whatsapp.send(phone, "commands")
    assert "Send HELP to see your choices" in await whatsapp.send(phone, "7")


async def test_a_member_pays_by_number_and_the_menu_follows_where_they_stand(bot, whatsapp):
    await mixed_circle(bot, whatsapp)
    phone = WA["Joseph"]
    menu = await whatsapp.send(phone, "HELP")
    assert len(menu.splitlines()) <= 6
    assert "cycle 1 of 5" in menu and "You haven't paid yet: pay, then send PAID." in menu
    assert "1. PAID — I've paid USD 50\n2. SUMMARY — where everyone stands\n3. HELP ALL — every command" in menu
    assert "Noted: you paid USD 50" in await whatsapp.send(phone, "1")
    menu = await whatsapp.send(phone, "menu")
    assert "Your payment waits for an organizer to confirm it." in menu and "1. SUMMARY" in menu
    assert "Waiting for confirmation: Joseph" in await whatsapp.send(phone, "1")


async def test_mistyped_words_get_the_keyword(bot, whatsapp):
    phone = WA["Amina"]
    assert "Did you mean SUMMARY?" in await whatsapp.send(phone, "sumary", name="Amina")
    assert "Did you mean PAID?" in await whatsapp.send(phone, "PAYED 50")
    assert "Did you mean PAID?" in await whatsapp.send(phone, "pay")
    assert "Did you mean CONFIRM?" in await whatsapp.send(phone, "CONFIRMM 2")
    assert "didn't understand" in await whatsapp.send(phone, "bananas please")


async def test_a_member_s_draw_names_the_organizer_and_the_automatic_draw(bot, whatsapp):
    code = await mixed_circle(bot, whatsapp)
    assert await whatsapp.send(WA["Amina"], "DRAW") == (
        "Only Grace (organizer) can draw. It happens automatically on Tue 1 Dec at 18:00 once everyone is confirmed.")
    assert await whatsapp.send(WA["Amina"], f"CANCEL {code}") == (
        "Only Grace (organizer) can cancel the circle. Talk to them if the circle should stop.")
