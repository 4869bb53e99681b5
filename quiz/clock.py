"""The only source of "now" in the application.

Everything that depends on time (quiz state, deadlines, lockouts) asks `utcnow()`, so tests can
freeze or move time with `freeze()` and `advance()` instead of sleeping.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC)


def freeze(at: datetime) -> None:
    """Stop the clock at `at` (aware) until `unfreeze()`."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = at.astimezone(UTC)


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward."""
    global _frozen
    if _frozen is None:
        raise RuntimeError("advance() needs a frozen clock")
    _frozen = _frozen + delta


def unfreeze() -> None:
    global _frozen
    _frozen = None
