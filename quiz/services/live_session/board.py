"""Live sessions: standings and the state documents phones and the host screen poll.

Individual standings of a session (one row per phone's attempt), counted over *played* questions
(started and not skipped):
  * ``correct``  — correct answers; ``score`` — their points (1 per question by default);
  * ``time_ms``  — total answer time: each played question counts the time the phone took to
                   answer it, or the full question time when it did not answer;
  * ``speed``    — speed points (see live_session.phone).
Order, by the session's ``scoring``:
  * ``correct_time`` (the Vietnamese convention, default): score desc → time asc → attempt id;
  * ``speed`` (Kahoot style): speed desc → score desc → time asc → attempt id.
Unit standings: the members of each unit who joined the session; the unit's value is the mean
(default) or the sum of its members' value (score, or speed points), shown with the members
count. Order: value desc → members desc → unit name.

The shared document is the same for every phone; it is built once per (session, version) and
kept in process (the DOCUMENTS cache: at a state change hundreds of phones ask for the new
document within a few hundred ms, and one thread builds it while the others wait for it), so a
poll costs one indexed read of the version. Correct answers appear in it only from the reveal of
their question on.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from flask import Flask
from sqlalchemy import and_, case, func

from ...cache import get_cache
from ...extensions import db
from ...models import Answer, Attempt, LiveQuestion, LiveSession, Participant, Unit
from .. import media as media_service
from ..identity import mask_identity

# What this module keeps in process (quiz/cache.py; registered, with their bounds, in create_app).
DOCUMENTS = "live_documents"  # session id → (version, JSON bytes, dict) of its shared document
STANDINGS = "live_standings"  # session id → (version, {attempt id: PlayerRow})
VERSIONS = "live_versions"  # session id → its version, as last read from the database
SHAPES = ("triangle", "diamond", "circle", "square", "star", "hexagon")
LETTERS = "ABCDEFGHIJ"
TOP_N = 10


@dataclass
class PlayerRow:
    rank: int
    attempt_id: int
    full_name: str
    identity: str  # masked
    unit_key: str
    unit_name: str
    correct: int
    score: int
    time_ms: int
    speed: int

    def public(self) -> dict:
        row = asdict(self)
        row.pop("attempt_id")
        row.pop("unit_key")
        return row


def played_questions(session: LiveSession) -> list[LiveQuestion]:
    return [q for q in session.questions if q.is_played]


def player_standings(session: LiveSession) -> list[PlayerRow]:
    """Every phone of the session, ranked (see the module docstring); aggregated in SQL."""
    full_ms = session.question_time_s * 1000
    played = (
        db.select(Answer.attempt_id, Answer.is_correct, Answer.elapsed_ms, Answer.live_points, LiveQuestion.points)
        .join(LiveQuestion, and_(LiveQuestion.question_id == Answer.question_id,
                                 LiveQuestion.session_id == session.id,
                                 LiveQuestion.started_at.is_not(None), LiveQuestion.is_skipped.is_(False)))
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.live_session_id == session.id)
        .subquery("played")
    )
    rows = db.session.execute(
        db.select(
            Attempt.id, Participant.full_name, Participant.identity, Participant.other_unit,
            Unit.code.label("unit_code"), Unit.name.label("unit_name"),
            func.coalesce(func.sum(case((played.c.is_correct.is_(True), 1), else_=0)), 0).label("correct"),
            func.coalesce(func.sum(case((played.c.is_correct.is_(True), played.c.points), else_=0)), 0).label("score"),
            func.coalesce(func.sum(full_ms - played.c.elapsed_ms), 0).label("saved_ms"),
            func.coalesce(func.sum(played.c.live_points), 0).label("speed"),
        )
        .join(Participant, Participant.id == Attempt.participant_id)
        .outerjoin(Unit, Unit.id == Participant.unit_id)
        .outerjoin(played, played.c.attempt_id == Attempt.id)
        .where(Attempt.live_session_id == session.id)
        .group_by(Attempt.id, Participant.full_name, Participant.identity, Participant.other_unit,
                  Unit.code, Unit.name)
    ).all()
    total_ms = full_ms * len(played_questions(session))
    players = [PlayerRow(
        rank=0, attempt_id=r.id, full_name=r.full_name, identity=mask_identity(r.identity),
        unit_key=r.unit_code or f"~{r.other_unit or ''}", unit_name=r.unit_name or r.other_unit or "",
        correct=int(r.correct), score=int(r.score), time_ms=total_ms - int(r.saved_ms), speed=int(r.speed),
    ) for r in rows]
    if session.scoring == "speed":
        players.sort(key=lambda p: (-p.speed, -p.score, p.time_ms, p.attempt_id))
    else:
        players.sort(key=lambda p: (-p.score, p.time_ms, p.attempt_id))
    for rank, player in enumerate(players, start=1):
        player.rank = rank
    return players


def unit_standings(session: LiveSession, players: list[PlayerRow]) -> list[dict]:
    """Units ranked by the mean (or sum) of their members' score or speed points."""
    groups: dict[str, dict] = {}
    for p in players:
        group = groups.setdefault(p.unit_key, {"name": p.unit_name, "members": 0, "total": 0})
        group["members"] += 1
        group["total"] += p.speed if session.scoring == "speed" else p.score
    units = []
    for group in groups.values():
        value = group["total"] if session.unit_score == "sum" else group["total"] / group["members"]
        units.append({"name": group["name"], "members": group["members"], "value": round(value, 2)})
    units.sort(key=lambda u: (-u["value"], -u["members"], u["name"]))
    for rank, unit in enumerate(units, start=1):
        unit["rank"] = rank
    return units


def _distribution(session: LiveSession, question: LiveQuestion) -> dict[str, int]:
    """How many phones picked each option of the question (option id → count)."""
    rows = db.session.execute(
        db.select(Answer.choice_mask, func.count())
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.live_session_id == session.id, Answer.question_id == question.question_id)
        .group_by(Answer.choice_mask)).all()
    positions = {o.id: o.position for o in question.question.options}
    counts = {str(i): 0 for i in question.option_ids}
    for mask, count in rows:
        for option_id in question.option_ids:
            if mask >> positions[option_id] & 1:
                counts[str(option_id)] += count
    return counts


def _question_doc(session: LiveSession, question: LiveQuestion, revealed: bool) -> dict:
    texts = {o.id: o for o in question.question.options}
    # Images by content hash (the projector shows the question's large, phones the options' on the
    # buttons); the URL is the hash of the pixels, so it says nothing about the correct option.
    media = media_service.preload([question.question.image_sha256] + [o.image_sha256 for o in texts.values()])
    doc = {
        "id": question.question_id, "number": question.position + 1, "text": question.question.text,
        "kind": question.question.kind, "time_s": session.question_time_s,
        "deadline_ms": int(question.deadline.timestamp() * 1000) if question.deadline else None,
        "image": media_service.image_ref(question.question.image_sha256, question.question.image_alt, media),
        "options": [{"id": i, "text": texts[i].text, "letter": LETTERS[n], "shape": SHAPES[n % len(SHAPES)],
                     "image": media_service.image_ref(texts[i].image_sha256, texts[i].image_alt, media)}
                    for n, i in enumerate(question.option_ids) if i in texts],
    }
    if revealed:
        doc["correct_option_ids"] = [i for i in question.option_ids if i in texts and texts[i].is_correct]
        doc["explanation"] = question.question.explanation or ""
    return doc


def build_state(session: LiveSession) -> dict:
    """The shared state document of the session at its current version."""
    doc = {
        "session": session.id, "version": session.version, "state": session.state,
        "quiz": {"code": session.quiz.code, "title": session.quiz.title},
        "scoring": session.scoring, "unit_score": session.unit_score,
        "question_time_s": session.question_time_s, "question_count": len(session.questions),
        "index": session.current_index,
    }
    current = session.current
    if current is not None and session.state in ("question", "paused", "reveal"):
        doc["question"] = _question_doc(session, current, revealed=session.state == "reveal")
        if session.state == "paused":
            doc["question"]["remaining_ms"] = session.remaining_ms
        doc["is_last"] = session.current_index == len(session.questions) - 1
    if session.state in ("reveal", "ended"):
        players = player_standings(session)
        doc["top"] = [p.public() for p in players[:TOP_N]]
        doc["units"] = unit_standings(session, players)[:TOP_N]
        doc["players"] = len(players)
        if session.state == "reveal":
            doc["distribution"] = _distribution(session, current)
    return doc


def current_version(session_id: int) -> int | None:
    """The session's version, read straight from the database (the truth across app servers)."""
    return db.session.scalar(db.select(LiveSession.version).where(LiveSession.id == session_id))


def recent_version(app: Flask, session_id: int) -> int | None:
    """The version as this process read it at most `LIVE_VERSION_TTL_MS` ago (the VERSIONS
    cache's ttl), so a change made on another app server shows within that bound. Callable
    before Flask (the fast path): it opens an app context only to ask the database."""
    def read() -> int | None:
        with app.app_context():
            return current_version(session_id)
    return get_cache(VERSIONS, app=app).get_or_set(session_id, read, single_flight=True)


def remember_version(session_id: int, version: int) -> None:
    """A host action handled here: this process's phones see the new version at once."""
    get_cache(VERSIONS).set(session_id, version)


def state_document(session_id: int, version: int) -> tuple[int, bytes, dict]:
    """`(version, JSON bytes, dict)` of the shared document, built once per version in this process.

    The version returned is the document's own: it may be newer than the one asked for when the
    host moved on in between, and the ETag must name what was actually sent.
    """
    return get_cache(DOCUMENTS).get_or_set(session_id, lambda: _build_document(session_id),
                                           valid=lambda kept: kept[0] >= version, single_flight=True)


def kept_document(app: Flask, session_id: int, version: int) -> bytes | None:
    """The JSON of the document of exactly `version` if this process built it, else None: what
    the fast path serves without entering Flask."""
    kept = get_cache(DOCUMENTS, app=app).get(session_id)
    return kept[1] if kept is not None and kept[0] == version else None


def _build_document(session_id: int) -> tuple[int, bytes, dict]:
    session = db.session.get(LiveSession, session_id)
    doc = build_state(session)
    return doc["version"], json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(), doc


def session_of(attempt: Attempt) -> LiveSession:
    return db.session.get(LiveSession, attempt.live_session_id)


def standings_by_attempt(session: LiveSession) -> dict[int, PlayerRow]:
    """Each phone's standing at this version (kept in process like the shared document)."""
    version = session.version
    kept = get_cache(STANDINGS).get_or_set(
        session.id, lambda: (version, {p.attempt_id: p for p in player_standings(session)}),
        valid=lambda kept: kept[0] == version, single_flight=True)
    return kept[1]


def joined_by_unit(session: LiveSession) -> list[dict]:
    """The lobby's figures: how many phones joined, per unit (most first)."""
    name = func.coalesce(Unit.name, Participant.other_unit)
    rows = db.session.execute(
        db.select(name.label("name"), func.count(Attempt.id))
        .join(Participant, Participant.id == Attempt.participant_id)
        .outerjoin(Unit, Unit.id == Participant.unit_id)
        .where(Attempt.live_session_id == session.id)
        .group_by(name).order_by(func.count(Attempt.id).desc(), name)).all()
    return [{"name": n or "", "count": c} for n, c in rows]


def answered_count(session: LiveSession) -> int:
    current = session.current
    if current is None:
        return 0
    return db.session.scalar(
        db.select(func.count(Answer.id)).join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.live_session_id == session.id, Answer.question_id == current.question_id)) or 0
