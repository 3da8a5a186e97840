"""Who hears which words: the gettext catalogs under handlers/locales, and the language being spoken.

Every text either channel sends is a msgid in `messages.pot`, translated in `locales/<lang>/LC_MESSAGES/
messages.po`. Catalogs are compiled in memory the first time a language is spoken, so there is no
build step and a read-only install works. A language is supported when its catalog exists: adding
one is adding a `.po` file, nothing else (its name, plural rules and script direction come from CLDR
through Babel).

The language spoken is a context variable: a handler speaks the language of the chat it answers (a
person's own in private, the circle's in a group), and the outbox speaks each recipient's. Texts
defined at import time are marked with `N_` and translated when they are used, in whatever language
is spoken then.

Inside right-to-left text, each value put into a placeholder is wrapped in Unicode isolates, so a Latin
name or an amount such as "KES 1,000" keeps its own direction instead of being scrambled by the
sentence around it.
"""

from __future__ import annotations

import contextlib
import functools
import gettext as _gettext
import io
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from core.money import format_amount

LOCALES = Path(__file__).with_name("locales")
DOMAIN = "messages"
DEFAULT = "en"  # the language the msgids are written in
_speaking: ContextVar[str] = ContextVar("language", default=DEFAULT)
_FSI, _PDI = "\u2068", "\u2069"  # first-strong isolate, pop directional isolate


@functools.cache
def supported() -> tuple[str, ...]:
    """The languages with a catalog, English first, then by code (looked up once per process)."""
    found = {p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return (DEFAULT, *sorted(found - {DEFAULT}))


def best(*candidates: str | None) -> str:
    """The first candidate we speak: 'pt-BR' and 'pt_BR' find Portuguese; nothing found, English."""
    languages = supported()
    for candidate in candidates:
        code = (candidate or "").replace("-", "_").split("_")[0].lower()
        if code in languages:
            return code
    return DEFAULT


def for_region(region: str | None) -> str:
    """The language we guess for a phone from its country (WhatsApp has no language setting): the
    country's first official language we speak, but English where English is official too (Kenya,
    Nigeria, Cameroon...), as the services people there already use default to it. LANGUAGE changes it."""
    official = get_official_languages(region.upper(), de_facto=True) if region else ()
    return DEFAULT if DEFAULT in official else best(*official, DEFAULT)


def current() -> str:
    return _speaking.get()


@contextlib.contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Texts inside the block are in `language` (or the nearest we speak)."""
    token = _speaking.set(best(language))
    try:
        yield _speaking.get()
    finally:
        _speaking.reset(token)


def speak(language: str | None) -> None:
    """For the rest of this task (one update's handling), texts are in `language`."""
    _speaking.set(best(language))


def reload() -> None:
    """Forget what was read from the catalogs (after they change on disk: tests, handlers.catalogs)."""
    supported.cache_clear()
    translations.cache_clear()
    untranslated.clear()


@functools.cache
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalog, or none for English (its msgids are the English text)."""
    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    translated = _gettext.GNUTranslations(compiled)
    translated.add_fallback(_Untranslated(language))
    return translated


class _Untranslated(_gettext.NullTranslations):
    """Where a catalog lacks a text: English is said, and the text is noted in `untranslated` (tests
    check that a whole circle's conversation leaves it empty in every language)."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def gettext(self, message: str) -> str:
        untranslated.add((self.language, message))
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        untranslated.add((self.language, singular))
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        untranslated.add((self.language, message))
        return message


untranslated: set[tuple[str, str]] = set()  # (language, msgid) said in English for want of a translation


@functools.cache
def locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT)


def right_to_left(language: str | None = None) -> bool:
    return locale(language or current()).text_direction == "rtl"


def language_name(language: str) -> str:
    """The language's name in itself: 'Kiswahili', 'አማርኛ', 'العربية'."""
    name = locale(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


class _Isolated(dict):
    """Placeholder values for a right-to-left sentence, each in its own directional isolate."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__()
        self._values = values

    def __missing__(self, key: str) -> Any:
        value = self._values[key]
        return f"{_FSI}{value}{_PDI}" if isinstance(value, str) else value


def fill(text: str, values: Mapping[str, Any]) -> str:
    """`text.format_map(values)`, keeping each value readable when the language reads right to left."""
    return text.format_map(_Isolated(values) if right_to_left() else values)


def _(message: str, **values: Any) -> str:
    """`message` in the language spoken, its placeholders filled from `values` (if any)."""
    text = translations(current()).gettext(message)
    return fill(text, values) if values else text


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    """The plural form CLDR picks for `n` in the language spoken; `n` is also the placeholder {n}."""
    text = translations(current()).ngettext(singular, plural, n)
    return fill(text, {"n": n, **values})


def pgettext(context: str, message: str) -> str:
    """`message` in the sense `context` gives it (a keyword, a button, as opposed to a sentence)."""
    return translations(current()).pgettext(context, message)


class N_:  # noqa: N801 - gettext's conventional name for "translate later"
    """A text defined at import time and translated where it is used, in the language spoken then.
    It is not a str on purpose: passing one to a channel without translating it fails loudly in tests
    instead of sending English."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return _(self.message)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __add__(self, other: object) -> str:
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, N_) and other.message == self.message

    def __hash__(self) -> int:
        return hash(self.message)

    def __repr__(self) -> str:
        return f"N_({self.message!r})"

    def format(self, *args: Any, **values: Any) -> str:
        if args:
            raise TypeError("texts take named placeholders only")
        return fill(str(self), values)

    def format_map(self, values: Mapping[str, Any]) -> str:
        return fill(str(self), values)


def money(minor: int, currency: str) -> str:
    """An amount for the reader: 'KES 1,000' in English, 'KES 1 000' in French, digits as CLDR has them."""
    return format_amount(minor, currency, locale=current())

