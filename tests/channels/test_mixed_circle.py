"""Transcript: a circle made on WhatsApp, with a relative on Telegram who has no group chat: every
member hears every step on their own app and acts from where they are."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.channels.driver import buttons
from tests.channels.updates import Person

TOM = Person(9101, "Tom", None, "tom", "+254700009101")  # Telegram, private chat only
AMINA, JOSEPH = "+254700009111", "+254700009112"  # WhatsApp; Amina organizes
HEX_64 = re.compile(r"\b[0-9a-f]{64}\b")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)


async def test_whatsapp_organizer_and_a_telegram_private_member_run_a_circle_to_completion(bot, whatsapp):
    assert "What should it be called?" in await whatsapp.send(AMINA, "NEW", name="Amina")
    await whatsapp.send(AMINA, "Chama")
    await whatsapp.send(AMINA, "20 USD")
    await whatsapp.send(AMINA, "3")
    await whatsapp.send(AMINA, "3")  # monthly
    await whatsapp.send(AMINA, "2026-12-07")
    assert "Here's your circle" in await whatsapp.send(AMINA, "1")  # the review
    created = await whatsapp.send(AMINA, "1")  # create
    code = created.split("JOIN ")[1].split(" ")[0]
    assert "You joined" in await whatsapp.send(JOSEPH, f"join {code}", name="Joseph")
    await bot.register(TOM)
    joined = await bot.private(TOM, f"/join {code}")
    assert "You're in “Chama”" in joined and "Cycle 1 of “Chama” is open" in joined  # heard privately

    receivers = []
    for cycle in (1, 2, 3):
        opened = next(m for m in reversed(bot.tg.messages_to(TOM.id))
                      if f"Cycle {cycle} of “Chama” is open" in m["text"])
        for phone in (JOSEPH, AMINA):
            assert any(f"Cycle {cycle} of “Chama” is open" in t for t in whatsapp.inbox(phone))
        toast, _ = await bot.press(TOM, opened, next(d for label, d in buttons(opened).items()
                                                     if label.startswith("I've paid")))
        assert toast == "Noted — the organizers will confirm."
        assert "Tom says they paid USD 20" in whatsapp.inbox(AMINA)[-1]
        assert "confirmed by Amina" in await whatsapp.send(AMINA, "CONFIRM Tom")
        assert bot.tg.last_to(TOM.id)["text"].startswith(f"✅ Amina confirmed your USD 20 for cycle {cycle} of “Chama”")
        for phone, name in ((JOSEPH, "Joseph"), (AMINA, "Amina")):
            await whatsapp.send(phone, "PAID")
            await whatsapp.send(AMINA, f"CONFIRM {name}")
        assert any(f"Everyone in “Chama” is confirmed for cycle {cycle}" in t for t in whatsapp.inbox(AMINA)[-2:])

        drawn = await whatsapp.send(AMINA, "DRAW")
        heard = bot.tg.last_to(TOM.id)["text"]
        assert "receives the pot" in drawn and "receives the pot" in heard and "receives the pot" in \
            whatsapp.inbox(JOSEPH)[-1]
        await whatsapp.send(AMINA, "PAYOUT")
        handed = next(m for m in reversed(bot.tg.messages_to(TOM.id)) if "was handed to" in m["text"])
        assert f"The cycle {cycle} pot of USD 60 was handed to" in handed["text"]
        receiver = handed["text"].split("handed to ")[1].split(".")[0]
        receivers.append(receiver)
        if receiver == "Tom":  # only the receiver's copy can be acknowledged
            toast, _ = await bot.press(TOM, handed, buttons(handed)["🙏 I received it"])
            assert toast == "Thank you!"
            assert any("Tom confirmed receiving" in t for t in whatsapp.inbox(AMINA)[-2:])
        else:
            assert buttons(handed) == {}
            phone = AMINA if receiver == "Amina" else JOSEPH
            assert "Thank you! Recorded that you received" in await whatsapp.send(phone, "RECEIVED")
            assert any(f"{receiver} confirmed receiving" in m["text"] for m in bot.tg.messages_to(TOM.id)[-2:])
    assert sorted(receivers) == ["Amina", "Joseph", "Tom"]
    assert any("is complete: every member received the pot once" in t for t in bot.tg.texts_to(TOM.id)[-2:])
    # Plain words: in the whole everyday flow, on both apps, no hash and no id.
    everything = [m.get("text", "") for m in bot.tg.sent] + [m["body"] for m in whatsapp.twilio.sent]
    assert len(everything) > 60 and not [t for t in everything if HEX_64.search(t) or UUID.search(t)]


async def test_a_member_who_joined_a_group_circle_by_code_hears_it_privately(bot):
    """Baraka isn't in the family's Telegram group: he joined privately with the code. The circle's
    announcements reach him in his private chat (and only him: Tom, in the group, gets no copies)."""
    grace, baraka = Person(9201, "Grace", None, "grace", "+254700009201"), Person(9203, "Baraka", None, None,
                                                                                 "+254700009203")
    for person in (grace, TOM, baraka):
        await bot.register(person)
    created = await bot.say(grace, "/newcircle Fund | 20 USD | 3 | weekly | 2026-12-02")
    code = created.split("join code ")[1].split(")")[0]
    await bot.say(TOM, "/join")
    assert "I'll tell you here when each cycle opens" in await bot.private(baraka, f"/join {code}")
    opened = bot.tg.last_to(baraka.id)
    assert opened["text"].startswith("🔔 Cycle 1 of “Fund” is open")
    assert not [m for m in bot.tg.messages_to(TOM.id) if "is open" in m.get("text", "")]
    toast, _ = await bot.press(baraka, opened, next(d for label, d in buttons(opened).items()
                                                    if label.startswith("I've paid")))
    assert toast == "Noted — the organizers will confirm."
    post = next(m for m in reversed(bot.tg.messages_to(grace.id)) if m["text"].startswith("💸 Baraka says"))
    await bot.press(grace, post, buttons(post)["✅ Confirm"])
    assert bot.tg.last_to(baraka.id)["text"].startswith("✅ Grace confirmed your USD 20")
    await bot.say(grace, "/draw anyway")
    assert "receives the pot" in bot.tg.last_to(baraka.id)["text"]
    assert "▫️ Tom" in bot.card() and "✅ Baraka" in bot.card()


async def test_whatsapp_organizer_telegram_group_and_telegram_private_members_in_one_circle(bot, whatsapp, clock):
    """Amina organizes on WhatsApp; her co-organizer Tom brings the circle into the family's Telegram
    group, where Baraka joins with a tap; Zawadi, not in the group, joined privately by code. Everyone
    hears every step on their own app and acts from where they are, to the end."""
    baraka, zawadi = Person(9302, "Baraka", None, None, "+254700009302"), Person(9303, "Zawadi", None, None,
                                                                                 "+254700009303")
    created = await whatsapp.send(AMINA, "NEW Chama | 20 USD | 4 | monthly | 7 Dec", name="Amina")
    code = re.search(r"JOIN (\w{6})", created).group(1)
    for person in (TOM, baraka, zawadi):
        await bot.register(person)
    clock.now += timedelta(seconds=1)
    await bot.private(TOM, f"/join {code}")
    assert "Amina made Tom an organizer of “Chama”" in await whatsapp.send(AMINA, "ORGANIZER Tom")
    refused = await bot.say(baraka, f"/join {code}")
    assert "Only Amina or Tom (organizers) can bring the circle into this group." in refused
    brought = await bot.say(TOM, f"/join {code}")
    assert "Tom brought “Chama” into this group" in brought and "2 of 4 seats taken" in brought
    clock.now += timedelta(seconds=1)
    toast, _ = await bot.press(baraka, bot.last_in_group(), buttons(bot.last_in_group())["🙋 Join"])
    assert toast == "You're in “Chama”! 👋"
    clock.now += timedelta(seconds=1)
    await bot.private(zawadi, f"/join {code}")  # the last seat: the circle starts
    assert "Cycle 1 of 4" in bot.card()

    receivers = []
    for cycle in range(1, 5):
        heard = f"Cycle {cycle} of “Chama” is open"
        opened = next(m for m in reversed(bot.tg.messages_to(bot.group)) if heard in m.get("text", ""))
        private = next(m for m in reversed(bot.tg.messages_to(zawadi.id)) if heard in m.get("text", ""))
        assert any(heard in t for t in whatsapp.inbox(AMINA))
        for person, post in ((baraka, opened), (TOM, opened), (zawadi, private)):
            paid = next(d for label, d in buttons(post).items() if label.startswith("I've paid"))
            assert (await bot.press(person, post, paid))[0] == "Noted — the organizers will confirm."
        await whatsapp.send(AMINA, "PAID")
        for name in ("Baraka", "Tom", "Zawadi", "Amina"):
            assert "confirmed by Amina" in await whatsapp.send(AMINA, f"CONFIRM {name}")
        assert "receives the pot" in await whatsapp.send(AMINA, "DRAW")
        for chat in (bot.group, zawadi.id):
            assert "receives the pot" in bot.tg.last_to(chat)["text"] or any(
                "receives the pot" in m.get("text", "") for m in bot.tg.messages_to(chat)[-3:])
        await whatsapp.send(AMINA, "PAYOUT")
        receiver = re.search(r"was handed to (\w+)", whatsapp.inbox(AMINA)[-1] + "\n".join(
            m.get("text", "") for m in bot.tg.messages_to(bot.group)[-3:])).group(1)
        receivers.append(receiver)
        if receiver == "Amina":
            assert "Thank you! Recorded that you received" in await whatsapp.send(AMINA, "RECEIVED")
        else:
            where = zawadi.id if receiver == "Zawadi" else bot.group
            handed = next(m for m in reversed(bot.tg.messages_to(where)) if "🙏 I received it" in buttons(m))
            person = {"Tom": TOM, "Baraka": baraka, "Zawadi": zawadi}[receiver]
            toast, _ = await bot.press(person, handed, buttons(handed)["🙏 I received it"])
            assert toast == "Thank you!"
    assert sorted(receivers) == ["Amina", "Baraka", "Tom", "Zawadi"]
    assert "Complete" in bot.card()
    assert any("is complete" in t for t in whatsapp.inbox(AMINA)[-3:])
    assert any("is complete" in m.get("text", "") for m in bot.tg.messages_to(zawadi.id)[-3:])
