"""The English catalog covers every Vietnamese string of the code and templates (extracted afresh)."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2),
            "lazy_ngettext": (1, 2)}


def _source_messages() -> set[str]:
    found = set()
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_string_has_an_english_translation():
    with open(ROOT / "quiz/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    translated = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and all(strings) and "fuzzy" not in message.flags:
            translated.add(message.id[0] if isinstance(message.id, tuple) else message.id)
    missing = sorted(_source_messages() - translated)
    assert len(_source_messages()) > 500
    assert not missing, f"{len(missing)} strings without English (run make translations-update): {missing[:10]}"
