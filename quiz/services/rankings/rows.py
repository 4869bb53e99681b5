"""The rows of a ranking, and their one public shape.

`IndividualRow` and `UnitRow` are what the pipeline computes; `row_dict()` turns either into the
JSON-able dict every reader gets — a published snapshot's payload stores exactly these dicts,
and the live readings of `rankings.read` build the same ones, so a page or an export cannot
tell (nor show) the difference. Internal ids (`attempt_id`, `unit_id`) stay out; identities are
masked unless an organizer reads.
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
