"""The language catalogs (handlers/locales): every text the code marks is in the template, every
language translates every text with the same placeholders and all its plural forms, and each catalog
compiles and loads."""

from __future__ import annotations

import string

import pytest
from babel.messages.plurals import get_plural

from handlers import catalogs, i18n
from handlers.whatsapp import keywords

LANGUAGES = ("en", "am", "ar", "es", "fr", "pt", "sw")
TRANSLATED = [code for code in LANGUAGES if code != "en"]


def placeholders(text: str) -> set[str]:
    """'{name}', '{draw_hour:02d}': a translation keeps each name and its format."""
    return {field + (":" + spec if spec else "") for _, field, spec, _ in string.Formatter().parse(text)
            if field is not None}


class Anything:
    """A value for any placeholder, whatever its format ({n}, {draw_hour:02d})."""

    def __format__(self, spec: str) -> str:
        return "x"


def key(message) -> tuple[str | None, str]:
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def template_texts() -> dict[tuple[str | None, str], object]:
    return {key(m): m for m in catalogs.read(catalogs.TEMPLATE) if m.id}


def test_every_language_we_promise_has_a_catalog() -> None:
    assert set(LANGUAGES) <= set(i18n.supported())


def test_the_template_holds_every_text_the_code_marks() -> None:
    """Run `python -m handlers.catalogs` after changing a text: a text missing here would go untranslated."""
    in_code = {key(m) for m in catalogs.extract() if m.id}
    assert in_code == set(template_texts()), "run: python -m handlers.catalogs"


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalog_translates_every_text_with_the_same_placeholders(language: str) -> None:
    catalog = catalogs.read(catalogs.po_path(language), language)
    template = template_texts()
    translated = {key(m): m for m in catalog if m.id}
    assert set(template) - set(translated) == set(), "texts missing: run python -m handlers.catalogs"
    problems = []
    for text_key in template:
        message = translated[text_key]
        if message.fuzzy:
            problems.append(("fuzzy", text_key))
        if isinstance(message.id, str):
            if not message.string:
                problems.append(("untranslated", text_key))
            elif placeholders(message.string) != placeholders(message.id):
                problems.append(("placeholders", text_key, message.string))
            continue
        forms = list(message.string)
        if len(forms) != catalog.num_plurals or not all(forms):
            problems.append(("plural forms", text_key, catalog.num_plurals, forms))
            continue
        wanted = placeholders(message.id[0]) | placeholders(message.id[1])
        for form in forms:  # a form may spell out its number ("one more"), so {n} may be left out
            if not placeholders(form) <= wanted or not (wanted - {"n"}) <= placeholders(form):
                problems.append(("plural placeholders", text_key, form))
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalog_names_its_plural_rule_and_a_reviewer(language: str) -> None:
    catalog = catalogs.read(catalogs.po_path(language), language)
    cldr = get_plural(language)
    assert (catalog.num_plurals, catalog.plural_expr) == (cldr.num_plurals, cldr.plural_expr)
    assert catalog.language_team and "LL@li.org" not in catalog.language_team  # who can review it


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_compiled_catalog_loads_and_fills_every_text(language: str) -> None:
    i18n.reload()
    with i18n.speaking(language):
        assert i18n.current() == language
        for (context, msgid), message in template_texts().items():
            values = {name.split(":")[0]: Anything()
                      for name in placeholders(msgid if isinstance(message.id, str) else message.id[1])}
            if isinstance(message.id, str):
                text = i18n.pgettext(context, msgid) if context else i18n._(msgid)
                assert text and text.format_map(values)
            else:
                for n in (0, 1, 2, 3, 11, 100, 101):
                    others = {name: value for name, value in values.items() if name != "n"}
                    assert i18n.ngettext(message.id[0], message.id[1], n, **others)
    assert not {miss for miss in i18n.untranslated if miss[0] == language}


def test_right_to_left_values_stay_readable() -> None:
    with i18n.speaking("ar"):
        filled = i18n.fill("{name} — {amount}", {"name": "Tom", "amount": "KES 1,000"})
    assert filled == "\u2068Tom\u2069 — \u2068KES 1,000\u2069"
    with i18n.speaking("fr"):
        assert i18n.fill("{name}", {"name": "Tom"}) == "Tom"


def test_a_whatsapp_keyword_means_one_command_in_every_language() -> None:
    """WhatsApp understands every language's keywords at once, so no word may mean two commands."""
    i18n.reload()
    meanings: dict[str, set[str]] = {}
    for language in i18n.supported():
        for english in keywords.ENGLISH:
            word = keywords._folded(i18n.translations(language).pgettext(keywords.CONTEXT, english))
            meanings.setdefault(word, set()).add(english)
    assert {word: commands for word, commands in meanings.items() if len(commands) > 1} == {}
