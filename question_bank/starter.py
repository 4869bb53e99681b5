"""The starter question sets bundled as package data (question_bank/starter/*.json)."""
from __future__ import annotations

from importlib import resources

from .formats import jsonfmt
from .schema import QuestionData


def starter_sets() -> list[tuple[str, list[QuestionData]]]:
    """(set name, questions) per bundled file, sorted by file name.

    A broken bundled file is a packaging bug, so its QuestionBankError propagates.
    """
    folder = resources.files("question_bank") / "starter"
    out: list[tuple[str, list[QuestionData]]] = []
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".json")), key=lambda e: e.name)
    for entry in entries:
        result = jsonfmt.read(entry.read_bytes().decode("utf-8-sig"), entry.name)
        out.append((result.set_name or entry.name[:-5], result.questions))
    return out
