"""Adding a language is adding one catalog: no code changes. Here German arrives as a copy of the
locales folder plus `de`'s messages.po (started with `python -m handlers.catalogs new de` and filled
in), and every part of the bot that offers or speaks languages takes it up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from handlers import catalogs, i18n
from handlers.telegram import language as telegram_language


@pytest.fixture
def locales_with_german(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    locales = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES, locales)
    monkeypatch.setattr(i18n, "LOCALES", locales)
    monkeypatch.setattr(catalogs, "LOCALES", locales)
    monkeypatch.setattr(catalogs, "TEMPLATE", locales / catalogs.TEMPLATE.name)
    started = catalogs.new("de")
    catalog = catalogs.read(started, "de")
    for message in catalog:
        if message.id and isinstance(message.id, str):
            message.string = "DE " + message.id
        elif message.id:
            message.string = ["DE " + message.id[0], "DE " + message.id[1]]
    catalogs.write(catalog, started)
    i18n.reload()
    yield locales
    monkeypatch.undo()  # the real catalogs again
    i18n.reload()


def test_a_new_catalog_is_a_new_language(locales_with_german: Path) -> None:
    assert "de" in i18n.supported()
    assert i18n.best("de-AT") == "de" and i18n.language_name("de") == "Deutsch"
    with i18n.speaking("de"):
        assert i18n._("I speak {language} with you. Choose another:", language="Deutsch") == \
            "DE I speak Deutsch with you. Choose another:"
        assert i18n.ngettext("{n} more", "{n} more", 3) == "DE 3 more"
    labels = [b.text for row in telegram_language.choices("de").inline_keyboard for b in row]
    assert "✓ Deutsch" in labels and "English" in labels


def test_the_catalog_tool_keeps_the_new_language_in_step(locales_with_german: Path) -> None:
    assert catalogs.update()["de"] == 0  # every text translated, and still so after extracting again
