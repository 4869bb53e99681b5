"""Anonymising the participants of old contests (personal-data retention).

Vietnam's Decree 13/2023/NĐ-CP on personal data protection expects personal data to be kept
only as long as its purpose needs. Once a contest is over and its results are final, the
organizers need the rankings and the statistics, not the names and phone numbers. `purge`:

- replaces each participant's full name by a neutral label (`Người dự thi #<id>`) and the
  identity (phone or staff code) by `AN-<id>`, derived from the row id only, so it is unique in
  the contest yet says nothing about the person and cannot be turned back; clears birth year and
  position; stamps `anonymised_at`;
- rewrites the same names and (masked) identities inside the contest's published ranking
  snapshots, award lists and certificates (`awards.retention`), and scrubs any audit entry or
  winner-check note that quotes them;
- leaves every score, duration, prediction, unit and attempt as it was, so the individual and
  unit rankings and the statistics do not move (ranking ties never use names).

A contest qualifies when its last quiz closed more than `older_than_days` days ago. The
function flushes; the caller (the CLI) commits, or rolls back for a dry run.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func

from .. import clock
from ..errors import NotFoundError, ValidationError
from ..extensions import db
from ..models import AuditEntry, Contest, Organizer, Participant, Quiz, RankingSnapshot
from . import audit
from .awards.retention import anonymise_awards
from .identity import mask_identity

MIN_DAYS_WITHOUT_FORCE = 30
ANON_PREFIX = "AN-"
_MIN_SCRUB_LENGTH = 4  # shorter strings are only replaced where they are a whole value


@dataclass
class PurgeReport:
    code: str
    title: str
    last_closed_at: datetime
    participants: int = 0
    snapshots: int = 0
    audit_entries: int = 0
    already_anonymised: int = 0
    replacements: dict[str, str] = field(default_factory=dict, repr=False)


def neutral_name(participant_id: int) -> str:
    return _("Người dự thi #%(n)d", n=participant_id)


def _last_closed() -> object:
    return (db.select(Quiz.contest_id, func.max(Quiz.closes_at).label("last_closed"))
            .group_by(Quiz.contest_id).subquery())


def find_purgeable(older_than_days: int, *, code: str | None = None, force: bool = False,
                   now: datetime | None = None) -> list[tuple[Contest, datetime]]:
    """The contests whose last quiz closed before the cut-off, oldest first (or the one asked)."""
    if older_than_days < 0 or (older_than_days < MIN_DAYS_WITHOUT_FORCE and not force):
        raise ValidationError(_(
            "Số ngày phải từ %(min)d trở lên (đang là %(n)d); thêm --force nếu thật sự muốn xoá sớm hơn.",
            min=MIN_DAYS_WITHOUT_FORCE, n=older_than_days))
    now = now or clock.utcnow()
    cutoff = now - timedelta(days=older_than_days)
    last = _last_closed()
    query = db.select(Contest, last.c.last_closed).join(last, last.c.contest_id == Contest.id)
    if code is not None:
        found = db.session.execute(query.where(Contest.code == code.strip().upper())).first()
        if found is None:
            raise NotFoundError(_("Không có cuộc thi mã %(code)s (hoặc cuộc thi chưa có đợt thi nào).", code=code))
        contest, closed = found
        if closed > cutoff:
            raise ValidationError(_(
                "Cuộc thi %(code)s có đợt thi đóng lúc %(closed)s, chưa đủ %(n)d ngày: chưa thể ẩn danh.",
                code=contest.code, closed=closed.strftime("%d/%m/%Y %H:%M UTC"), n=older_than_days))
        return [(contest, closed)]
    rows = db.session.execute(query.where(last.c.last_closed < cutoff).order_by(last.c.last_closed)).all()
    return [(contest, closed) for contest, closed in rows]


def purge_contest(contest: Contest, last_closed_at: datetime, *, actor: Organizer | None = None,
                  now: datetime | None = None) -> PurgeReport:
    """Anonymise one contest's participants, snapshots and audit quotes. Idempotent."""
    now = now or clock.utcnow()
    report = PurgeReport(contest.code, contest.title, last_closed_at)
    people = db.session.execute(
        db.select(Participant.id, Participant.full_name, Participant.identity, Participant.anonymised_at)
        .where(Participant.contest_id == contest.id)).all()
    pending = [p for p in people if p.anonymised_at is None]
    report.already_anonymised = len(people) - len(pending)
    replacements: dict[str, str] = {}
    by_id: dict[int, tuple[str, str]] = {}
    for p in pending:
        new_identity = f"{ANON_PREFIX}{p.id}"
        by_id[p.id] = (neutral_name(p.id), new_identity)
        replacements[p.full_name] = neutral_name(p.id)
        replacements[p.identity] = new_identity
        replacements[mask_identity(p.identity)] = mask_identity(new_identity)
    report.replacements = replacements
    if pending:
        # An executemany UPDATE by primary key: one round trip per batch, not one per person.
        db.session.execute(db.update(Participant), [
            {"id": pid, "full_name": name, "identity": identity, "identity_kind": "staff",
             "birth_year": None, "position": None, "anonymised_at": now}
            for pid, (name, identity) in by_id.items()])
        report.participants = len(pending)
    report.snapshots = _rewrite_snapshots(contest, by_id, replacements)
    report.snapshots += anonymise_awards(contest, by_id, lambda value: _scrub(value, replacements))
    report.audit_entries = _scrub_audit(replacements)
    if pending:
        audit.record(actor, "contest.anonymise", contest, code=contest.code, participants=len(pending),
                     snapshots=report.snapshots)
    db.session.flush()
    return report


def purge(older_than_days: int, *, code: str | None = None, force: bool = False,
          actor: Organizer | None = None) -> list[PurgeReport]:
    now = clock.utcnow()
    return [purge_contest(contest, closed, actor=actor, now=now)
            for contest, closed in find_purgeable(older_than_days, code=code, force=force, now=now)]


def _snapshots_of(contest: Contest) -> list[RankingSnapshot]:
    quiz_ids = db.select(Quiz.id).where(Quiz.contest_id == contest.id)
    return list(db.session.scalars(db.select(RankingSnapshot).where(
        (RankingSnapshot.contest_id == contest.id) | RankingSnapshot.quiz_id.in_(quiz_ids))))


def _rewrite_snapshots(contest: Contest, by_id: dict[int, tuple[str, str]], replacements: dict[str, str]) -> int:
    changed = 0
    for snapshot in _snapshots_of(contest):
        payload = copy.deepcopy(snapshot.payload)
        for row in payload.get("individuals") or []:
            if row.get("participant_id") in by_id:
                name, identity = by_id[row["participant_id"]]
                row["full_name"], row["identity"] = name, mask_identity(identity)
        payload = _scrub(payload, replacements)
        if payload != snapshot.payload:
            snapshot.payload = payload  # a new object, so the JSON column is written
            changed += 1
    return changed


def _scrub_audit(replacements: dict[str, str]) -> int:
    if not replacements:
        return 0
    changed = 0
    for entry in db.session.scalars(db.select(AuditEntry)):
        detail = _scrub(entry.detail or {}, replacements)
        if detail != entry.detail:
            entry.detail = detail
            changed += 1
    return changed


def _scrub(value, replacements: dict[str, str]):
    """`value` with every quoted name or identity replaced (whole values, or inside longer text)."""
    if isinstance(value, dict):
        return {k: _scrub(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, replacements) for v in value]
    if isinstance(value, str):
        if value in replacements:
            return replacements[value]
        for old, new in replacements.items():
            if len(old) >= _MIN_SCRUB_LENGTH and old in value:
                value = value.replace(old, new)
        return value
    return value
