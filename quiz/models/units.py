"""Units (đơn vị): the tree of departments, hospitals, wards and party cells."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


def depth_of(path: str) -> int:
    """0 for a root (`/1/`), 1 for its children (`/1/4/`), and so on."""
    return path.count("/") - 2


class Unit(db.Model):
    """A unit; `path` is the materialised chain of ancestor ids (`/1/4/9/`).

    The path lets a ranking roll children up into parents with one `LIKE 'prefix%'` join
    instead of a recursive walk; services keep it in step with `parent_id`.
    """

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint("headcount IS NULL OR headcount >= 0", name="headcount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    headcount: Mapped[int | None]
    path: Mapped[str] = mapped_column(String(400), default="/", index=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.sort_order, Unit.name")

    @property
    def depth(self) -> int:
        return depth_of(self.path)

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"
