"""Keeping the catalogs in step with the code, with Babel (what `pybabel extract/update/init` do):

    python -m handlers.catalogs           # extract every text into messages.pot, update each language
    python -m handlers.catalogs new de    # start a catalog for a new language (CLDR's plural rules)

Texts are found where the code marks them: `_()`, `N_()`, `ngettext()` and `pgettext()` in handlers/
and bot/. Nothing needs compiling: handlers/i18n.py compiles a catalog the first time it is spoken.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from handlers.i18n import DEFAULT, DOMAIN, LOCALES, supported

ROOT = LOCALES.parent.parent
SOURCES = ("handlers", "bot")
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
HEADER = """# Family ROSCA bot: what it says to families.
# Corrections are welcome: edit this file and open a pull request (README, Languages)."""


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every marked text in the code, with where it is used and the comment above it for translators."""
    template = Catalog(project="family-rosca-bot", header_comment=HEADER, fuzzy=False)
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
                ROOT / source, method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS,
                comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
            template.add(message, None, [(f"{source}/{filename}", lineno)], auto_comments=comments,
                         context=context)
    return template


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=language)


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, width=100, sort_output=False, include_previous=True)


def update() -> dict[str, int]:
    """Rewrite the template from the code and merge it into every language; untranslated counts."""
    template = extract()
    write(template, TEMPLATE)
    missing = {}
    for language in supported():
        if language == DEFAULT:
            continue
        catalog = read(po_path(language), language)
        catalog.update(template, no_fuzzy_matching=True)
        write(catalog, po_path(language))
        missing[language] = sum(1 for m in catalog if m.id and not _translated(m))
    return missing


def new(language: str) -> Path:
    """A catalog for `language` with every text still to translate, its plural rules from CLDR."""
    Locale.parse(language)  # refuses a code CLDR does not know
    catalog = Catalog(locale=language, project="family-rosca-bot", header_comment=HEADER, fuzzy=False)
    for message in read(TEMPLATE):
        if message.id:
            catalog.add(message.id, None, message.locations, auto_comments=message.auto_comments,
                        context=message.context)
    write(catalog, po_path(language))
    return po_path(language)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(strings) and all(strings) and not message.fuzzy


def main(argv: list[str]) -> None:
    if argv[:1] == ["new"] and len(argv) == 2:
        print(f"started {new(argv[1])}: translate it, then run python -m handlers.catalogs")
        return
    for language, count in update().items():
        print(f"{language}: {count} texts to translate" if count else f"{language}: complete")


if __name__ == "__main__":
    main(sys.argv[1:])
