"""Live sessions over HTTP: joining, the state endpoint's ETag/304, answering, host controls, and
the finished session seen by the normal rankings and exports."""
import csv
import io

import pytest

from quiz.extensions import db
from quiz.models import Attempt
from quiz.services.live_session import host as live


@pytest.fixture
def hall(app, client, make_quiz, make_unit, login_as, frozen_clock):
    """A quiz of 3 questions (B correct) with a session in the lobby; the client is an admin."""
    quiz = make_quiz(questions=3, shuffle_questions=False, code="HOITHI")
    make_unit(code="BVA", name="Bệnh viện A")
    make_unit(code="BVB", name="Bệnh viện B")
    session = live.create_session(quiz, {"question_time_s": 10}, actor=None)
    db.session.commit()
    login_as("admin")
    return session


def join(client, name, identity, unit="BVA"):
    response = client.post("/live/HOITHI", data={"full_name": name, "identity": identity, "unit_code": unit,
                                                 "consent": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def control(client, session, action, status=200):
    response = client.post(f"/admin/live/{session.id}/{action}", headers={"Accept": "application/json"})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def current_options(client, session):
    doc = client.get(f"/api/v1/live/{session.id}/state").get_json()
    question = doc["question"]
    return question["id"], [o["id"] for o in question["options"]]


def put_answer(client, token, question_id, option_ids):
    return client.put(f"/api/v1/live/players/{token}/answers/{question_id}", json={"option_ids": option_ids})


def test_join_page_registers_and_a_reload_continues(client, hall):
    page = client.get("/live/HOITHI")
    assert page.status_code == 200 and "Vào phòng thi" in page.get_data(as_text=True)
    bad = client.post("/live/HOITHI", data={"full_name": "A", "identity": "123", "unit_code": "BVA"})
    assert bad.status_code == 422 and "không hợp lệ" in bad.get_data(as_text=True)
    token = join(client, "Nguyễn Văn An", "0912 345 678")
    again = client.get("/live/HOITHI")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/live/p/{token}")
    phone = client.get(f"/live/p/{token}")
    assert phone.status_code == 200 and "Bạn đã vào phòng chờ." in phone.get_data(as_text=True)
    assert client.get("/live/KHONGCO").status_code == 404
    # Another phone, the same person typing the number another way: the same attempt.
    other = db.session.get(Attempt, 1)
    assert join(client.application.test_client(), "Nguyễn Văn An", "+84912345678") == other.token == token


def test_join_page_without_a_session(client, hall, make_quiz):
    make_quiz(questions=1, code="KHONGLIVE")
    page = client.get("/live/KHONGLIVE")
    assert page.status_code == 404 and "không có phiên thi trực tiếp" in page.get_data(as_text=True)


def test_state_etag_and_304(client, hall):
    url = f"/api/v1/live/{hall.id}/state"
    first = client.get(url)
    assert first.status_code == 200 and first.get_json()["state"] == "lobby"
    etag = first.headers["ETag"]
    assert first.headers["X-Server-Time"].isdigit()
    unchanged = client.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b"" and unchanged.headers["ETag"] == etag
    control(client, hall, "start")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["state"] == "question"
    missing = client.get("/api/v1/live/9999/state")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_no_correct_answer_leaves_before_the_reveal(client, hall):
    token = join(client, "Trần Bình", "0912000001")
    control(client, hall, "start")
    qid, option_ids = current_options(client, hall)
    state = client.get(f"/api/v1/live/{hall.id}/state").get_data(as_text=True)
    assert "correct_option" not in state and "is_correct" not in state and "explanation" not in state
    assert put_answer(client, token, qid, [option_ids[1]]).status_code == 200
    player = client.get(f"/api/v1/live/players/{token}").get_json()
    assert player["answer"] == {"question_id": qid, "option_ids": [option_ids[1]]} and player["result"] is None
    page = client.get(f"/live/p/{token}").get_data(as_text=True)
    assert "is_correct" not in page and "correct_option_ids" not in page
    control(client, hall, "reveal")
    revealed = client.get(f"/api/v1/live/{hall.id}/state").get_json()
    assert revealed["question"]["correct_option_ids"] == [option_ids[1]]
    assert revealed["distribution"][str(option_ids[1])] == 1
    mine = client.get(f"/api/v1/live/players/{token}").get_json()["result"]
    assert mine["is_correct"] is True and mine["rank"] == 1 and mine["correct"] == 1


def test_answer_errors_are_json(client, hall, frozen_clock):
    token = join(client, "Lê Chi", "0912000002")
    control(client, hall, "start")
    qid, option_ids = current_options(client, hall)
    url = f"/api/v1/live/players/{token}/answers/{qid}"
    bad_json = client.put(url, data="{", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.get_json()["error"]["code"] == "bad_json"
    bad_ids = client.put(url, json={"option_ids": ["a"]})
    assert bad_ids.status_code == 422 and "option_ids" in bad_ids.get_json()["error"]["fields"]
    two = client.put(url, json={"option_ids": option_ids[:2]})
    assert two.status_code == 422
    assert put_answer(client, "khongco", qid, [option_ids[0]]).status_code == 404
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), token[:-1] + "é"):
        assert client.get(f"/api/v1/live/players/{forged}").status_code == 404
        assert put_answer(client, forged, qid, [option_ids[0]]).get_json()["error"]["code"] == "not_found"
    frozen_clock.advance(seconds=12)
    late = put_answer(client, token, qid, [option_ids[1]])
    assert late.status_code == 410 and "hết giờ" in late.get_json()["error"]["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 1


def test_host_controls_refuse_wrong_states_in_json(client, hall):
    body = control(client, hall, "next", status=409)
    assert body["error"]["code"] == "live_state" and "công bố đáp án" in body["error"]["message"]
    assert client.post(f"/admin/live/{hall.id}/explode").status_code == 404
    no_js = client.post(f"/admin/live/{hall.id}/start")
    assert no_js.status_code == 302 and no_js.headers["Location"].endswith(f"/admin/live/{hall.id}")
    host = client.get(f"/admin/live/{hall.id}")
    html = host.get_data(as_text=True)
    assert host.status_code == 200 and "quiz.test/<wbr>live/<wbr>HOITHI" in html and "<svg" in html
    state = client.get(f"/admin/live/{hall.id}/host.json").get_json()
    assert state["state"] == "question" and state["joined"] == 0 and state["answered"] == 0


def test_creating_a_session_from_the_console(client, hall):
    quiz_code = hall.quiz.code
    control(client, hall, "end")
    page = client.get(f"/admin/quizzes/{quiz_code}/live")
    assert page.status_code == 200 and "Tạo phiên thi trực tiếp" in page.get_data(as_text=True)
    bad = client.post(f"/admin/quizzes/{quiz_code}/live", data={"question_time_s": "500"}, follow_redirects=True)
    assert "từ 5 đến 120" in bad.get_data(as_text=True)
    made = client.post(f"/admin/quizzes/{quiz_code}/live", data={"question_time_s": "15", "scoring": "speed"})
    assert made.status_code == 302 and "/admin/live/" in made.headers["Location"]


def test_finished_session_is_in_the_rankings_and_exports(client, runner, hall, frozen_clock, tmp_path):
    fast = join(client, "Phạm Nhanh", "0912000011", "BVA")
    slow = join(client, "Đỗ Chậm", "0912000012", "BVB")
    control(client, hall, "start")
    for _question in range(3):
        qid, option_ids = current_options(client, hall)
        frozen_clock.advance(seconds=1)
        assert put_answer(client, fast, qid, [option_ids[1]]).status_code == 200
        frozen_clock.advance(seconds=2)
        assert put_answer(client, slow, qid, [option_ids[1]]).status_code == 200
        control(client, hall, "reveal")
        control(client, hall, "next")
    final = client.get(f"/api/v1/live/{hall.id}/state").get_json()
    assert final["state"] == "ended"
    assert [(p["full_name"], p["correct"], p["time_ms"]) for p in final["top"]] == [
        ("Phạm Nhanh", 3, 3000), ("Đỗ Chậm", 3, 9000)]
    leaderboard = client.get("/api/v1/quizzes/HOITHI/leaderboard").get_json()["rows"]
    assert [(r["full_name"], r["score"], r["duration_s"]) for r in leaderboard] == [
        ("Phạm Nhanh", 3, 3.0), ("Đỗ Chậm", 3, 9.0)]
    units = client.get("/api/v1/quizzes/HOITHI/unit-ranking").get_json()["rows"]
    assert {u["code"]: u["participants"] for u in units}["BVA"] == 1
    out = tmp_path / "live.csv"
    result = runner.invoke(args=["export", "HOITHI", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:3]] == ["Phạm Nhanh", "Đỗ Chậm"]


def test_unchanged_polls_are_answered_before_flask_within_the_version_ttl(app, client, hall):
    """The fast path keeps the version ≤ LIVE_VERSION_TTL_MS; a host action on this server
    updates it at once, a change made elsewhere (another app server) shows after the TTL."""
    app.config["LIVE_VERSION_TTL_MS"] = 60_000
    url = f"/api/v1/live/{hall.id}/state"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    live.control(hall, "start")  # as if another app server handled the host's click
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304  # still within the TTL
    app.config["LIVE_VERSION_TTL_MS"] = 0
    seen = client.get(url, headers={"If-None-Match": etag})
    assert seen.status_code == 200 and seen.get_json()["state"] == "question"
    app.config["LIVE_VERSION_TTL_MS"] = 60_000
    etag = seen.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": f'W/{etag}, "v0"'}).status_code == 304
    control(client, hall, "pause")  # handled here: the cached version moves with it
    assert client.get(url, headers={"If-None-Match": etag}).get_json()["state"] == "paused"


def test_live_responses_match_the_openapi_document(client, hall):
    from tests.test_play_contract import check, response_schema

    spec = client.get("/api/v1/openapi.json").get_json()
    token = join(client, "Hà Văn Sơn", "0912000077")
    control(client, hall, "start")
    state = client.get(f"/api/v1/live/{hall.id}/state").get_json()
    check(response_schema(spec, "/live/{session_id}/state", "get", 200), state, spec)
    check(response_schema(spec, "/live/players/{attempt_id}", "get", 200),
          client.get(f"/api/v1/live/players/{token}").get_json(), spec)
    qid = state["question"]["id"]
    saved = put_answer(client, token, qid, [state["question"]["options"][0]["id"]])
    check(response_schema(spec, "/live/players/{attempt_id}/answers/{question_id}", "put", 200), saved.get_json(), spec)
    late = put_answer(client, token, qid + 999, [1])
    check(response_schema(spec, "/live/players/{attempt_id}/answers/{question_id}", "put", 404), late.get_json(), spec)


def test_phone_page_answers_without_javascript(client, hall, frozen_clock):
    token = join(client, "Vi Thị Hoa", "0912000088")
    control(client, hall, "start")
    page = client.get(f"/live/p/{token}").get_data(as_text=True)
    qid, option_ids = current_options(client, hall)
    assert f'name="option" value="{option_ids[0]}"' in page and "Câu 1/3" in page
    posted = client.post(f"/live/p/{token}/answer", data={"question": str(qid), "option": str(option_ids[1])})
    assert posted.status_code == 302
    assert "Đã ghi nhận" in client.get(f"/live/p/{token}").get_data(as_text=True)
    again = client.post(f"/live/p/{token}/answer", data={"question": str(qid), "option": str(option_ids[0])},
                        follow_redirects=True)
    assert "không thể đổi đáp án" in again.get_data(as_text=True)
    assert client.post(f"/live/p/{token}/answer", data={"question": "x", "option": "1"}).status_code == 400
    assert client.post("/live/p/khongco/answer", data={"question": "1", "option": "1"}).status_code == 404


def test_ids_too_large_for_the_database_are_404_not_500(client, hall):
    """Found by the API fuzzer: a session id past 2**63 overflowed the SQLite driver, past 2**31 PostgreSQL's int4."""
    response = client.get("/api/v1/live/9223372036854775808/state")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/live/2147483648/state").status_code == 404  # past PostgreSQL's int4
    assert client.get("/api/v1/live/2147483647/state").status_code == 404
    assert client.get("/admin/live/99999999999999999999999").status_code == 404


def test_phone_numbers_are_masked_in_everything_the_hall_and_phones_see(client, hall):
    """PRODUCT: public screens never show a phone number in full — the live state, the player's
    own result, the phone page and the projector's payload included."""
    token = join(client, "Trần Bình", "0912 000 001")
    join(client, "Lê Chi", "+84 912 000 002", unit="BVB")
    control(client, hall, "start")
    qid, option_ids = current_options(client, hall)
    put_answer(client, token, qid, [option_ids[1]])
    control(client, hall, "reveal")
    seen = {
        "state": client.get(f"/api/v1/live/{hall.id}/state").get_data(as_text=True),
        "player": client.get(f"/api/v1/live/players/{token}").get_data(as_text=True),
        "phone page": client.get(f"/live/p/{token}").get_data(as_text=True),
        "host": client.get(f"/admin/live/{hall.id}/host.json").get_data(as_text=True),
    }
    assert "Trần Bình" in seen["state"]  # the standings are there, so the check below has rows to look at
    for where, text in seen.items():
        for full in ("0912000001", "0912000002", "912000001", "912000002", "0912 000 001"):
            assert full not in text, (where, full)


@pytest.mark.parametrize("secure", [False, True])
def test_fast_path_answers_carry_the_security_headers(app, client, hall, secure):
    """Issue 12 item 11: the polls answered before Flask (304, and the cached 200) lacked CSP,
    nosniff and frame headers. Every response carries the same set, written once in quiz.headers."""
    app.config["LIVE_VERSION_TTL_MS"] = 60_000
    app.config["SESSION_COOKIE_SECURE"] = secure
    url = f"/api/v1/live/{hall.id}/state"
    through_flask = client.get(url)
    etag = through_flask.headers["ETag"]
    unchanged = client.get(url, headers={"If-None-Match": etag})  # the fast path's 304
    cached = client.get(url)  # the fast path's 200 from the document Flask built
    assert unchanged.status_code == 304 and cached.status_code == 200
    for response in (through_flask, unchanged, cached):
        for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
            assert response.headers.get(name) == through_flask.headers[name], (response.status, name)
        assert ("Strict-Transport-Security" in response.headers) is secure
