"""Publishing the award list: the current proposal frozen as a numbered version (like ranking
snapshots), and the certificates it brings issued or revoked (`certificates.sync`).

A version's payload holds what was announced, identities masked as in the ranking snapshots it
was computed from; public pages and exports read only published versions.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func

from ... import clock
from ...errors import ConflictError, NotFoundError, ValidationError
from ...extensions import db
from ...models import AwardList, Contest, Organizer
from .. import audit
from ..locks import lock_contest
from . import certificates
from .propose import Proposal, Section, propose

WINNER_FIELDS = ("rank", "participant_id", "full_name", "identity", "unit_code", "unit_name", "correct_count",
                 "score", "max_score", "score_pct", "prediction_error", "duration_ms", "submitted_at")
UNIT_FIELDS = ("rank", "code", "name", "headcount", "participants", "participation_rate", "mean_score_pct",
               "emulation_score")


def _section_payload(section: Section) -> dict:
    return {
        "scope": "contest" if section.quiz is None else "quiz", "scope_key": section.scope_key,
        "quiz_code": section.code, "title": section.title, "status": section.status,
        "snapshot_version": section.snapshot_version, "finishers": section.finishers,
        "prediction_truth": section.prediction_truth,
        "individuals": [{"prize": w.prize, "level": w.level, "check": w.check.status if w.check else None,
                         **{k: w.row.get(k) for k in WINNER_FIELDS}} for w in section.winners],
        "units": [{"prize": u.prize, "reason": u.reason, **{k: u.row.get(k) for k in UNIT_FIELDS}}
                  for u in section.units],
    }


def build_payload(proposal: Proposal) -> dict:
    return {"contest": proposal.contest.code, "title": proposal.contest.title,
            "sections": [_section_payload(s) for s in proposal.sections if s.status != "no_prizes"]}


def publish_awards(contest: Contest, *, actor: Organizer | None = None, note: str = "",
                   allow_unverified: bool = False) -> AwardList:
    """Freeze the contest's award list as a new version and sync its certificates.

    Refused while no table has a final ranking, and (unless `allow_unverified`) while a proposed
    winner has not been checked: a list is signed only once every winner was verified.
    """
    contest = lock_contest(contest)
    proposal = propose(contest)
    if not proposal.ready:
        raise ConflictError(_("Chưa có bảng giải nào có kết quả xếp hạng chính thức đã công bố: công bố kết quả "
                              "chính thức (sau khi đợt thi kết thúc) trước khi công bố danh sách khen thưởng."))
    unchecked = proposal.unchecked()
    if unchecked and not allow_unverified:
        raise ValidationError(
            _("Còn %(n)d người đoạt giải chưa được xác minh: xác minh hoặc loại từng người trước khi công bố.",
              n=len(unchecked)),
            fields={"winners": [f"{w.row['full_name']} ({w.prize})" for w in unchecked[:50]]})
    version = (db.session.scalar(db.select(func.max(AwardList.version)).where(AwardList.contest_id == contest.id))
               or 0) + 1
    award_list = AwardList(contest_id=contest.id, version=version, published_at=clock.utcnow(),
                           published_by_id=actor.id if actor is not None else None,
                           note=(note or "").strip()[:500], payload=build_payload(proposal))
    db.session.add(award_list)
    db.session.flush()
    issued, revoked = certificates.sync(contest, proposal, award_list, actor=actor)
    audit.record(actor, "awards.publish", contest, version=version,
                 winners=sum(len(s.winners) for s in proposal.ready),
                 units=sum(len(s.units) for s in proposal.ready), unverified=len(unchecked) or None,
                 certificates_issued=issued, certificates_revoked=revoked)
    return award_list


def list_versions(contest: Contest) -> list[AwardList]:
    return list(db.session.scalars(db.select(AwardList).where(AwardList.contest_id == contest.id)
                                   .order_by(AwardList.version.desc())))


def get_version(contest: Contest, version: int | None = None) -> AwardList | None:
    """The latest published version (None if never), or the asked one (NotFoundError)."""
    query = db.select(AwardList).where(AwardList.contest_id == contest.id)
    if version is None:
        return db.session.scalar(query.order_by(AwardList.version.desc()).limit(1))
    found = db.session.scalar(query.where(AwardList.version == version))
    if found is None:
        raise NotFoundError(_("Không có danh sách khen thưởng công bố lần %(v)d.", v=version))
    return found
