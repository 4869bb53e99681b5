"""Consistent copies of the embedded SQLite database while the server keeps running."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from flask_babel import gettext as _

from ..errors import ValidationError
from ..extensions import db


def backup_sqlite(target: Path) -> int:
    """Copy the live SQLite database to `target` with SQLite's online backup API.

    The backup API copies pages under SQLite's own locking, so writers (participants saving
    answers) keep going and the copy is a consistent snapshot — unlike copying the file, which
    can catch a half-written WAL. Returns the size of the copy in bytes.
    """
    if db.engine.dialect.name != "sqlite":
        raise ValidationError(_("Lệnh backup dành cho SQLite. Với PostgreSQL hãy dùng pg_dump "
                                "(ví dụ: pg_dump -Fc thiduaso > thiduaso.dump)."))
    if target.exists():
        raise ValidationError(_("Tệp %(path)s đã tồn tại: hãy chọn tên khác để không ghi đè bản sao cũ.",
                                path=str(target)))
    target.parent.mkdir(parents=True, exist_ok=True)
    source = db.engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            # 256 pages per step lets writers slip in between steps on a busy server.
            source.driver_connection.backup(destination, pages=256)
        finally:
            destination.close()
    finally:
        source.close()
    return target.stat().st_size
