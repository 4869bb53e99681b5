"""The unit contact's answers about a participant on no roster: "yes, ours" (confirm) or "not
ours, but of this unit" (move, within what the contact may see)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_

from ... import clock
from ...errors import ForbiddenError, ValidationError
from ...extensions import db
from ...models import Organizer, Participant, RosterEntry, RosterReview, Unit
from .. import audit, permissions


def can_review(user: Organizer, participant: Participant) -> bool:
    """Organizers of the participant's contest, and the contacts of a unit above the unit the
    participant chose (a participant with an "other" unit is the organizers' to place)."""
    if user.role == "unit":
        visible = permissions.visible_unit_ids(user) or set()
        return participant.unit_id is not None and participant.unit_id in visible
    return permissions.can_manage_contest(user, participant.contest)


def confirm_participant(participant: Participant, actor: Organizer) -> RosterReview:
    """Mark the participant as belonging to their chosen unit though on no list (idempotent)."""
    if not can_review(actor, participant) or participant.unit_id is None:
        raise ForbiddenError(_("Bạn không xác nhận được người dự thi này."))
    review = db.session.scalar(db.select(RosterReview).filter_by(participant_id=participant.id))
    if review is None:
        review = RosterReview(participant_id=participant.id, unit_id=participant.unit_id)
        db.session.add(review)
    review.unit_id, review.reviewed_by_id, review.reviewed_at = participant.unit_id, actor.id, clock.utcnow()
    db.session.flush()
    audit.record(actor, "roster.confirm", participant, unit=participant.unit.code)
    return review


def _roster_units(participant: Participant) -> set[int]:
    """The units whose roster holds the participant's identity (none once anonymised)."""
    if participant.anonymised_at is not None:
        return set()
    return set(db.session.scalars(db.select(RosterEntry.unit_id).where(
        or_(RosterEntry.phone == participant.identity, RosterEntry.staff_code == participant.identity))))


def _contact_may_move(participant: Participant, unit: Unit) -> bool:
    """A unit contact moves a participant on no roster at all ("outside the list"), or to a unit
    whose roster holds them: never someone a roster places elsewhere, into their own units."""
    units = _roster_units(participant)
    return not units or unit.id in units


def move_participant(participant: Participant, unit: Unit | None, actor: Organizer) -> None:
    """Put the participant in `unit`: their results count there from now on (published rankings
    keep what they froze). A contact may move only within their own subtree, and only someone
    on no roster or to a unit whose roster holds them (`_contact_may_move`); admins and the
    contest's organizers move anyone. Unit tallies follow (`rankings.tallies` re-counts the
    participant's quizzes on a change of `unit_id`)."""
    if not can_review(actor, participant):
        raise ForbiddenError(_("Bạn không chuyển được người dự thi này."))
    visible = permissions.visible_unit_ids(actor)
    if unit is None or (visible is not None and unit.id not in visible):
        raise ValidationError(_("Chọn một đơn vị thuộc phạm vi của bạn."),
                              fields={"unit_id": [_("Chọn một đơn vị thuộc phạm vi của bạn.")]})
    if actor.role == "unit" and not _contact_may_move(participant, unit):
        raise ForbiddenError(_("Không chuyển được %(name)s sang %(unit)s: người này có trong danh sách cán bộ "
                               "nhưng không có trong danh sách của %(unit)s. Hãy thêm họ vào danh sách của "
                               "%(unit)s trước, hoặc nhờ quản trị viên chuyển.", name=participant.full_name,
                               unit=unit.name))
    before = participant.unit.code if participant.unit else participant.other_unit
    participant.unit_id, participant.other_unit = unit.id, None
    db.session.execute(db.delete(RosterReview).where(RosterReview.participant_id == participant.id))
    db.session.flush()
    audit.record(actor, "participant.move", participant, unit=[before, unit.code])
