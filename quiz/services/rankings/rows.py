"""The rows of a ranking, and their one public shape.

`IndividualRow` and `UnitRow` are what the pipeline computes; `row_dict()` turns either into the
JSON-able dict every reader gets — a published snapshot's payload stores exactly these dicts,
and the current readings of `rankings.read` build the same ones, so a page or an export cannot
tell (nor show) the difference. Internal ids (`attempt_id`, `unit_id`) stay out; identities are
masked unless an organizer reads. What each reader shows of such a dict (the API's rows, the
board's) is written at the end, once.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from decimal import Decimal

from ..identity import mask_identity


@dataclass
class IndividualRow:
    rank: int
    attempt_id: int
    participant_id: int
    full_name: str
    identity: str  # FULL: pages and public exports mask it
    unit_code: str | None
    unit_name: str
    correct_count: int
    score: int
    max_score: int
    score_pct: float
    prediction: Decimal | None
    prediction_error: Decimal | None
    duration_ms: int
    submitted_at: datetime

    def to_dict(self) -> dict:
        """Every field as computed (tests compare these); readers get `row_dict`."""
        return asdict(self)


@dataclass
class UnitRow:
    rank: int | None  # None when flagged
    unit_id: int
    code: str
    name: str
    parent_code: str | None
    depth: int
    headcount: int | None
    participants: int
    participation_rate: float | None  # 0..1, capped at 1
    mean_score_pct: float | None
    emulation_score: float | None
    is_flagged: bool  # no headcount: listed, not ranked on rate

    def to_dict(self) -> dict:
        """Every field as computed (tests compare these); readers get `row_dict`."""
        return asdict(self)


_INTERNAL = {"attempt_id", "unit_id"}
_SHOWN = {cls: tuple(f.name for f in fields(cls) if f.name not in _INTERNAL) for cls in (IndividualRow, UnitRow)}


def row_dict(row: IndividualRow | UnitRow, *, masked: bool = True) -> dict:
    """The row as a JSON-able dict: decimals as exact strings, times in ISO 8601, the identity
    masked unless `masked=False` (organizers)."""
    out = {}
    for name in _SHOWN[type(row)]:
        value = getattr(row, name)
        if name == "identity" and masked:
            value = mask_identity(value)
        elif isinstance(value, Decimal):
            value = format(value, "f")
        elif isinstance(value, datetime):
            value = value.isoformat()
        out[name] = value
    return out


# --- What each reader shows of a row dict (current or from a snapshot alike) ------------------------

_API_UNIT = ("rank", "code", "name", "parent_code", "headcount", "participants", "participation_rate",
             "mean_score_pct", "emulation_score", "is_flagged")
_BOARD_UNIT = ("rank", "code", "name", "participants", "headcount", "participation_rate", "emulation_score",
               "is_flagged")
_BOARD_INDIVIDUAL = ("rank", "full_name", "unit_name", "score", "max_score", "correct_count", "duration_ms")


def _number(value: str | None) -> float | None:
    # Rows keep exact decimal strings; the API speaks numbers, as the submit result does.
    return None if value is None else float(value)


def api_individual(row: dict) -> dict:
    """A row of `GET /api/v1/quizzes/<code>/leaderboard` (PRODUCT.md's public API)."""
    keys = ("rank", "full_name", "identity", "unit_code", "unit_name", "correct_count", "score", "max_score",
            "score_pct")
    return {**{k: row[k] for k in keys}, "prediction": _number(row["prediction"]),
            "prediction_error": _number(row["prediction_error"]), "duration_s": round(row["duration_ms"] / 1000, 2),
            "submitted_at": row["submitted_at"]}


def api_unit(row: dict) -> dict:
    """A row of `GET /api/v1/quizzes/<code>/unit-ranking`."""
    return {k: row[k] for k in _API_UNIT}


def board_individual(row: dict) -> dict:
    """A row of the big-screen board's top list (no identity at all: it is on a projector)."""
    return {k: row[k] for k in _BOARD_INDIVIDUAL}


def board_unit(row: dict) -> dict:
    return {k: row[k] for k in _BOARD_UNIT}
