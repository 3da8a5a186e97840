"""WhatsApp keywords in every language: a keyword translated in a catalog is understood as its English
command, and texts that name a command (through words() or a {KEYWORD} placeholder) write the keyword of
the language spoken. The catalog is a temporary one, so the real ones under handlers/locales are untouched."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from handlers import i18n
from handlers.whatsapp import commands, keywords, texts

SWAHILI = {"PAID": "LIPA", "MY CIRCLES": "Vikundi Vyangu", "PAID FOR": "LIPA KWA", "CONFIRM": "THIBITISHA",
           "SHORT": "PUNGUFU", "HELP": "MSAADA"}


def _forget() -> None:
    """Catalogs are read once and kept: forget them when LOCALES changes."""
    for cached in (i18n.translations, i18n.supported, keywords._table):
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()


@pytest.fixture
def swahili(tmp_path, monkeypatch):
    catalog = Catalog(locale="sw")
    for english, local in SWAHILI.items():
        catalog.add(english, local, context=keywords.CONTEXT)
    path = tmp_path / "sw" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as po:
        write_po(po, catalog)
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    _forget()
    yield
    monkeypatch.undo()
    _forget()
    i18n.untranslated.difference_update({m for m in i18n.untranslated if m[0] == "sw"})


def test_a_translated_keyword_is_its_english_command(swahili):
    assert i18n.supported() == ("en", "sw")
    assert commands._command("lipa 500") == ("PAID", "500")
    assert commands._command("  vikundi   VYANGU ") == ("MY CIRCLES", "")
    assert commands._command("Lipa kwa Tom 300") == ("PAID FOR", "Tom 300")
    assert commands._command("/msaada") == ("HELP", "")
    # English keywords are understood whatever the language spoken, as before.
    with i18n.speaking("sw"):
        assert commands._command("PAID 500") == ("PAID", "500")
        assert commands._command("my circles") == ("MY CIRCLES", "")
        assert commands._command("how to pay Send to 0700") == ("HOW TO PAY", "Send to 0700")
    # Not a keyword: the first word in capitals, for the menu or "Did you mean".
    assert commands._command("sumary please") == ("SUMARY", "please")
    # A reason after REJECT, in Swahili, is read as the English one handlers/parsing.py knows.
    assert commands._english_reason("K7P2Q pungufu 300") == "K7P2Q SHORT 300"
    assert commands._english_reason("K7P2Q short 300") == "K7P2Q short 300"


def test_texts_write_the_keyword_of_the_language_spoken(swahili):
    assert texts.words("Send /paid, /mycircles or /summary.") == "Send PAID, MY CIRCLES or SUMMARY."
    assert texts.say(texts.PAY_HINT) == "Reply PAID once you've paid."
    with i18n.speaking("sw"):
        # SUMMARY has no Swahili keyword in this catalog: the English one is said.
        assert texts.words("Send /paid, /mycircles or /summary.") == "Send LIPA, Vikundi Vyangu or SUMMARY."
        assert "Reply LIPA once you've paid." == texts.say(texts.PAY_HINT)  # the sentence isn't translated here
        assert "\n1. LIPA — I've paid KES 500\n" in texts.menu("Lead", ["PAID", "HELP ALL"], "KES 500")
        assert "LIPA KWA Tom" in texts.say(texts.PAID_FOR_USAGE)
        assert "Send MSAADA to see your choices" in texts.say(texts.UNKNOWN)


def test_english_is_unchanged_without_catalogs(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    _forget()
    try:
        assert texts.words("/paid /mycircles /howtopay /stepdown /start /newcircle /cancelcircle /remove") == (
            "PAID MY CIRCLES HOW TO PAY STEP DOWN HELP NEW CANCEL REMOVE")
        assert commands._command("STEP DOWN") == ("STEP DOWN", "")
        assert commands._command("stepdown") == ("STEPDOWN", "")
        assert commands._command("help all") == ("HELP ALL", "")
        assert "• PAID [amount]" in texts.help_all() and "DRAW [anyway]" in texts.help_all()
    finally:
        monkeypatch.undo()
        _forget()
