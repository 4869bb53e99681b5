"""Column types shared by the models."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL's int4 holds no more


def row_id(raw) -> int:
    """A client-typed id (a query argument, a form's select) as an int in 0..MAX_ROW_ID, or ValueError.

    0 is the forms' "none" choice. Anything else — more digits than any row id, a sign, an
    exponent, non-ASCII digits — is refused here, before a driver is asked to bind it (SQLite
    overflows past 2**63, PostgreSQL's int4 past 2**31). The route converter uses the same bound.
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10:
        value = int(raw)
    else:
        raise ValueError(raw)
    if not 0 <= value <= MAX_ROW_ID:
        raise ValueError(raw)
    return value


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database.

    SQLite has no time zones, so values are stored as naive UTC there and made aware again on
    the way out; PostgreSQL stores `timestamptz`. Naive values are refused on the way in so a
    local time can never be stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
