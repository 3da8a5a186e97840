"""One person can't make the bot message everyone over and over: joins and leaves of one person in one
circle are limited per hour, new circles per person per day, on both apps, with a refusal that says
when they can try again. The WhatsApp flood of the review (40 JOIN/LEAVE) is counted in Twilio sends."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from core.limits import Limits
from core.models import Circle
from handlers.telegram import texts
from tests.channels.driver import buttons
from tests.channels.updates import Person

LIMITS = Limits()
ORGANIZER, FLOODER = "+254700009300", "+254700009399"
OTHERS = [f"+2547000093{n:02d}" for n in range(1, 11)]  # with the organizer, 11 members besides the flooder
GRACE = Person(9301, "Grace", None, "grace", "+254700009401")
TOM = Person(9302, "Tom", None, "tom", "+254700009402")


async def test_forty_join_leave_from_one_whatsapp_number_send_few_messages(bot, whatsapp, clock):
    created = await whatsapp.send(ORGANIZER, "NEW Family Fund | 20 USD | 30 | weekly | 2026-12-02", name="Grace")
    code = re.search(r"JOIN ([A-Z0-9]{6})", created).group(1)
    for n, phone in enumerate(OTHERS):
        await whatsapp.send(phone, f"JOIN {code}", name=f"Cousin {n}")
    sent_before = len(whatsapp.twilio.sent)
    replies = [await whatsapp.send(FLOODER, "LEAVE" if n % 2 else f"JOIN {code}", name="Flood") for n in range(40)]
    sends = whatsapp.twilio.sent[sent_before:]
    to_others = [m for m in sends if m["to"] != f"whatsapp:{FLOODER}"]
    changes = LIMITS.seat_changes_per_hour
    assert all("You joined" in r for r in replies[:changes:2]) and all("You left" in r for r in replies[1:changes:2])
    assert all("You can try again in 60 minutes." in r for r in replies[changes::2])  # the JOINs
    assert not any("You left" in r for r in replies[changes + 1::2])  # the LEAVEs: they're out already
    # Before the limit: 40 changes × 11 members = 440 messages to others, 480 sends in all.
    assert len(to_others) == changes * (1 + len(OTHERS)), len(to_others)
    assert len(sends) == len(to_others) + 40
    print(f"\n40 JOIN/LEAVE from one WhatsApp number, 11 other members: {len(sends)} Twilio sends, "
          f"{len(to_others)} to other members")
    clock.now += timedelta(minutes=61)  # an hour later they may change their mind again
    assert "You joined" in await whatsapp.send(FLOODER, f"JOIN {code}")


async def test_join_and_leave_taps_in_a_telegram_group_are_limited(bot, clock):
    for person in (GRACE, TOM):
        await bot.register(person)
    await bot.say(GRACE, "/newcircle Fund | 20 USD | 10 | weekly | 2026-12-02")
    post = next(m for m in bot.tg.sent if "🙋 Join" in buttons(m))
    group_before = len(bot.tg.texts_to(bot.group))
    for n in range(LIMITS.seat_changes_per_hour // 2):
        alert, _ = await bot.press(TOM, post, buttons(post)["🙋 Join"])
        assert "You're in" in alert
        assert "left" in await bot.say(TOM, "/leave")
    alert, _ = await bot.press(TOM, post, buttons(post)["🙋 Join"])
    assert "You've joined or left this circle 6 times in the last hour" in alert and "in 60 minutes" in alert
    assert "You can try again in 60 minutes." in await bot.say(TOM, "/join")
    assert len(bot.tg.texts_to(bot.group)) - group_before == LIMITS.seat_changes_per_hour + 1  # + the refusal
    clock.now += timedelta(minutes=30)
    assert "in 30 minutes" in await bot.say(TOM, "/join")
    clock.now += timedelta(minutes=31)
    assert "joined" in await bot.say(TOM, "/join")


async def test_new_circles_are_limited_per_person_and_day_on_both_apps(bot, whatsapp, new_uow, clock):
    await bot.register(GRACE)
    for n in range(LIMITS.circles_per_day):
        created = await bot.private(GRACE, f"/newcircle Fund {n} | 20 USD | 200 | weekly | 2026-12-02")
        assert "New savings circle" in created
    refused = await bot.private(GRACE, "/newcircle Fund 9 | 20 USD | 200 | weekly | 2026-12-02")
    assert refused == texts.ERRORS["too_many_circles"].format(limit=5, wait="in about 24 hours")
    for n in range(LIMITS.circles_per_day):
        assert "JOIN" in await whatsapp.send(ORGANIZER, f"NEW Fund {n} | 20 USD | 200 | weekly | 2026-12-02",
                                             name="Grace")
    assert "You can set up another in about 24 hours." in await whatsapp.send(
        ORGANIZER, "NEW Fund 9 | 20 USD | 200 | weekly | 2026-12-02", name="Grace")
    async with new_uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Circle)) == 2 * LIMITS.circles_per_day
    clock.now += timedelta(hours=24, minutes=1)
    assert "New savings circle" in await bot.private(GRACE, "/newcircle Fund 9 | 20 USD | 200 | weekly | 2026-12-09")
