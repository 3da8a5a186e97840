"""Input the database can't keep (a NUL byte) is an input error: whatever free text carries one gets
a friendly "type it again" on both apps, changes nothing, and is never taken for an outage
("I can't reach my records")."""

from __future__ import annotations

import re

from sqlalchemy import text

from core.models import Base
from handlers.telegram import texts
from tests.channels import updates
from tests.channels.driver import buttons
from tests.channels.fake_twilio import incoming, new_sid
from tests.channels.updates import Person

GRACE = Person(9201, "Grace", None, "grace", "+254700009201")
TOM = Person(9202, "Tom", None, "tom", "+254700009202")
AMINA = "+254700009211"
KEPT = [t.name for t in Base.metadata.sorted_tables if t.name not in ("outbox", "processed_deliveries")]


async def everything(new_uow) -> dict[str, str]:
    """A fingerprint of every table that records something (the outbox carries the replies)."""
    async with new_uow() as uow:
        return {t: await uow.session.scalar(text(f"select md5(coalesce(string_agg(r::text, ',' order by r::text), ''))"
                                                 f" from {t} r")) for t in KEPT}


async def test_telegram_refuses_unstorable_text_in_every_free_text_input(bot, new_uow):
    for person in (GRACE, TOM):
        await bot.register(person)
    await bot.say(GRACE, "/newcircle Fund | 20 USD | 3 | weekly | 2026-12-02")
    await bot.say(TOM, "/join")
    await bot.private(GRACE, "/newcircle")  # the guided setup waits for the circle's name
    before = await everything(new_uow)
    for person, line in ((GRACE, "/howtopay M-Pesa\x00 0712 345 678"), (GRACE, "/remove @to\x00m"),
                         (GRACE, "/timezone Nai\x00robi"), (TOM, "/paid 5\x000"), (TOM, "/leave\x00"),
                         (GRACE, "/newcircle Fa\x00mily | 50 USD | 3 | monthly | 2026-12-01")):
        assert await bot.say(person, line) == str(texts.UNSTORABLE), line
    for person, line in ((GRACE, "Fa\x00mily Fund"), (TOM, "/join AB\x00CDEF"),
                         (GRACE, "/newcircle Fa\x00mily | 50 USD | 3 | monthly | 2026-12-01")):
        assert await bot.private(person, line) == str(texts.UNSTORABLE), line
    post = next(m for m in bot.tg.sent if "🙋 Join" in buttons(m))
    alert, _ = await bot.press(TOM, post, buttons(post)["🙋 Join"] + "\x00")
    assert alert == str(texts.UNSTORABLE)
    assert await bot.say(TOM, "just chatting\x00") == ""  # not a command: not ours to answer in a group
    assert await everything(new_uow) == before
    # What got past the checks (here a username; Telegram's are plain letters) and that the database
    # refuses is an input error too, not an outage.
    odd = Person(9203, "Odd", None, "o\x00dd", "+254700009203")
    sent = await bot.deliver(updates.contact(odd, odd.phone, odd.id))
    assert [m["text"] for m in sent] == [str(texts.UNSTORABLE)]
    assert await everything(new_uow) == before


async def test_whatsapp_refuses_unstorable_text_in_every_free_text_input(bot, whatsapp, new_uow):
    created = await whatsapp.send(AMINA, "NEW Fund | 20 USD | 3 | weekly | 2026-12-02", name="Amina")
    code = re.search(r"JOIN ([A-Z0-9]{6})", created).group(1)
    before = await everything(new_uow)
    for line in ("HOW TO PAY M-Pesa\x00 0712", "NEW Fa\x00mily | 50 USD | 3 | monthly | 2026-12-01",
                 f"JOIN {code}\x00", "REJECT K7P2Q OTHER\x00", "TIMEZONE Nai\x00robi", "ORGANIZER To\x00m",
                 "PAID\x00"):
        assert await whatsapp.send(AMINA, line) == str(texts.UNSTORABLE), line
    assert await everything(new_uow) == before
    assert "called?" in await whatsapp.send(AMINA, "NEW")  # the guided setup asks for the name…
    asked = await everything(new_uow)
    assert await whatsapp.send(AMINA, "Fa\x00mily Fund") == str(texts.UNSTORABLE)  # …and waits for a usable one
    assert await everything(new_uow) == asked
    # Refused by the database (a MessageSid Twilio would never send): an input error, not an outage.
    answer = await whatsapp.post("/whatsapp/webhook", incoming(f"whatsapp:{AMINA}", "SUMMARY",
                                                              message_sid=new_sid("SM") + "\x00"))
    assert answer.status_code == 200 and str(texts.UNSTORABLE).split(";")[0] in answer.text
    assert str(texts.DATABASE_AWAY)[:20] not in answer.text
    assert await everything(new_uow) == asked
