"""Who may see and change what. Views ask these; templates get the answers passed in."""
from __future__ import annotations

from ..extensions import db
from ..models import Contest, Organizer, Quiz, Unit, contest_organizer


def can_manage_contest(user: Organizer, contest: Contest) -> bool:
    """Admins manage every contest; organizers those they created or were granted."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == "admin":
        return True
    if user.role != "organizer":
        return False
    if contest.created_by_id == user.id:
        return True
    return db.session.scalar(
        db.select(contest_organizer.c.organizer_id).where(
            contest_organizer.c.contest_id == contest.id, contest_organizer.c.organizer_id == user.id)
    ) is not None


def can_manage_quiz(user: Organizer, quiz: Quiz) -> bool:
    return can_manage_contest(user, quiz.contest)


def can_change_shared_data(user: Organizer) -> bool:
    """Units (with their headcounts) and the question bank are shared by every contest: a change
    moves every contest's rankings and draws, and a set exported with its answers is the key of
    every quiz drawing from it. So only admins change them or export a set; organizers see the
    unit tree and the bank list and draw from the sets. (No per-contest ownership: the tables
    carry none.)"""
    return bool(user.is_authenticated and user.is_active and user.role == "admin")


def can_view_results(user: Organizer, contest: Contest) -> bool:
    """Unit contacts read results (of their own units: see `visible_unit_ids`) of every contest."""
    return user.is_authenticated and (user.role == "unit" or can_manage_contest(user, contest))


def managed_contests_query(user: Organizer):
    """A SELECT of the contests `user` manages."""
    query = db.select(Contest).order_by(Contest.created_at.desc())
    if user.role == "admin":
        return query
    granted = db.select(contest_organizer.c.contest_id).where(contest_organizer.c.organizer_id == user.id)
    return query.where((Contest.created_by_id == user.id) | Contest.id.in_(granted))


def visible_unit_ids(user: Organizer) -> set[int] | None:
    """The units whose people `user` may see: None means all; a unit contact sees their subtree."""
    if user.role != "unit":
        return None
    if user.unit is None:
        return set()
    return set(db.session.scalars(db.select(Unit.id).where(Unit.path.startswith(user.unit.path))))
