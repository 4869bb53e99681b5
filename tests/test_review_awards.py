"""Adversarial review of the awards and certificates (issue 17): each test failed before its fix."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quiz.extensions import db
from quiz.models import Certificate, Contest, PrizeTable
from quiz.services.awards import certificates as service
from quiz.services.awards import checks, publish, tables
from quiz.services.awards.propose import propose
from quiz.services.awards.tables import LevelInput
from quiz.services.rankings.published import publish_ranking


@pytest.fixture
def contest(ctx):
    contest = Contest(code="BDHVS", title="Cuộc thi Bình dân học vụ số 2025", completion_min_pct=50)
    db.session.add(contest)
    db.session.commit()
    return contest


@pytest.fixture
def one_round(contest, make_quiz, make_unit, make_attempt, make_organizer, frozen_clock):
    admin = make_organizer(role="admin")
    unit = make_unit(code="BVDK", name="Bệnh viện Đa khoa tỉnh")
    quiz = make_quiz(questions=4, code="TUAN1", title="Tuần 1", contest=contest,
                     closes_at=frozen_clock.now() + timedelta(hours=1))
    cheat = make_attempt(quiz, unit, full_name="Người Thi Hộ", score=4).participant
    honest = make_attempt(quiz, unit, full_name="Người Trung Thực", score=3).participant
    table = tables.save_prize_table(contest, quiz, levels=[LevelInput("Nhất", 1)])
    frozen_clock.advance(hours=2)
    publish_ranking(quiz=quiz)
    db.session.commit()
    return {"admin": admin, "quiz": quiz, "cheat": cheat, "honest": honest, "table": table}


def _valid(participant) -> list[Certificate]:
    return list(db.session.scalars(db.select(Certificate).filter_by(
        participant_id=participant.id, revoked_at=None)))


def test_a_disqualified_person_gets_no_completion_certificate(contest, one_round):
    admin, table, cheat = one_round["admin"], one_round["table"], one_round["cheat"]
    checks.check_winner(table, cheat.id, status="disqualified", note="Thi hộ", actor=admin)
    checks.check_winner(table, one_round["honest"].id, status="verified", note="CCCD", actor=admin)
    publish.publish_awards(contest, actor=admin)
    db.session.commit()
    assert _valid(cheat) == []


def test_a_winner_disqualified_after_publication_loses_every_certificate_at_the_next(contest, one_round):
    admin, table, cheat = one_round["admin"], one_round["table"], one_round["cheat"]
    checks.check_winner(table, cheat.id, status="verified", note="CCCD", actor=admin)
    publish.publish_awards(contest, actor=admin)
    db.session.commit()
    assert [c.kind for c in _valid(cheat)] == ["award"]
    checks.check_winner(table, cheat.id, status="disqualified", note="Thi hộ", actor=admin)
    checks.check_winner(table, one_round["honest"].id, status="verified", note="CCCD", actor=admin)
    publish.publish_awards(contest, actor=admin)
    db.session.commit()
    assert _valid(cheat) == []  # not swapped for a "Hoàn thành" one


def test_a_revocation_stands_at_the_next_publication(contest, one_round):
    admin, table, cheat = one_round["admin"], one_round["table"], one_round["cheat"]
    checks.check_winner(table, cheat.id, status="verified", note="CCCD", actor=admin)
    publish.publish_awards(contest, actor=admin)
    db.session.commit()
    certificate = _valid(cheat)[0]
    service.revoke_certificate(certificate, "Giấy tờ giả", actor=admin)
    db.session.commit()
    publish.publish_awards(contest, actor=admin, note="lần 2")  # e.g. another round became final
    db.session.commit()
    assert _valid(cheat) == []


@pytest.mark.parametrize("value", ["sNaN", "-sNaN", "NaN", "Infinity", "1e999999"])
def test_odd_percentages_are_a_message_and_change_nothing(client, contest, login_as, value):
    login_as("admin")
    base = f"/admin/contests/{contest.id}/awards"
    for field in ("min_score_pct", "cap_pct", "unit_min_rate_pct"):
        response = client.post(f"{base}/tables/contest", data={
            "levels-0-name": "Nhất", "levels-0-count": "1", field: value})
        assert response.status_code == 200, (field, response.status_code)
    response = client.post(f"{base}/settings", data={"completion_min_pct": value})
    assert response.status_code == 200
    assert db.session.scalar(db.select(PrizeTable)) is None
    db.session.refresh(contest)
    assert contest.completion_min_pct == 50


def test_a_check_without_a_note_says_what_to_write(client, contest, one_round, login_as):
    login_as("admin")
    response = client.post(f"/admin/contests/{contest.id}/awards/check", data={
        "table_id": one_round["table"].id, "participant_id": one_round["cheat"].id, "status": "verified",
        "note": "  "})
    assert response.status_code in (200, 302, 422), response.status_code


def test_contest_table_with_a_minimum_score(contest, one_round, frozen_clock):
    tables.save_prize_table(contest, None, levels=[LevelInput("Đặc biệt", 1)], min_score_pct=80, unit_top_n=1,
                            unit_min_rate_pct=10)
    publish_ranking(contest=contest)
    db.session.commit()
    section = propose(contest).section(None)
    assert section.status == "ready"


@pytest.mark.parametrize("value", ["sNaN", "NaN", "-Infinity"])
def test_contest_weights_that_are_no_number_are_a_message(client, login_as, value):
    login_as("admin")
    response = client.post("/admin/contests/new", data={"code": "MOI", "title": "Mới", "w_rate": value,
                                                        "w_score": "50"})
    assert response.status_code == 200
    assert "Nhập một số" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Contest).filter_by(code="MOI")) is None


def test_prediction_errors_read_as_numbers_on_the_proposal_and_the_public_ranking(
        client, contest, make_quiz, make_unit, make_attempt, frozen_clock, login_as):
    login_as("admin")
    unit = make_unit()
    quiz = make_quiz(questions=5, code="TUAN1", title="Tuần 1", contest=contest, prediction="count",
                     closes_at=frozen_clock.now() + timedelta(hours=1))
    make_attempt(quiz, unit, full_name="Nguyễn Văn An", score=5, prediction=1)
    make_attempt(quiz, unit, full_name="Trần Thị Bình", score=4, prediction=13)
    tables.save_prize_table(contest, quiz, levels=[LevelInput("Nhất", 1), LevelInput("Nhì", 1)])
    frozen_clock.advance(hours=2)
    publish_ranking(quiz=quiz)
    db.session.commit()
    proposal = client.get(f"/admin/contests/{contest.id}/awards").get_data(as_text=True)
    public = client.get("/r/TUAN1").get_data(as_text=True)
    for page in (proposal, public):
        assert "Trần Thị Bình" in page
        assert ".00000" not in page and ">12<" in page.replace(" ", "")


def test_a_too_long_note_is_said_not_silently_dropped(client, contest, one_round, login_as):
    login_as("admin")
    base = f"/admin/contests/{contest.id}/awards"
    checked = client.post(f"{base}/check", data={
        "table_id": one_round["table"].id, "participant_id": one_round["cheat"].id, "status": "verified",
        "note": "x" * 501}, follow_redirects=True)
    assert checked.status_code == 200 and "Tối đa 500 ký tự." in checked.get_data(as_text=True)
    published = client.post(f"{base}/publish", data={"note": "x" * 501}, follow_redirects=True)
    assert "Tối đa 500 ký tự." in published.get_data(as_text=True)
    assert publish.get_version(contest) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(checks.WinnerCheck)) == 0
