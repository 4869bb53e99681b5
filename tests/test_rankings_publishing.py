"""Publishing freezes a ranking; public pages, the API and the board read it; organizers see live."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quiz.extensions import db
from quiz.models import AuditEntry, RankingSnapshot
from quiz.services.rankings import published as publishing

PHONE = re.compile(r"0\d{9}")


@pytest.fixture
def seeded(make_quiz, make_unit, make_attempt, frozen_clock):
    root = make_unit(code="SYT", name="Sở Y tế", headcount=None)
    cdc = make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật", headcount=4, parent=root)
    bv = make_unit(code="BV", name="Bệnh viện Đa khoa", headcount=10, parent=root)
    quiz = make_quiz(questions=5, code="TUAN1", title="Tuần 1 — Chuyển đổi số", prediction="count",
                     closes_at=frozen_clock.now() + timedelta(hours=1))
    make_attempt(quiz, cdc, full_name="Nguyễn Thị Lan", identity="0912345678", score=5, prediction=1)
    make_attempt(quiz, bv, full_name="Trần Văn Hùng", identity="0987654321", score=4, prediction=2)
    return {"quiz": quiz, "cdc": cdc, "bv": bv}


def login(client, make_organizer, role="organizer", **extra):
    user = make_organizer(role=role, password="mat-khau-123", **extra)
    client.post("/login", data={"email": user.email, "password": "mat-khau-123"})
    return user


def test_public_page_says_not_published_until_published(client, seeded):
    page = client.get("/r/TUAN1").get_data(as_text=True)
    assert "Chưa công bố kết quả" in page
    assert "Nguyễn Thị Lan" not in page


def test_snapshot_is_frozen_and_versions_stay_readable(ctx, seeded, make_attempt, make_organizer, frozen_clock):
    quiz, admin = seeded["quiz"], make_organizer(role="admin")
    first = publishing.publish_ranking(quiz=quiz, actor=admin, note="Sau ngày thứ nhất")
    db.session.commit()
    assert (first.version, first.is_provisional) == (1, True)
    assert [r["full_name"] for r in first.payload["individuals"]] == ["Nguyễn Thị Lan", "Trần Văn Hùng"]
    assert first.payload["individuals"][0]["identity"] == "09xx xxx 678"  # stored masked
    make_attempt(quiz, seeded["bv"], full_name="Lê Minh Quân", score=5, duration_ms=1000)
    latest = publishing.get_snapshot(quiz=quiz)
    assert latest.id == first.id
    assert len(latest.payload["individuals"]) == 2  # the later attempt changes nothing announced
    frozen_clock.advance(hours=2)
    second = publishing.publish_ranking(quiz=quiz, actor=admin)
    db.session.commit()
    assert (second.version, second.is_provisional) == (2, False)
    assert second.payload["prediction_truth"] == "2"  # Lan and Quân answered all five right
    # Quân was faster, but Lan's prediction error (1) beats no prediction at all
    assert [(r["full_name"], r["prediction_error"]) for r in second.payload["individuals"]] == [
        ("Nguyễn Thị Lan", "1.00000"), ("Lê Minh Quân", None), ("Trần Văn Hùng", "0.00000")]
    assert publishing.get_snapshot(quiz=quiz).version == 2
    assert len(publishing.get_snapshot(quiz=quiz, version=1).payload["individuals"]) == 2
    audits = db.session.scalars(db.select(AuditEntry).filter_by(action="ranking.publish")).all()
    assert [a.detail["version"] for a in audits] == [1, 2]
    assert audits[0].actor_id == admin.id and audits[0].target_type == "Quiz"


def test_organizer_publishes_through_the_console(client, seeded, make_organizer, make_attempt):
    user = login(client, make_organizer, role="admin")
    page = client.get("/admin/quizzes/TUAN1/rankings").get_data(as_text=True)
    assert "0912345678" in page  # organizers see full identities
    assert "KẾT QUẢ TẠM THỜI" in page
    response = client.post("/admin/quizzes/TUAN1/rankings/publish", data={"note": "Kết quả ngày 1"})
    assert response.status_code == 302
    with client.application.app_context():
        snapshot = db.session.scalar(db.select(RankingSnapshot))
        assert (snapshot.version, snapshot.note, snapshot.published_by_id) == (1, "Kết quả ngày 1", user.id)
    public = client.get("/r/TUAN1").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in public and "09xx xxx 678" in public and "Công bố lần 1" in public
    assert "0912345678" not in public
    make_attempt(seeded["quiz"], seeded["bv"], full_name="Người Đến Sau", score=5)
    assert "Người Đến Sau" not in client.get("/r/TUAN1").get_data(as_text=True)
    client.post("/admin/quizzes/TUAN1/rankings/publish", data={"note": ""})
    assert "Người Đến Sau" in client.get("/r/TUAN1").get_data(as_text=True)
    old = client.get("/r/TUAN1?v=1").get_data(as_text=True)
    assert "Người Đến Sau" not in old and "Công bố lần 1" in old
    assert client.get("/r/TUAN1?v=9").status_code == 404


def test_console_needs_a_manager(client, seeded, make_organizer):
    assert client.get("/admin/quizzes/TUAN1/rankings").status_code == 302  # to login
    login(client, make_organizer, role="organizer")  # not an organizer of this contest
    assert client.get("/admin/quizzes/TUAN1/rankings").status_code == 403
    assert client.post("/admin/quizzes/TUAN1/rankings/publish").status_code == 403
    assert client.get("/admin/quizzes/TUAN1/rankings/export.csv").status_code == 403


def test_publish_form_needs_csrf(app, seeded, make_organizer):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    login(client, make_organizer, role="admin")
    client.post("/admin/quizzes/TUAN1/rankings/publish", data={"note": "x"})
    with app.app_context():
        assert db.session.scalar(db.select(RankingSnapshot)) is None


def test_parent_filter_on_the_public_page(client, ctx, seeded, make_unit, make_attempt):
    khoa = make_unit(code="BV-NOI", name="Khoa Nội", headcount=3, parent=seeded["bv"])
    make_attempt(seeded["quiz"], khoa, full_name="Phạm Khoa Nội", score=3)
    publishing.publish_ranking(quiz=seeded["quiz"])
    db.session.commit()
    page = client.get("/r/TUAN1?parent=BV").get_data(as_text=True)
    assert "Khoa Nội" in page and "Trung tâm Kiểm soát bệnh tật" not in page.split("Cá nhân dẫn đầu")[0]
    top = client.get("/r/TUAN1").get_data(as_text=True).split("Cá nhân dẫn đầu")[0]
    assert "Trung tâm Kiểm soát bệnh tật" in top and "Bệnh viện Đa khoa" in top


def test_api_leaderboard_and_unit_ranking(client, ctx, seeded):
    body = client.get("/api/v1/quizzes/TUAN1/leaderboard").get_json()
    assert body["published_at"] is None and body["provisional"] is True
    assert body["quiz"] == {"code": "TUAN1", "title": "Tuần 1 — Chuyển đổi số"}
    first = body["rows"][0]
    assert first == {"rank": 1, "full_name": "Nguyễn Thị Lan", "identity": "09xx xxx 678", "unit_code": "CDC",
                     "unit_name": "Trung tâm Kiểm soát bệnh tật", "correct_count": 5, "score": 5, "max_score": 5,
                     "score_pct": 100.0, "prediction": 1.0, "prediction_error": None, "duration_s": 60.0,
                     "submitted_at": first["submitted_at"]}
    assert len(client.get("/api/v1/quizzes/TUAN1/leaderboard?limit=1").get_json()["rows"]) == 1
    units = client.get("/api/v1/quizzes/TUAN1/unit-ranking").get_json()
    assert [(r["code"], r["rank"], r["participants"], r["participation_rate"]) for r in units["rows"]] == [
        ("CDC", 1, 1, 0.25), ("BV", 2, 1, 0.1)]
    assert set(units["rows"][0]) == {"rank", "code", "name", "parent_code", "headcount", "participants",
                                     "participation_rate", "mean_score_pct", "emulation_score", "is_flagged"}
    publishing.publish_ranking(quiz=seeded["quiz"])
    db.session.commit()
    assert client.get("/api/v1/quizzes/TUAN1/leaderboard").get_json()["published_at"] is not None
    missing = client.get("/api/v1/quizzes/NOPE/leaderboard")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/quizzes/NOPE/unit-ranking").status_code == 404


def test_board_page_and_json(client, ctx, seeded):
    page = client.get("/board/TUAN1")
    assert page.status_code == 200 and "board.js" in page.get_data(as_text=True)
    assert "Thứ tự theo điểm thi đua; thanh và số % là tỉ lệ tham gia" in page.get_data(as_text=True)
    data = client.get("/board/TUAN1/data.json").get_json()
    assert data["counters"] == {"participants": 2, "finished": 2, "headcount": 14, "finished_pct": 14.3}
    assert [u["code"] for u in data["units"]] == ["CDC", "BV"]
    assert data["top"][0]["full_name"] == "Nguyễn Thị Lan"
    assert data["latest"][0]["name"] in ("Lan", "Hùng") and "xx" in data["latest"][0]["identity"]
    published = client.get("/board/TUAN1/data.json?source=published").get_json()
    assert published["is_published"] is False and "top" not in published
    assert client.get("/board/NOPE").status_code == 404


def test_no_public_surface_shows_a_full_phone_number(client, ctx, seeded):
    publishing.publish_ranking(quiz=seeded["quiz"])
    db.session.commit()
    contest = seeded["quiz"].contest
    publishing.publish_ranking(contest=contest)
    db.session.commit()
    urls = ["/r/TUAN1", f"/r/contest/{contest.code}", "/board/TUAN1", "/board/TUAN1/data.json",
            "/board/TUAN1/data.json?source=published", "/api/v1/quizzes/TUAN1/leaderboard",
            "/api/v1/quizzes/TUAN1/unit-ranking", "/r/TUAN1/export.csv", "/r/TUAN1/export.csv?table=units",
            f"/r/contest/{contest.code}/export.csv"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert not PHONE.search(text), url
    import io

    from openpyxl import load_workbook
    for url in ("/r/TUAN1/export.xlsx", f"/r/contest/{contest.code}/export.xlsx"):
        book = load_workbook(io.BytesIO(client.get(url).data), read_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    assert not (isinstance(value, str) and PHONE.search(value)), (url, value)
        book.close()
    assert "09xx xxx 678" in client.get("/r/TUAN1/export.csv").get_data(as_text=True)


def test_unit_contact_sees_their_units(client, ctx, seeded, make_organizer):
    login(client, make_organizer, role="unit", unit=seeded["cdc"])
    page = client.get("/admin/unit-results").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in page and "Trần Văn Hùng" not in page
    assert "1/4 người đã thi (25%)" in page
    client.post("/logout")
    login(client, make_organizer, role="organizer")
    assert client.get("/admin/unit-results").status_code == 403


def test_console_parent_filter(client, seeded, make_organizer, make_unit, make_attempt):
    login(client, make_organizer, role="admin")
    khoa = make_unit(code="BV-NGOAI", name="Khoa Ngoại", headcount=5, parent=seeded["bv"])
    make_attempt(seeded["quiz"], khoa, full_name="Vũ Ngoại", score=2)
    page = client.get("/admin/quizzes/TUAN1/rankings?parent=BV").get_data(as_text=True)
    units_part = page.split("Xếp hạng cá nhân")[0]
    assert '<option value="BV" selected>' in page
    assert "Khoa Ngoại" in units_part and "Trung tâm Kiểm soát bệnh tật" not in units_part



def test_board_shows_this_servers_join_address_when_no_base_url_is_set(app, client, make_quiz):
    make_quiz(code="BANG1")
    app.config["QUIZ_BASE_URL"] = None
    page = client.get("/board/BANG1", base_url="http://thi.syt.local").get_data(as_text=True)
    assert "Vào thi: http://thi.syt.local/j/BANG1" in page and "None" not in page


def test_public_reads_parse_a_snapshot_once_per_process(app, client, ctx, seeded, make_attempt):
    """A published payload never changes, so the public page, the API and the board keep it parsed
    (keyed by snapshot id); a new publication is a new id and shows at once."""
    from sqlalchemy import event

    first_id = publishing.publish_ranking(quiz=seeded["quiz"]).id
    db.session.commit()
    loads = []

    def count_payload_reads(_conn, _cursor, statement, *_args):
        if "ranking_snapshot.payload" in statement:
            loads.append(statement)
    event.listen(db.engine, "before_cursor_execute", count_payload_reads)
    try:
        for url in ("/r/TUAN1", "/api/v1/quizzes/TUAN1/unit-ranking", "/api/v1/quizzes/TUAN1/leaderboard",
                    "/board/TUAN1/data.json?source=published", "/r/TUAN1"):
            assert client.get(url).status_code == 200
        assert len(loads) == 1
        make_attempt(seeded["quiz"], seeded["bv"], full_name="Lê Thị Mai", score=5)
        second_id = publishing.publish_ranking(quiz=seeded["quiz"]).id
        db.session.commit()
        loads.clear()  # publishing itself wrote and read the new payload
        assert second_id != first_id
        rows = client.get("/api/v1/quizzes/TUAN1/leaderboard").get_json()["rows"]
        assert "Lê Thị Mai" in [r["full_name"] for r in rows] and len(loads) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", count_payload_reads)


def test_two_publications_at_once_never_share_a_version(app, ctx, seeded, make_organizer):
    """Two organizers (or an organizer and a key correction) publish the same quiz at once: each
    read the latest version, both wrote the next. The unique key (quiz, contest, version) never
    fired — one of its columns is always NULL — so two different payloads were 'version 1'. Now
    each scope's versions are unique (migration 0013) and the later publication takes the next."""
    import threading

    from quiz.models import Organizer, Quiz
    from tests.threads import At, finish, in_app_thread, stopping_at

    quiz_id, admin_id = seeded["quiz"].id, make_organizer(role="admin").id
    second_done, errors = threading.Event(), []
    first_reads = At("INSERT INTO RANKING_SNAPSHOT", release=second_done)  # its version chosen

    def publish(note):
        def work():
            if note == "first":
                first_reads.mark()
            publishing.publish_ranking(quiz=db.session.get(Quiz, quiz_id), actor=db.session.get(Organizer, admin_id),
                                       note=note)
        return work

    with stopping_at(first_reads):
        first = in_app_thread(app, "first", errors, publish("first"))
        assert first_reads.reached.wait(15)
        second = in_app_thread(app, "second", errors, publish("second"), done=second_done)
        finish(second, first)
    assert errors == []
    db.session.rollback()
    versions = db.session.execute(db.select(RankingSnapshot.note, RankingSnapshot.version)
                                  .where(RankingSnapshot.quiz_id == quiz_id).order_by(RankingSnapshot.version)).all()
    assert [tuple(v) for v in versions] == [("second", 1), ("first", 2)]
