"""LANGUAGE on WhatsApp: which language the bot writes to this person in. WhatsApp tells us nothing
about the phone's language, so the first guess comes from the number's country (handlers/i18n.py)."""

from __future__ import annotations

from typing import Any

from core.errors import InvalidPhone
from core.languages import choose_language
from core.phones import phone_region
from handlers import i18n
from handlers.i18n import N_
from handlers.whatsapp.texts import say

LANGUAGES = N_("I write to you in {language}. To change it, reply {LANGUAGE} and a number:\n{lines}")
NOT_A_LANGUAGE = N_("I don't know the language “{text}”. Reply {LANGUAGE} to see the ones I speak.")
CHOSEN = N_("Done: I'll write to you in {language}.")


async def cmd_language(talk: Any) -> list[str]:
    """LANGUAGE lists the languages, numbered; LANGUAGE 3, LANGUAGE sw or LANGUAGE Kiswahili chooses one."""
    languages = i18n.supported()
    if not talk.args:
        lines = "\n".join(f"{n}. {i18n.language_name(code)}" for n, code in enumerate(languages, start=1))
        return [say(LANGUAGES, language=i18n.language_name(i18n.current()), lines=lines)]
    code = pick(talk.args, languages)
    if code is None:
        return [say(NOT_A_LANGUAGE, text=talk.args[:40])]
    await choose_language(talk.change(), user_id=talk.user.id, language=code)
    i18n.speak(code)
    return [say(CHOSEN, language=i18n.language_name(code))]


def guessed(sender: str) -> str:
    """The language of a WhatsApp sender we know nothing else about: their number's country's."""
    try:
        return i18n.for_region(phone_region(sender.removeprefix("whatsapp:")))
    except InvalidPhone:
        return i18n.DEFAULT


def pick(text: str, languages: tuple[str, ...]) -> str | None:
    """A menu number, a code ('sw', 'pt-BR') or a name in the language itself or in English."""
    wanted = text.strip().casefold()
    if wanted.isdigit():
        return languages[int(wanted) - 1] if 1 <= int(wanted) <= len(languages) else None
    for code in languages:
        names = {code, i18n.language_name(code).casefold(), i18n.locale(code).english_name.casefold()}
        if wanted in names or i18n.best(wanted) == code != i18n.DEFAULT:
            return code
    return None
