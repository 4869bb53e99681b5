"""Images, stored once by content hash in the database so every app server has them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db
from .types import UTCDateTime

MEDIA_TYPES = ("image/webp",)


class Media(db.Model):
    """One re-encoded image. `sha256` (hex of `data`) is its identity and its URL.

    Only bytes the server produced itself are stored (see services/media.py): an upload is
    decoded and re-encoded, never kept as sent.
    """

    __tablename__ = "media"
    __table_args__ = (
        CheckConstraint("content_type IN ('image/webp')", name="content_type_known"),
        CheckConstraint("size > 0 AND width > 0 AND height > 0", name="dimensions_positive"),
    )

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    # Deferred: pages need the size of an image, only the media endpoint needs its bytes.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)

    @property
    def extension(self) -> str:
        return "webp"

    def __repr__(self) -> str:
        return f"<Media {self.sha256[:12]} {self.width}x{self.height}>"
