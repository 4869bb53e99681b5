"""Prize tables, award proposals from final rankings, winner checks and published award lists."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from quiz.errors import ConflictError, ValidationError
from quiz.extensions import db
from quiz.models import AuditEntry, AwardList, Contest, Participant
from quiz.services.awards import checks, publish, tables
from quiz.services.awards.propose import propose
from quiz.services.awards.tables import LevelInput
from quiz.services.rankings.published import publish_ranking

PHONE = re.compile(r"0\d{9}")


@pytest.fixture
def contest(ctx):
    contest = Contest(code="BDHVS", title="Cuộc thi Bình dân học vụ số 2025")
    db.session.add(contest)
    db.session.commit()
    return contest


@pytest.fixture
def round_of(make_quiz, contest, frozen_clock):
    def make(code: str, **overrides):
        return make_quiz(questions=5, code=code, title=f"Đợt {code}", contest=contest,
                         closes_at=frozen_clock.now() + timedelta(hours=1), **overrides)
    return make


def finalise(frozen_clock, *quizzes, contest=None):
    """Close the rounds and publish their final rankings (and the contest's, if asked)."""
    frozen_clock.advance(hours=2)
    for quiz in quizzes:
        snapshot = publish_ranking(quiz=quiz)
        assert not snapshot.is_provisional
    if contest is not None:
        publish_ranking(contest=contest)
    db.session.commit()


def prizes(*pairs):
    return [LevelInput(name, count) for name, count in pairs]


def winners(section):
    return [(w.prize, w.row["full_name"]) for w in section.winners]


def test_a_tie_for_the_last_prize_is_decided_by_prediction_then_time(
        contest, round_of, make_unit, make_attempt, frozen_clock):
    unit = make_unit(code="BVT", name="Bệnh viện Tỉnh")
    quiz = round_of("TUAN1", prediction="count")
    make_attempt(quiz, unit, full_name="Nguyễn Văn An", score=5, prediction=1, duration_ms=200_000)
    make_attempt(quiz, unit, full_name="Trần Thị Bình", score=4, prediction=2, duration_ms=100_000)
    make_attempt(quiz, unit, full_name="Lê Văn Cường", score=4, prediction=2, duration_ms=50_000)
    make_attempt(quiz, unit, full_name="Phạm Thị Dung", score=4, prediction=1, duration_ms=300_000)
    tables.save_prize_table(contest, quiz, levels=prizes(("Nhất", 1), ("Nhì", 1), ("Ba", 1)))
    finalise(frozen_clock, quiz)

    section = propose(contest).section(quiz)
    assert section.status == "ready"
    # truth = 1 (only An answered all five): Dung's error 0 beats Bình's and Cường's 1; then Cường was faster
    assert winners(section) == [("Nhất", "Nguyễn Văn An"), ("Nhì", "Phạm Thị Dung"), ("Ba", "Lê Văn Cường")]
    assert [w.decided_by for w in section.winners] == [None, "prediction", "duration"]
    assert [r["full_name"] for r in section.runners_up] == ["Trần Thị Bình"]


def test_one_prize_per_person_in_the_contest_the_next_in_line_moves_up(
        contest, round_of, make_unit, make_attempt, frozen_clock):
    unit = make_unit()
    first, second = round_of("TUAN1"), round_of("TUAN2")
    star = make_attempt(first, unit, full_name="Hoàng Minh Châu", score=5).participant
    make_attempt(first, unit, full_name="Vũ Thị Hà", score=4)
    make_attempt(first, unit, full_name="Đỗ Văn Khoa", score=3)
    make_attempt(second, star, score=5)
    make_attempt(second, unit, full_name="Bùi Thị Lan", score=4)
    make_attempt(second, unit, full_name="Ngô Văn Minh", score=3)
    for quiz in (first, second):
        tables.save_prize_table(contest, quiz, levels=prizes(("Nhất", 1), ("Nhì", 1)))
    finalise(frozen_clock, first, second)

    proposal = propose(contest)
    assert winners(proposal.section(first)) == [("Nhất", "Hoàng Minh Châu"), ("Nhì", "Vũ Thị Hà")]
    assert winners(proposal.section(second)) == [("Nhất", "Bùi Thị Lan"), ("Nhì", "Ngô Văn Minh")]
    skipped = proposal.section(second).skipped
    assert [(s.row["full_name"], s.reason) for s in skipped] == [("Hoàng Minh Châu", "has_prize")]
    assert proposal.section(second).winners[0].moved_up

    contest.one_prize_per_person = False
    assert winners(propose(contest).section(second))[0] == ("Nhất", "Hoàng Minh Châu")


def test_the_higher_prize_stands_across_rounds(contest, round_of, make_unit, make_attempt, frozen_clock):
    """Second in round 1 (Nhì) but first in round 2 (Nhất): the Nhất stands, round 1's Nhì moves down the line."""
    unit = make_unit()
    first, second = round_of("TUAN1"), round_of("TUAN2")
    make_attempt(first, unit, full_name="Người A", score=5)
    both = make_attempt(first, unit, full_name="Người B", score=4).participant
    make_attempt(first, unit, full_name="Người C", score=3)
    make_attempt(second, both, score=5)
    make_attempt(second, unit, full_name="Người D", score=4)
    for quiz in (first, second):
        tables.save_prize_table(contest, quiz, levels=prizes(("Nhất", 1), ("Nhì", 1)))
    finalise(frozen_clock, first, second)
    proposal = propose(contest)
    assert winners(proposal.section(first)) == [("Nhất", "Người A"), ("Nhì", "Người C")]
    assert winners(proposal.section(second)) == [("Nhất", "Người B"), ("Nhì", "Người D")]


def test_a_cap_limits_prizes_to_a_share_of_finishers(contest, round_of, make_unit, make_attempt, frozen_clock):
    unit = make_unit()
    quiz = round_of("TUAN1")
    for i in range(10):
        make_attempt(quiz, unit, full_name=f"Thí sinh {i}", score=5 - i % 5, duration_ms=10_000 + i)
    tables.save_prize_table(contest, quiz, levels=prizes(("Nhất", 1), ("Nhì", 2), ("Khuyến khích", 5)), cap_pct=25)
    finalise(frozen_clock, quiz)
    section = propose(contest).section(quiz)
    assert section.cap_slots == 2  # floor(10 × 25 %)
    assert [w.prize for w in section.winners] == ["Nhất", "Nhì"]


def test_a_minimum_score_leaves_prizes_unawarded(contest, round_of, make_unit, make_attempt, frozen_clock):
    unit = make_unit()
    quiz = round_of("TUAN1")
    make_attempt(quiz, unit, full_name="Giỏi", score=5)
    make_attempt(quiz, unit, full_name="Khá", score=4)
    make_attempt(quiz, unit, full_name="Trung bình", score=3)
    tables.save_prize_table(contest, quiz, levels=prizes(("Nhất", 1), ("Khuyến khích", 5)), min_score_pct=80)
    finalise(frozen_clock, quiz)
    section = propose(contest).section(quiz)
    assert winners(section) == [("Nhất", "Giỏi"), ("Khuyến khích", "Khá")]
    assert [(s.row["full_name"], s.reason) for s in section.skipped] == [("Trung bình", "below_min")]


def test_a_disqualification_moves_the_next_person_up_and_is_audited(
        contest, round_of, make_unit, make_attempt, make_organizer, frozen_clock):
    admin = make_organizer(role="admin")
    unit = make_unit()
    quiz = round_of("TUAN1")
    cheat = make_attempt(quiz, unit, full_name="Người Thi Hộ", score=5).participant
    make_attempt(quiz, unit, full_name="Người Thứ Hai", score=4)
    make_attempt(quiz, unit, full_name="Người Thứ Ba", score=3)
    table = tables.save_prize_table(contest, quiz, levels=prizes(("Nhất", 1), ("Nhì", 1)))
    finalise(frozen_clock, quiz)
    with pytest.raises(ValidationError):
        checks.check_winner(table, cheat.id, status="disqualified", note="  ", actor=admin)
    checks.check_winner(table, cheat.id, status="disqualified", note="Thi hộ (con thi thay)", actor=admin)
    db.session.commit()
    section = propose(contest).section(quiz)
    assert winners(section) == [("Nhất", "Người Thứ Hai"), ("Nhì", "Người Thứ Ba")]
    assert [(s.row["full_name"], s.reason, s.detail) for s in section.skipped] == [
        ("Người Thi Hộ", "disqualified", "Thi hộ (con thi thay)")]
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="awards.disqualify"))
    moved_in = db.session.get(Participant, entry.detail["moved_in"][0])
    assert moved_in.full_name == "Người Thứ Ba" and entry.detail["moved_out"] == [cheat.id]
    checks.clear_check(table, cheat.id, actor=admin)
    assert winners(propose(contest).section(quiz))[0] == ("Nhất", "Người Thi Hộ")


def test_units_are_prized_by_rank_and_by_participation_rate(contest, round_of, make_unit, make_attempt, frozen_clock):
    units = [make_unit(code=f"DV{i}", name=f"Đơn vị {i}", headcount=10) for i in range(4)]
    make_unit(code="KHONG", name="Chưa có chỉ tiêu", headcount=None)
    quiz = round_of("TUAN1")
    for unit, people in zip(units, (9, 8, 5, 2)):
        for _i in range(people):
            make_attempt(quiz, unit, score=5)
    tables.save_prize_table(contest, quiz, levels=[], unit_top_n=1, unit_top_name="Tập thể xuất sắc",
                            unit_min_rate_pct=80, unit_rate_name="Tham gia tích cực")
    finalise(frozen_clock, quiz)
    section = propose(contest).section(quiz)
    assert [(u.prize, u.row["code"]) for u in section.units] == [
        ("Tập thể xuất sắc", "DV0"), ("Tham gia tích cực", "DV0"), ("Tham gia tích cực", "DV1")]


def test_no_proposal_and_no_publication_from_a_provisional_ranking(
        contest, round_of, make_unit, make_attempt):
    quiz = round_of("TUAN1")
    make_attempt(quiz, make_unit(), score=5)
    tables.save_prize_table(contest, quiz, levels=prizes(("Nhất", 1)))
    assert propose(contest).section(quiz).status == "unpublished"
    publish_ranking(quiz=quiz)  # still open: provisional
    db.session.commit()
    section = propose(contest).section(quiz)
    assert (section.status, section.winners) == ("provisional", [])
    with pytest.raises(ConflictError):
        publish.publish_awards(contest)


def test_publishing_freezes_numbered_versions_after_every_winner_is_checked(
        contest, round_of, make_unit, make_attempt, make_organizer, frozen_clock):
    admin = make_organizer(role="admin")
    quiz = round_of("TUAN1")
    unit = make_unit(name="Trung tâm Y tế huyện")
    winner = make_attempt(quiz, unit, full_name="Nguyễn Thị Hoà", identity="0912345678", score=5).participant
    late = make_attempt(quiz, unit, full_name="Trần Văn Nam", score=4).participant
    table = tables.save_prize_table(contest, quiz, levels=prizes(("Nhất", 1)))
    finalise(frozen_clock, quiz)
    with pytest.raises(ValidationError) as refused:
        publish.publish_awards(contest, actor=admin)
    assert "Nguyễn Thị Hoà (Nhất)" in refused.value.fields["winners"]
    checks.check_winner(table, winner.id, status="verified", note="đã kiểm tra CCCD", actor=admin)
    first = publish.publish_awards(contest, actor=admin)
    db.session.commit()
    assert first.version == 1
    row = first.payload["sections"][0]["individuals"][0]
    assert (row["full_name"], row["prize"], row["identity"], row["check"]) == (
        "Nguyễn Thị Hoà", "Nhất", "09xx xxx 678", "verified")
    assert not PHONE.search(str(first.payload))
    checks.check_winner(table, winner.id, status="disqualified", note="Trùng người", actor=admin)
    checks.check_winner(table, late.id, status="verified", note="đã gọi điện", actor=admin)
    second = publish.publish_awards(contest, actor=admin)
    db.session.commit()
    assert second.version == 2
    assert publish.get_version(contest, 1).payload["sections"][0]["individuals"][0]["full_name"] == "Nguyễn Thị Hoà"
    assert publish.get_version(contest).payload["sections"][0]["individuals"][0]["full_name"] == "Trần Văn Nam"
    assert db.session.scalar(db.select(db.func.count(AwardList.id))) == 2


# --- Console, public page, exports, CLI ------------------------------------------------------

@pytest.fixture
def finished(contest, round_of, make_unit, make_attempt, frozen_clock):
    """A round with a prize table and a final published ranking; the organizer's contest."""
    unit = make_unit(code="TTYT", name="Trung tâm Y tế huyện Bát Xát")
    quiz = round_of("TUAN1")
    first = make_attempt(quiz, unit, full_name="Nguyễn Thị Hoà", identity="0912345678", score=5)
    second = make_attempt(quiz, unit, full_name="=HYPERLINK(\"http://x\")", identity="0987654321", score=4)
    table = tables.save_prize_table(contest, quiz, levels=prizes(("Nhất", 1), ("Nhì", 1)))
    finalise(frozen_clock, quiz)
    return {"quiz": quiz, "table": table, "first": first, "second": second}


def test_only_the_contests_organizers_open_the_award_pages(client, contest, login_as):
    paths = [f"/admin/contests/{contest.id}/awards", f"/admin/contests/{contest.id}/awards/settings",
             f"/admin/contests/{contest.id}/awards/tables/contest", f"/admin/contests/{contest.id}/certificates"]
    assert all(client.get(p).status_code == 302 for p in paths)  # to the login page
    login_as("unit")
    assert all(client.get(p).status_code == 403 for p in paths)
    assert client.post(f"/admin/contests/{contest.id}/awards/publish").status_code == 403
    client.post("/logout")
    login_as("organizer")  # not granted this contest
    assert all(client.get(p).status_code == 403 for p in paths)


def test_an_organizer_sets_a_prize_table_and_settings_through_the_console(client, contest, login_as):
    login_as("admin")
    form = client.get(f"/admin/contests/{contest.id}/awards/tables/contest").get_data(as_text=True)
    assert 'value="Nhất"' in form and 'value="Khuyến khích"' in form
    bad = client.post(f"/admin/contests/{contest.id}/awards/tables/contest", data={
        "levels-0-name": "Nhất", "levels-0-count": "1", "cap_pct": "150"})
    assert bad.status_code == 200 and "Lớn hơn 0, tối đa 100." in bad.get_data(as_text=True)
    bad = client.post(f"/admin/contests/{contest.id}/awards/tables/contest", data={
        "levels-0-name": "Nhất", "levels-0-count": "1", "levels-1-name": "nhất", "levels-1-count": "2"})
    assert bad.status_code == 200 and "Hai giải trùng tên" in bad.get_data(as_text=True)
    assert tables.get_table(contest) is None
    saved = client.post(f"/admin/contests/{contest.id}/awards/tables/contest", data={
        "levels-0-name": "Đặc biệt", "levels-0-count": "1", "levels-1-name": "Khuyến khích", "levels-1-count": "10",
        "min_score_pct": "50", "cap_pct": "10", "unit_top_n": "3", "unit_min_rate_pct": "80"})
    assert saved.status_code == 302
    table = tables.get_table(contest)
    assert [(level.name, level.count) for level in table.levels] == [("Đặc biệt", 1), ("Khuyến khích", 10)]
    assert (table.min_score_pct, table.cap_pct, table.unit_top_n, table.unit_min_rate_pct) == (50, 10, 3, 80)
    client.post(f"/admin/contests/{contest.id}/awards/settings", data={
        "certificate_issuer": "Đảng ủy Sở Y tế", "certificate_signer_name": "Đặng Quốc Việt",
        "completion_min_pct": "60"})
    db.session.refresh(contest)
    assert (contest.one_prize_per_person, contest.certificate_issuer, contest.completion_min_pct) == (
        False, "Đảng ủy Sở Y tế", 60)
    assert client.get(f"/admin/contests/{contest.id}/awards/tables/NOPE").status_code == 404


def test_the_proposal_page_verifies_disqualifies_and_publishes(client, contest, finished, login_as):
    login_as("admin")
    page = client.get(f"/admin/contests/{contest.id}/awards").get_data(as_text=True)
    assert "Nguyễn Thị Hoà" in page and "0912345678" in page  # organizers see the full identity
    table, first, second = finished["table"], finished["first"], finished["second"]
    client.post(f"/admin/contests/{contest.id}/awards/check", data={
        "table_id": table.id, "participant_id": first.participant_id, "status": "disqualified", "note": "Thi hộ"})
    client.post(f"/admin/contests/{contest.id}/awards/check", data={
        "table_id": table.id, "participant_id": second.participant_id, "status": "verified",
        "note": "đã gọi điện"})
    assert client.post(f"/admin/contests/{contest.id}/awards/check", data={
        "table_id": "99999999999", "participant_id": first.participant_id, "status": "verified",
        "note": "x"}).status_code == 400
    assert winners(propose(contest).section(finished["quiz"])) == [("Nhất", "=HYPERLINK(\"http://x\")")]
    response = client.post(f"/admin/contests/{contest.id}/awards/publish", data={"note": "Lần đầu"})
    assert response.status_code == 302
    assert publish.get_version(contest).version == 1


def test_the_published_list_public_page_xlsx_and_print(client, contest, finished, login_as):
    from openpyxl import load_workbook

    admin = login_as("admin")
    checks.check_winner(finished["table"], finished["first"].participant_id, status="verified", note="CCCD",
                        actor=admin)
    checks.check_winner(finished["table"], finished["second"].participant_id, status="verified", note="CCCD",
                        actor=admin)
    publish.publish_awards(contest, actor=admin)
    db.session.commit()
    public = client.get(f"/r/contest/{contest.code}/awards").get_data(as_text=True)
    assert "Nguyễn Thị Hoà" in public and "09xx xxx 678" in public and not PHONE.search(public)
    workbook = load_workbook(io.BytesIO(client.get(f"/admin/contests/{contest.id}/awards/export.xlsx").data))
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in cells and "Nguyễn Thị Hoà" in cells
    assert {"Họ và tên", "Đơn vị", "Giải", "Điểm", "Thời gian"} <= set(cells)
    assert "'=HYPERLINK(\"http://x\")" in cells  # a name is never a formula
    assert not any(PHONE.search(str(c)) for c in cells)
    printed = client.get(f"/admin/contests/{contest.id}/awards/print").get_data(as_text=True)
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in printed and "Trung tâm Y tế huyện Bát Xát" in printed
    assert client.get(f"/admin/contests/{contest.id}/awards/print?v=9").status_code == 404
    assert client.get("/r/contest/NOPE/awards").status_code == 404


def test_awards_cli_proposes_and_publishes(runner, contest, finished):
    proposed = runner.invoke(args=["awards", "propose", "BDHVS", "--round", "TUAN1"])
    assert proposed.exit_code == 0, proposed.output
    assert "Nhất" in proposed.output and "Nguyễn Thị Hoà" in proposed.output and "CHƯA XÁC MINH" in proposed.output
    refused = runner.invoke(args=["awards", "publish", "BDHVS"])
    assert refused.exit_code == 1 and "chưa được xác minh" in refused.output
    published = runner.invoke(args=["awards", "publish", "BDHVS", "--allow-unverified"])
    assert published.exit_code == 0 and "lần 1" in published.output
    assert runner.invoke(args=["awards", "propose", "NOPE"]).exit_code != 0
    assert runner.invoke(args=["awards", "propose", "BDHVS", "--round", "NOPE"]).exit_code != 0


def test_the_contest_table_reads_the_contest_ranking_and_comes_first_at_a_level(
        contest, round_of, make_unit, make_attempt, frozen_clock):
    unit = make_unit()
    first, second = round_of("TUAN1"), round_of("TUAN2")
    best = make_attempt(first, unit, full_name="Cả hai đợt", score=5).participant
    make_attempt(second, best, score=4)
    make_attempt(first, unit, full_name="Chỉ đợt 1", score=4)
    make_attempt(second, unit, full_name="Chỉ đợt 2", score=5)
    tables.save_prize_table(contest, None, levels=prizes(("Giải Đặc biệt", 1)))
    tables.save_prize_table(contest, first, levels=prizes(("Nhất", 1)))
    frozen_clock.advance(hours=2)
    publish_ranking(quiz=first)
    db.session.commit()
    assert propose(contest).section(None).status == "unpublished"
    publish_ranking(contest=contest)
    db.session.commit()
    proposal = propose(contest)
    assert winners(proposal.section(None)) == [("Giải Đặc biệt", "Cả hai đợt")]  # 9 points over both rounds
    assert winners(proposal.section(first)) == [("Nhất", "Chỉ đợt 1")]
    assert proposal.section(second).status == "no_prizes"
