"""WhatsApp's keywords (PAID, SUMMARY, MY CIRCLES, HOW TO PAY…) in every language the bot speaks.

WhatsApp has no slash commands: a member types a word. Each keyword is a text in the catalogs with the
context "whatsapp keyword", so a translator gives the word families would type in their language
("LIPA" for PAID, say); a keyword may be several words.

- `keyword("PAID")`: the keyword in the language spoken, for texts that tell someone what to send
  (those texts carry it in a placeholder written in capitals: "Reply {PAID} once you've paid.").
- `parse(body)`: the English command a message starts with, and the rest of it. English keywords are
  always understood, and so are the keywords of every language with a catalog (a Kenyan family may
  mix Swahili and English): neither case nor accents matter.

Commands are known by their English keyword everywhere else in the code (COMMANDS, menus kept in the
conversation state, logs).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from typing import Any

from handlers import i18n
from handlers.i18n import pgettext

CONTEXT = "whatsapp keyword"

with i18n.speaking(i18n.DEFAULT):  # only marks each keyword for the catalogs: English is the key
    ENGLISH: tuple[str, ...] = (
        # TRANSLATORS: a WhatsApp keyword: what members type to give a command (any case; it may be several
        # words). Use words families would type, each keyword different from the others
        pgettext("whatsapp keyword", "HELP"),
        pgettext("whatsapp keyword", "HELP ALL"),
        pgettext("whatsapp keyword", "COMMANDS"),
        pgettext("whatsapp keyword", "START"),
        pgettext("whatsapp keyword", "HI"),
        pgettext("whatsapp keyword", "HELLO"),
        pgettext("whatsapp keyword", "MENU"),
        pgettext("whatsapp keyword", "NEW"),
        pgettext("whatsapp keyword", "JOIN"),
        pgettext("whatsapp keyword", "CIRCLE"),
        pgettext("whatsapp keyword", "PAID"),
        # TRANSLATORS: an organizer records a member's payment: PAID FOR Tom
        pgettext("whatsapp keyword", "PAID FOR"),
        pgettext("whatsapp keyword", "CONFIRM"),
        pgettext("whatsapp keyword", "REJECT"),
        # TRANSLATORS: after REJECT <code>: less money arrived than claimed (SHORT 300)
        pgettext("whatsapp keyword", "SHORT"),
        # TRANSLATORS: after REJECT <code>: no money arrived
        pgettext("whatsapp keyword", "NOT RECEIVED"),
        # TRANSLATORS: after REJECT <code>: another reason
        pgettext("whatsapp keyword", "OTHER"),
        pgettext("whatsapp keyword", "DRAW"),
        # TRANSLATORS: DRAW ANYWAY draws before everyone's payment is confirmed
        pgettext("whatsapp keyword", "ANYWAY"),
        # TRANSLATORS: DRAW WITHOUT draws without the public random number when it can't be reached
        pgettext("whatsapp keyword", "WITHOUT"),
        pgettext("whatsapp keyword", "PAYOUT"),
        pgettext("whatsapp keyword", "RECEIVED"),
        pgettext("whatsapp keyword", "SUMMARY"),
        pgettext("whatsapp keyword", "HISTORY"),
        pgettext("whatsapp keyword", "VERIFY"),
        pgettext("whatsapp keyword", "FAIR"),
        pgettext("whatsapp keyword", "MY CIRCLES"),
        pgettext("whatsapp keyword", "BEGIN"),
        pgettext("whatsapp keyword", "LEAVE"),
        pgettext("whatsapp keyword", "CANCEL"),
        pgettext("whatsapp keyword", "TIMEZONE"),
        pgettext("whatsapp keyword", "ORGANIZER"),
        pgettext("whatsapp keyword", "STEP DOWN"),
        pgettext("whatsapp keyword", "HOW TO PAY"),
        pgettext("whatsapp keyword", "ORDER"),
        pgettext("whatsapp keyword", "VOTE"),
        # TRANSLATORS: VOTE END proposes ending the circle
        pgettext("whatsapp keyword", "END"),
        pgettext("whatsapp keyword", "YES"),
        pgettext("whatsapp keyword", "NO"),
        pgettext("whatsapp keyword", "LANGUAGE"),
        # TRANSLATORS: STATEMENT sends the circle's whole record as a PDF; STATEMENT CSV a spreadsheet
        pgettext("whatsapp keyword", "STATEMENT"),
    )


def keyword(english: str) -> str:
    """The keyword `english` ("PAID", "MY CIRCLES") as families type it in the language spoken."""
    return i18n.pgettext(CONTEXT, english) if english in ENGLISH else english


def _folded(text: str) -> str:
    """Single spaces, no case and no accents: phones make accents awkward, so "nao" is "NÃO"."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.cache
def _table(languages: tuple[str, ...]) -> dict[str, str]:
    """Every language's keywords (case folded, single spaces) → the English keyword; English wins a clash."""
    table: dict[str, str] = {}
    for language in reversed(languages):  # English (first) last, so it keeps its own words
        for english in ENGLISH:
            local = i18n.translations(language).pgettext(CONTEXT, english)
            if local.strip():
                table[_folded(local)] = english
    return table


def known() -> Mapping[str, str]:
    """Keywords in every supported language, built the first time they are needed."""
    return _table(i18n.supported())


def english(words: str, table: Mapping[str, str] | None = None) -> str | None:
    """The English keyword `words` is in any language we speak ("lipa" → "PAID"), or None (`table`:
    known(), when looking up many words)."""
    return (known() if table is None else table).get(_folded(words))


def parse(body: str) -> tuple[str, str]:
    """The English command a message starts with, and the rest: 'lipa 500' → ('PAID', '500'),
    'my circles' → ('MY CIRCLES', ''). A first word that is no keyword comes back in capitals
    (a menu number, an English command's other spelling, or a word to suggest a command for)."""
    text = body.strip().lstrip("/")
    table = known()
    longest = max((k.count(" ") + 1 for k in table), default=1)
    for n in range(longest, 0, -1):
        parts = text.split(maxsplit=n)
        if len(parts) >= n and (command := table.get(_folded(" ".join(parts[:n])))):
            return command, parts[n].strip() if len(parts) > n else ""
    parts = text.split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].upper(), parts[1].strip() if len(parts) > 1 else ""


class Filled(dict):
    """Placeholder values for a text that names keywords: a {CAPITALS} placeholder not given is the
    keyword in the language spoken ({MY_CIRCLES} → "MY CIRCLES" in English)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        word = key.replace("_", " ")
        if key.isupper() and word in ENGLISH:
            return keyword(word)
        raise KeyError(key)
