"""Any size: at 200 members every message the bot sends fits its channel — Telegram 4096
characters, WhatsApp 1600 — whole, not cut: long lists are summarised."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.background import tick
from core.chats import circle_for_chat
from core.circles import join_circle
from core.contributions import mark_paid
from core.models import Channel
from core.users import register_user, user_by_identity
from handlers.whatsapp.delivery import MAX_BODY as WHATSAPP_LIMIT
from tests.channels.updates import Person

TELEGRAM_LIMIT = 4096
GRACE = Person(7000, "Grace", "Wanjiku-Otieno", "grace", "+254711000000")
TOM = Person(7001, "Thomas Kiprono Arap Mwangi-Odhiambo", None, "tom", "+254711000001")
WHATSAPP_MEMBERS = 10  # each of them hears every announcement: enough to cover WhatsApp's texts, quick to run
AMINA = "+254722000000"


def long_name(n: int) -> str:
    return f"Member Number {n:03d} Wanjiru-Achieng Nyambura"  # long names: the worst case for lists


async def big_circle(bot, whatsapp, new_uow) -> object:
    """Grace's 200-member circle in her Telegram group: Tom and 188 others on Telegram, 10 on WhatsApp."""
    for person in (GRACE, TOM):
        await bot.register(person)
    await bot.say(GRACE, "/newcircle Big Family Chama of the Otieno and Wanjiku Clans | 500 KES | 200 | monthly"
                         " | 2026-12-05")
    circle = await circle_for_chat(new_uow(), Channel.TELEGRAM, str(bot.group))
    await bot.say(TOM, "/join")
    for n in range(2, 200 - WHATSAPP_MEMBERS):
        user = await register_user(new_uow(), phone=f"+2547110{n:05d}", full_name=long_name(n),
                                   channel=Channel.TELEGRAM, address=str(7000 + n))
        await join_circle(new_uow(), actor=user.id, circle_id=circle.id)
    await whatsapp.send(AMINA, f"JOIN {circle.join_code}", name="Amina Achieng Wanjiru-Nyambura")
    for n in range(1, WHATSAPP_MEMBERS):
        await whatsapp.send(f"+2547220{n:05d}", f"JOIN {circle.join_code}", name=long_name(500 + n))
    return circle


async def test_every_message_fits_its_channel_at_200_members(bot, whatsapp, new_uow, clock):
    circle = await big_circle(bot, whatsapp, new_uow)
    for command in ("/summary", "/history", "/help", "/reminders", "/verify"):
        await bot.say(GRACE, command)
    for command in ("SUMMARY", "HISTORY", "HELP", "MY CIRCLES", "VERIFY", "CONFIRM"):
        await whatsapp.send(AMINA, command)
    await bot.private(TOM, "/mycircles")

    # Reminders 3 days before (09:00 in Nairobi) name the 200 who have not paid; then half of them pay.
    clock.now = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    await tick(bot.app.bot_data["rosca"].new_uow, bot.dispatcher, bot.app.bot_data["rosca"].beacon)
    await bot.dispatcher.drain()
    await bot.say(TOM, "/paid")
    for n in range(2, 100):
        member = await circle_member(new_uow, circle, str(7000 + n))
        await mark_paid(new_uow(), actor=member, circle_id=circle.id)
    await whatsapp.send(AMINA, "PAID")
    await bot.dispatcher.drain()
    for command in ("/summary", "/help"):
        await bot.say(GRACE, command)
    await whatsapp.send(AMINA, "CONFIRM")
    clock.now = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)  # the due date, 18:00: organizers are nudged
    await tick(bot.app.bot_data["rosca"].new_uow, bot.dispatcher, bot.app.bot_data["rosca"].beacon)
    await bot.dispatcher.drain()

    # The organizer draws anyway (half unpaid and half unconfirmed are named), then hands the pot over.
    await bot.say(GRACE, "/draw anyway")
    for command in ("/verify", "/summary", "/history"):
        await bot.say(GRACE, command)
    await whatsapp.send(AMINA, "VERIFY")
    await whatsapp.send(AMINA, "SUMMARY")

    telegram = [m for m in bot.tg.sent if m.get("text")]
    assert len(telegram) > 300 and bot.tg.texts_to(bot.group)
    too_long = [(len(m["text"]), m["text"][:80]) for m in telegram if len(m["text"]) > TELEGRAM_LIMIT]
    assert not too_long
    bodies = [m["body"] for m in whatsapp.twilio.sent if m["body"]]
    assert len(bodies) > 100
    cut = [(len(b), b[:80]) for b in bodies if len(b) >= WHATSAPP_LIMIT and b.endswith("…")]
    assert not cut


async def circle_member(new_uow, circle, telegram_address: str):
    return (await user_by_identity(new_uow(), Channel.TELEGRAM, telegram_address)).id
