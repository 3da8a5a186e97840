"""Transcript, in every language: a family runs a whole circle in its Telegram group, with one member on
WhatsApp, all speaking one language. Nothing may fall back to English: no text is missing from the
language's catalog, no English words slip through, and Amharic and Arabic read in their own scripts.
The family taps buttons and types keywords in their language; the test finds buttons by what they do,
not by their (translated) labels."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from handlers import i18n
from handlers.telegram.registry import publish_menus
from handlers.whatsapp.keywords import keyword
from tests.channels.driver import buttons
from tests.channels.updates import Person

LANGUAGES = ("en", "sw", "am", "fr", "es", "ar", "pt")
SCRIPTS = {"am": re.compile("[\u1200-\u137f]"), "ar": re.compile("[\u0600-\u06ff]")}
# Words of the English texts that no other language here shares; names in this test avoid them.
ENGLISH = re.compile(r"\b(the|your|you|you're|is|was|with|have|for|and|to|of|paid|members?|receives?)\b",
                     re.IGNORECASE)
COMMAND = re.compile(r"/[a-z]+")
AMINA = "+12025550143"  # WhatsApp; a US number, so the first guess is English until she chooses


def data(message: dict, prefix: str) -> str:
    return next(d for d in buttons(message).values() if d and d.startswith(prefix))


def newest_with(messages: list[dict], prefix: str) -> dict:
    return next(m for m in reversed(messages) if any(d and d.startswith(prefix) for d in buttons(m).values()))


def words(language: str, english: str) -> str:
    with i18n.speaking(language):
        return keyword(english)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_family_runs_a_whole_circle_in_its_language(bot, whatsapp, engine, language):
    i18n.untranslated.clear()
    grace = Person(3001, "Grace", None, "grace", "+254700003001", language)
    tom = Person(3002, "Tom", None, "tom", "+254700003002", language)
    for person in (grace, tom):
        await bot.register(person)
    await bot.private(tom, "/language")
    choices = bot.tg.last_to(tom.id)
    assert len(buttons(choices)) == len(LANGUAGES)
    await bot.press(tom, choices, f"lang:{language}")
    await whatsapp.send(AMINA, f"LANGUAGE {language}", name="Amina")

    created = await bot.say(grace, "/newcircle Mfuko | 50 USD | 3 | monthly | 2026-12-01")
    code = re.search(r"\b[A-Z0-9]{6}\b", created).group(0)
    await bot.say(tom, "/join")
    await whatsapp.send(AMINA, f"{words(language, 'JOIN')} {code}")
    await bot.say(grace, "/summary")
    await whatsapp.send(AMINA, words(language, "HELP"))

    for _cycle in (1, 2, 3):
        for person in (grace, tom):
            await bot.say(person, "/paid")  # answered in the group with Confirm / Reject
            post = newest_with(bot.tg.messages_to(bot.group), "pay:ok:")
            await bot.press(grace, post, data(post, "pay:ok:"))
        await whatsapp.send(AMINA, words(language, "PAID"))  # the organizer hears it privately
        notice = newest_with(bot.tg.messages_to(grace.id), "pay:ok:")
        await bot.press(grace, notice, data(notice, "pay:ok:"))
        await bot.say(grace, "/draw")
        before = len(bot.tg.sent)
        await bot.say(grace, "/payout")
        handed = newest_with(bot.tg.sent[before:], "ack:")
        for person in (tom, grace):  # only the receiver's tap counts; the other hears who can
            await bot.press(person, handed, data(handed, "ack:"))
        await whatsapp.send(AMINA, words(language, "RECEIVED"))
    await bot.say(grace, "/history")
    await bot.private(tom, "/mycircles")
    await whatsapp.send(AMINA, words(language, "SUMMARY"))
    await publish_menus(bot.app.bot)

    async with engine.connect() as conn:
        status = await conn.scalar(text("SELECT status FROM circles WHERE name = 'Mfuko'"))
    assert status == "COMPLETED"  # the whole circle ran
    assert not {msgid for lang, msgid in i18n.untranslated if lang == language}
    said = [m["text"] for m in bot.tg.sent if m.get("text")] + [a.get("text", "") for a in bot.tg.callback_answers]
    said = [t for t in said + whatsapp.inbox(AMINA) if any(ch.isalpha() for ch in t)]
    assert len(said) > 50
    menus = [c.params for c in bot.tg.calls if c.method == "setMyCommands"
             and c.params.get("language_code") == (None if language == "en" else language)]
    assert len(menus) == 2  # one for groups, one for private chats
    if language == "en":
        return
    script = SCRIPTS.get(language)
    for said_text in said + [c["description"] for m in menus for c in m["commands"]]:
        plain = COMMAND.sub("", said_text)  # /paid is a command's name in every language
        assert not ENGLISH.search(plain), said_text
        if script is not None:
            assert script.search(plain), said_text


async def test_organizers_choose_the_groups_language_and_its_card_follows(bot):
    grace, tom = Person(3101, "Grace", phone="+254700003101"), Person(3102, "Tom", phone="+254700003102")
    for person in (grace, tom):
        await bot.register(person)
    await bot.say(grace, "/newcircle Mfuko | 50 USD | 2 | monthly | 2026-12-01")
    await bot.say(tom, "/join")  # full: it starts, and the group gets its status card
    english_card = bot.card()
    await bot.say(tom, "/language")
    choices = bot.last_in_group()
    refused, _ = await bot.press(tom, choices, "lang:fr")
    assert "Grace" in refused and "organizer" in refused and "/language" in refused  # who can, and what Tom can do
    _, sent = await bot.press(grace, choices, "lang:fr")
    assert "Français" in sent[0]["text"] and not ENGLISH.search(sent[0]["text"])
    await bot.dispatcher.drain()
    card = [m for m in bot.tg.messages_to(bot.group) if m.get("edited")][-1]["text"]  # edited in place
    assert card.startswith("📌") and card != english_card and not ENGLISH.search(card)
    summary = await bot.say(tom, "/summary")
    assert summary and not ENGLISH.search(COMMAND.sub("", summary))
    assert ENGLISH.search(await bot.private(grace, "/help"))  # her own chat keeps her language
    assert not ENGLISH.search(COMMAND.sub("", await bot.say(grace, "/help")))  # the group still speaks French


async def test_whatsapp_guesses_from_the_number_and_language_changes_it(whatsapp):
    ethiopian, kenyan = "+251911000001", "+254700003201"
    first = await whatsapp.send(ethiopian, "HI", name="Abebe")
    assert SCRIPTS["am"].search(first) and not ENGLISH.search(first)
    assert "Hi!" in await whatsapp.send(kenyan, "HI", name="Wanjiru")  # English is official there too
    listing = await whatsapp.send(kenyan, "LANGUAGE")
    assert "1. English" in listing and "Kiswahili" in listing and "አማርኛ" in listing and "العربية" in listing
    chosen = await whatsapp.send(kenyan, "language kiswahili")
    assert "Kiswahili" in chosen and not ENGLISH.search(chosen)
    assert not ENGLISH.search(await whatsapp.send(kenyan, words("sw", "HELP")))
    assert "English" in await whatsapp.send(kenyan, f"{words('sw', 'LANGUAGE')} 1")
    assert "Hi!" in await whatsapp.send(kenyan, "HELP")
    assert "don't know the language" in await whatsapp.send(kenyan, "LANGUAGE klingon")
