"""Certificates (giấy chứng nhận): issued when an award list is published, verified publicly by
an unguessable code, revoked by an organizer with a reason.

* every winner of a published table gets an "award" certificate for that table (round or
  contest) printing their prize;
* with `Contest.completion_min_pct` set, every other finisher of a round with a final ranking
  whose score percent reaches it gets a "completion" certificate ("hoàn thành");
* a person holds at most one valid certificate per scope and kind: a new version that changes
  the prize revokes the old certificate (its code then answers "revoked") and issues a new one;
  a person no longer on the list has theirs revoked;
* nobody disqualified in a round's table or in the contest's table gets a completion certificate
  for that round (a disqualification says the result is not theirs: someone else took the quiz);
* a revocation by an organizer stands: a later publication does not issue the same certificate
  (same scope, kind and prize) again under a new code.

Codes: 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L), drawn with
`secrets` — 31^16 ≈ 2^79 — shown in groups of four. A code is looked up case- and dash-blind.
"""
from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import String, cast

from ... import clock
from ...errors import ConflictError, NotFoundError, ValidationError
from ...extensions import db
from ...models import Attempt, AuditEntry, AwardList, Certificate, Contest, Organizer, PrizeTable, Quiz, WinnerCheck
from .. import audit
from ..locks import lock_contest
from ..rankings.read import ORGANIZER, read
from .propose import Proposal
from .tables import CONTEST_KEY

REVOKE_ACTION = "certificate.revoke"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _n in range(CODE_LENGTH))


def display_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(raw: str) -> str | None:
    """The stored form of a typed or scanned code, or None when it cannot be one."""
    code = "".join((raw or "").split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def find_certificate(raw: str) -> Certificate | None:
    code = normalise_code(raw)
    if code is None:
        return None
    return db.session.scalar(db.select(Certificate).filter_by(code=code))


def _valid(contest: Contest) -> dict[tuple[str, int, str], Certificate]:
    return {(c.scope_key, c.participant_id, c.kind): c for c in db.session.scalars(
        db.select(Certificate).where(Certificate.contest_id == contest.id, Certificate.revoked_at.is_(None)))}


def _revoke(certificate: Certificate, reason: str, actor: Organizer | None) -> None:
    certificate.revoked_at = clock.utcnow()
    certificate.revoked_reason = reason[:500]
    certificate.revoked_by_id = actor.id if actor is not None else None


def _disqualified(contest: Contest) -> set[tuple[str, int]]:
    """(table scope, participant) of every disqualification in the contest's prize tables."""
    return set(tuple(row) for row in db.session.execute(
        db.select(PrizeTable.scope_key, WinnerCheck.participant_id).join(PrizeTable, WinnerCheck.table_id == PrizeTable.id)
        .where(PrizeTable.contest_id == contest.id, WinnerCheck.status == "disqualified")).all())


def _revoked_by_organizers(contest: Contest) -> set[tuple[str, int, str, str]]:
    """(scope, participant, kind, prize) of the certificates an organizer revoked by hand (the
    audit entry `revoke_certificate` writes tells them from those a publication replaced)."""
    by_hand = db.select(AuditEntry.target_id).where(AuditEntry.action == REVOKE_ACTION,
                                                    AuditEntry.target_type == Certificate.__name__)
    return set(tuple(row) for row in db.session.execute(
        db.select(Certificate.scope_key, Certificate.participant_id, Certificate.kind, Certificate.prize_name)
        .where(Certificate.contest_id == contest.id, Certificate.revoked_at.is_not(None),
               cast(Certificate.id, String).in_(by_hand))).all())


def _completion_rows(contest: Contest, threshold: float) -> list[tuple[Quiz, dict]]:
    disqualified = _disqualified(contest)
    rows = []
    for quiz in contest.quizzes:
        reading = read(quiz=quiz, audience=ORGANIZER, source="published")
        if reading is None or reading.is_provisional:
            continue
        rows += [(quiz, r) for r in reading.individuals if r["score_pct"] + 1e-9 >= threshold
                 and (str(quiz.id), r["participant_id"]) not in disqualified
                 and (CONTEST_KEY, r["participant_id"]) not in disqualified]
    return rows


def sync(contest: Contest, proposal: Proposal, award_list: AwardList, *,
         actor: Organizer | None = None) -> tuple[int, int]:
    """Issue and revoke certificates so they match `award_list` (just published from `proposal`).
    Returns (issued, revoked)."""
    valid = _valid(contest)
    wanted: dict[tuple[str, int, str], tuple[Quiz | None, str, dict]] = {}
    for section in proposal.ready:
        for winner in section.winners:
            wanted[(section.scope_key, winner.participant_id, "award")] = (section.quiz, winner.prize, winner.row)
    if contest.completion_min_pct is not None:
        for quiz, row in _completion_rows(contest, contest.completion_min_pct):
            if (str(quiz.id), row["participant_id"], "award") not in wanted:
                wanted[(str(quiz.id), row["participant_id"], "completion")] = (quiz, _("Hoàn thành"), row)
    ready_scopes = {s.scope_key for s in proposal.ready}
    issued = revoked = 0
    now = clock.utcnow()
    for key, certificate in valid.items():
        scope = key[0]
        target = wanted.get(key)
        if target is None and (scope in ready_scopes or key[2] == "completion"):
            _revoke(certificate, _("Không còn trong danh sách công bố lần %(v)d.", v=award_list.version), actor)
            revoked += 1
        elif target is not None and target[1] != certificate.prize_name:
            _revoke(certificate, _("Thay bằng giấy chứng nhận mới theo danh sách công bố lần %(v)d.",
                                   v=award_list.version), actor)
            revoked += 1
    db.session.flush()
    revoked_by_hand = _revoked_by_organizers(contest)
    for (scope, participant_id, kind), (quiz, prize, row) in wanted.items():
        current = valid.get((scope, participant_id, kind))
        if current is not None and current.revoked_at is None:
            continue
        if (scope, participant_id, kind, prize) in revoked_by_hand:
            continue
        db.session.add(Certificate(
            code=new_code(), contest_id=contest.id, quiz_id=quiz.id if quiz else None, scope_key=scope,
            participant_id=participant_id, kind=kind, full_name=row["full_name"], unit_name=row["unit_name"] or "",
            prize_name=prize, scope_title=quiz.title if quiz else contest.title,
            award_version=award_list.version, issued_at=now))
        issued += 1
    db.session.flush()
    return issued, revoked


def revoke_certificate(certificate: Certificate, reason: str, *, actor: Organizer | None = None) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Ghi lý do thu hồi."), fields={"reason": [_("Ghi lý do thu hồi.")]})
    lock_contest(certificate.contest)
    db.session.refresh(certificate)
    if certificate.revoked_at is not None:
        raise ConflictError(_("Giấy chứng nhận này đã bị thu hồi."))
    _revoke(certificate, reason, actor)
    db.session.flush()
    audit.record(actor, REVOKE_ACTION, certificate, code=certificate.code, reason=reason[:500],
                 participant_id=certificate.participant_id)
    return certificate


def contest_certificates(contest: Contest, quiz: Quiz | None = None, *, scope: str | None = None,
                         include_revoked: bool = False) -> list[Certificate]:
    """A contest's certificates (of one round, or `scope="contest"` for the contest's own), in
    scope, prize, then name order."""
    query = db.select(Certificate).where(Certificate.contest_id == contest.id)
    if quiz is not None:
        query = query.where(Certificate.scope_key == str(quiz.id))
    elif scope is not None:
        query = query.where(Certificate.scope_key == scope)
    if not include_revoked:
        query = query.where(Certificate.revoked_at.is_(None))
    return list(db.session.scalars(query.order_by(Certificate.scope_key, Certificate.kind, Certificate.prize_name,
                                                  Certificate.full_name, Certificate.id)))


def attempt_certificates(attempt: Attempt) -> list[Certificate]:
    """The valid certificates the holder of `attempt` may download from its result page: theirs
    for that round, and theirs for the whole contest."""
    return list(db.session.scalars(db.select(Certificate).where(
        Certificate.participant_id == attempt.participant_id, Certificate.revoked_at.is_(None),
        Certificate.scope_key.in_([str(attempt.quiz_id), "contest"])).order_by(Certificate.scope_key.desc(),
                                                                               Certificate.kind)))


def attempt_certificate(attempt: Attempt, code: str) -> Certificate:
    found = next((c for c in attempt_certificates(attempt) if c.code == normalise_code(code)), None)
    if found is None:
        raise NotFoundError(_("Không có giấy chứng nhận này."))
    return found
