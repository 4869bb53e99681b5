"""`flask purge`: participants of long-closed contests are anonymised; rankings and statistics stay."""
from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

import pytest

from quiz.extensions import db
from quiz.models import AuditEntry, Contest, Participant
from quiz.services import audit
from quiz.services import rankings as ranking
from quiz.services.rankings import published as publishing
from quiz.services.identity import mask_identity

OLD_PEOPLE = [("Nguyễn Thị Hoa", "0912345601"), ("Lò Văn Minh", "0912345602"), ("Trần Quốc Bảo", "NV-00777"),
              ("Phạm Thu Hằng", "0912345604")]
NEW_PEOPLE = [("Đỗ Mạnh Cường", "0987000001")]


@pytest.fixture
def contests(make_quiz, make_unit, make_attempt, frozen_clock):
    """An old contest (closed 400 days ago, published) and a recent one (closed 10 days ago)."""
    now = frozen_clock.now()
    units = [make_unit(code="CDC", name="CDC tỉnh", headcount=3), make_unit(code="BV", name="Bệnh viện", headcount=4)]
    old = make_quiz(questions=3, code="CU1", contest=Contest(code="CT-CU", title="Cuộc thi cũ"), opens_at=now - timedelta(days=401), closes_at=now - timedelta(days=400),
                    prediction="count")
    for n, (name, identity) in enumerate(OLD_PEOPLE):
        participant = Participant(contest_id=old.contest_id, identity=identity,
                                  identity_kind="staff" if identity.startswith("NV") else "phone",
                                  full_name=name, unit=units[n % 2], birth_year=1980 + n, position="Điều dưỡng",
                                  consent_at=now - timedelta(days=401))
        db.session.add(participant)
        db.session.flush()
        make_attempt(old, participant, score=n % 3, duration_ms=50_000 + 1000 * n, prediction=n,
                     submitted_at=now - timedelta(days=400, hours=1))
    recent = make_quiz(questions=2, code="MOI1", contest=Contest(code="CT-MOI", title="Cuộc thi mới"), opens_at=now - timedelta(days=11), closes_at=now - timedelta(days=10))
    for name, identity in NEW_PEOPLE:
        make_attempt(recent, units[0], full_name=name, identity=identity, submitted_at=now - timedelta(days=10, hours=1))
    publishing.publish_ranking(quiz=old)
    publishing.publish_ranking(contest=db.session.get(Contest, old.contest_id))
    audit.record(None, "note", None, text=f"Gọi lại {OLD_PEOPLE[0][0]} ({OLD_PEOPLE[0][1]})", who=OLD_PEOPLE[1][0])
    db.session.commit()
    return old, recent


def figures(quiz) -> dict:
    """Everything a ranking shows except names and identities."""
    db.session.expire_all()
    contest = db.session.get(Contest, quiz.contest_id)
    people = [{k: v for k, v in asdict(r).items() if k not in ("full_name", "identity")}
              for r in ranking.individual_ranking(quiz)]
    contest_people = [(r.rank, r.participant_id, r.score, r.duration_ms) for r in ranking.contest_individual_ranking(contest)]
    units = [asdict(r) for r in ranking.unit_ranking(quiz)]
    snapshot = publishing.get_snapshot(quiz=quiz)
    published = {**snapshot.payload, "individuals": [
        {k: v for k, v in row.items() if k not in ("full_name", "identity")} for row in snapshot.payload["individuals"]]}
    return {"people": people, "contest_people": contest_people, "units": units, "published": published}


def database_text() -> str:
    db.session.expire_all()
    return "\n".join(repr(row) for table in db.metadata.sorted_tables for row in db.session.execute(db.select(table)))


def test_purge_anonymises_old_contests_and_keeps_every_figure(runner, contests):
    old, recent = contests
    before = figures(old)
    result = runner.invoke(args=["purge", "--older-than-days", "365"])
    assert result.exit_code == 0, result.output
    assert "CT-CU — Cuộc thi cũ" in result.output and "Đã ẩn danh 4 người dự thi" in result.output
    assert "CT-MOI" not in result.output
    assert "2 bảng xếp hạng" in result.output and "1 mục nhật ký" in result.output
    assert figures(old) == before
    dump = database_text()
    for name, identity in OLD_PEOPLE:
        for secret in (name, identity, mask_identity(identity)):
            assert secret not in dump, f"{secret!r} is still in the database"
    for name, identity in NEW_PEOPLE:  # the recent contest is untouched
        assert name in dump and identity in dump
    people = list(db.session.scalars(db.select(Participant).where(Participant.contest_id == old.contest_id)))
    assert all(p.full_name == f"Người dự thi #{p.id}" and p.identity == f"AN-{p.id}" for p in people)
    assert all(p.birth_year is None and p.position is None and p.anonymised_at is not None for p in people)
    assert len({p.identity for p in people}) == len(people)
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="contest.anonymise"))
    assert entry is not None and entry.detail["participants"] == 4


def test_public_pages_show_the_neutral_labels(client, runner, contests):
    assert runner.invoke(args=["purge"]).exit_code == 0
    page = client.get("/r/CU1").get_data(as_text=True)
    assert "Người dự thi #" in page and OLD_PEOPLE[0][0] not in page


def test_purge_is_idempotent(runner, contests):
    assert runner.invoke(args=["purge"]).exit_code == 0
    after_first = database_text()
    again = runner.invoke(args=["purge"])
    assert again.exit_code == 0 and "Đã ẩn danh 0 người dự thi" in again.output
    assert "4 người đã ẩn danh từ trước" in again.output
    assert database_text() == after_first


def test_dry_run_changes_nothing(runner, contests):
    before = database_text()
    result = runner.invoke(args=["purge", "--dry-run", "--contest", "ct-cu"])
    assert result.exit_code == 0, result.output
    assert "Sẽ ẩn danh 4 người dự thi" in result.output and "không ghi" in result.output
    assert database_text() == before


def test_the_contest_option_and_the_age_check(runner, contests):
    old, recent = contests
    result = runner.invoke(args=["purge", "--contest", "CT-MOI"])
    assert result.exit_code == 1 and "chưa đủ 365 ngày" in result.output
    assert runner.invoke(args=["purge", "--older-than-days", "5", "--contest", "CT-MOI", "--force"]).exit_code == 0
    assert NEW_PEOPLE[0][0] not in database_text()


@pytest.mark.parametrize("args, message", [
    (["--older-than-days", "10"], "--force"),
    (["--older-than-days", "-1", "--force"], "Số ngày"),
    (["--contest", "KHONGCO"], "Không có cuộc thi mã KHONGCO"),
    (["--older-than-days", "abc"], "abc"),
])
def test_bad_input_exits_non_zero_with_a_message(runner, contests, args, message):
    before = database_text()
    result = runner.invoke(args=["purge", *args])
    assert result.exit_code != 0 and message in result.output, result.output
    assert database_text() == before


def test_nothing_to_purge_says_so(runner, contests):
    result = runner.invoke(args=["purge", "--older-than-days", "1000"])
    assert result.exit_code == 0 and "không có gì để ẩn danh" in result.output
