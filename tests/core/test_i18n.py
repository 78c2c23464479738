from __future__ import annotations

import gettext
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "payesh" / "locale"


def _catalog():  # type: ignore[no-untyped-def]
    with (LOCALE / "fa" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle, locale="fa")


def test_every_persian_message_is_translated_and_not_fuzzy() -> None:
    missing = []
    for message in _catalog():
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(message.id)
    assert missing == []


def test_compiled_catalog_matches_the_po_file() -> None:
    """The .mo is committed; it must be compiled from the current .po (`make messages`)."""
    with (LOCALE / "fa" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in _catalog():
        if message.id and isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, message.id
