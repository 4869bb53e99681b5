"""Admission control (quiz/admission.py) and a busy database: a fast 503 + Retry-After that
changes nothing and that the phone re-sends by itself; never a 500, never a double submit."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from prometheus_client import REGISTRY
from sqlalchemy.exc import OperationalError

from quiz import admission
from quiz.extensions import db
from quiz.models import Attempt, Participant
from tests.conftest import POSTGRES_URL


def register(client, code="TUAN1", **overrides):
    body = {"full_name": "Nguyễn Thị Hoa", "unit_code": "CDC", "identity": "0912 345 678", "consent": True}
    body.update(overrides)
    return client.post(f"/api/v1/quizzes/{code}/attempts", json=body)


def form_data(**overrides):
    data = {"full_name": "Lò Văn Pếnh", "unit_code": "CDC", "identity": "0977 111 222", "consent": "y",
            "birth_year": "", "position": ""}
    data.update(overrides)
    return data


@pytest.fixture
def app_config(app_config):
    return {**app_config, "QUIZ_ADMISSION_START": 1, "QUIZ_ADMISSION_SUBMIT": 1, "QUIZ_ADMISSION_RETRY_S": 2}


@pytest.fixture
def quiz(make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật tỉnh")
    return make_quiz(questions=4, code="TUAN1", duration_s=600)


class held:
    """Occupy a gate's one slot, as a request in flight in another thread would."""

    def __init__(self, app, kind):
        self.gate = admission.gates(app)[kind]

    def __enter__(self):
        assert self.gate.enter()
        return self.gate

    def __exit__(self, *exc):
        self.gate.leave()


def refused(endpoint: str, reason: str = "in_flight") -> float:
    return REGISTRY.get_sample_value("thiduaso_admissions_refused_total",
                                     {"endpoint": endpoint, "reason": reason}) or 0.0


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_api_start_over_the_bound_is_a_fast_busy_503_that_changes_nothing(app, client, quiz):
    before = refused("api.start_attempt")
    with held(app, "start"):
        response = register(client)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2" and response.headers["Cache-Control"] == "no-store"
    error = response.get_json()["error"]
    assert error["code"] == "busy" and error["retry_after"] == 2 and "Đang đông" in error["message"]
    assert count(Attempt) == 0 and count(Participant) == 0
    assert refused("api.start_attempt") == before + 1
    assert register(client).status_code == 201  # the slot is free again: the same request passes


def test_the_slot_is_given_back_when_the_request_fails(app, client, quiz):
    assert register(client, identity="12").status_code == 422  # refused by validation, inside the gate
    assert admission.gates(app)["start"].in_flight == 0
    assert register(client).status_code == 201


def test_html_start_over_the_bound_re_sends_the_typed_registration(app, client, quiz):
    with held(app, "start"):
        response = client.post("/j/TUAN1?u=CDC", data=form_data())
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    html = response.get_data(as_text=True)
    assert "Đang đông, tự thử lại sau" in html and 'id="busy"' in html and "js/play.js" in html
    assert 'action="/j/TUAN1?u=CDC"' in html
    assert 'name="full_name" value="Lò Văn Pếnh"' in html and 'name="identity" value="0977 111 222"' in html
    assert count(Attempt) == 0
    assert client.post("/j/TUAN1?u=CDC", data=form_data()).status_code == 302


def test_the_echoed_form_is_escaped(app, client, quiz):
    with held(app, "start"):
        html = client.post("/j/TUAN1", data=form_data(full_name='"><script>alert(1)</script>')).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_join_page_get_is_not_bounded(app, client, quiz):
    with held(app, "start"):
        assert client.get("/j/TUAN1").status_code == 200


def test_submit_over_the_bound_then_once_only(app, client, quiz):
    token = register(client).get_json()["attempt_id"]
    before = refused("api.submit")
    with held(app, "submit"):
        response = client.post(f"/api/v1/attempts/{token}/submit")
        page = client.post(f"/a/{token}/submit")
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "busy"
    assert page.status_code == 503 and f'action="/a/{token}/submit"' in page.get_data(as_text=True)
    assert refused("api.submit") == before + 1 and refused("play.submit") >= 1
    assert db.session.scalar(db.select(Attempt)).submitted_at is None  # nothing was done
    first = client.post(f"/api/v1/attempts/{token}/submit")
    again = client.post(f"/api/v1/attempts/{token}/submit")  # a retry after all: the same result
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    db.session.expire_all()
    assert db.session.scalar(db.select(Attempt)).finalised_by == "participant"


def test_saves_are_not_bounded_by_the_submit_gate(app, client, quiz):
    started = register(client).get_json()
    question = started["questions"][0]
    with held(app, "start"), held(app, "submit"):
        response = client.put(f"/api/v1/attempts/{started['attempt_id']}/answers/{question['id']}",
                              json={"option_ids": [question["options"][0]["id"]]})
    assert response.status_code == 200


def test_bounds_in_flight_across_threads(app, quiz):
    """Requests really in flight at once: the second concurrent start is refused, not queued."""
    gate = admission.gates(app)["start"]
    inside, release = threading.Event(), threading.Event()
    original = gate.leave

    def slow_leave():
        inside.set()
        release.wait(5)
        original()
    gate.leave = slow_leave  # the first request holds its slot until released
    results = []
    first = threading.Thread(target=lambda: results.append(register(app.test_client()).status_code))
    first.start()
    assert inside.wait(5)
    results.append(register(app.test_client(), identity="0912 000 111").status_code)
    release.set()
    first.join(5)
    gate.leave = original
    assert sorted(results) == [201, 503]


def test_default_bound_follows_the_pool():
    assert admission.default_bound({}) == 4
    assert admission.default_bound({"pool_size": 8}) == 4  # the default pool: 4 + 4 < 8 threads
    assert admission.default_bound({"pool_size": 10}) == 5
    assert admission.default_bound({"pool_size": 1}) == 1


def test_zero_turns_the_bound_off(make_app, app_config):
    app = make_app({**app_config, "QUIZ_ADMISSION_START": 0})
    gate = admission.gates(app)["start"]
    assert all(gate.enter() for _i in range(100))


# --- A request that waited too long in front of the app (behind nginx) -----------------------

def stamped(seconds_ago: float, frozen_clock) -> dict:
    return {"X-Request-Start": f"t={frozen_clock.now().timestamp() - seconds_ago:.3f}"}


def test_a_request_queued_too_long_behind_nginx_is_refused_at_once(app, client, quiz, frozen_clock):
    app.config.update(QUIZ_TRUSTED_PROXIES=1, QUIZ_ADMISSION_QUEUE_S=5)
    before = refused("api.start_attempt", "queued")
    late = client.post("/api/v1/quizzes/TUAN1/attempts", headers=stamped(6, frozen_clock), json={
        "full_name": "Nguyễn Thị Hoa", "unit_code": "CDC", "identity": "0912 345 678", "consent": True})
    assert late.status_code == 503 and late.get_json()["error"]["code"] == "busy" and late.headers["Retry-After"]
    assert refused("api.start_attempt", "queued") == before + 1
    assert count(Attempt) == 0
    page = client.get("/j/TUAN1", headers=stamped(9, frozen_clock))  # any participant page, GET too
    assert page.status_code == 503 and 'id="busy-reload"' in page.get_data(as_text=True)
    assert client.get("/j/TUAN1", headers=stamped(1, frozen_clock)).status_code == 200
    assert client.get("/healthz", headers=stamped(60, frozen_clock)).status_code == 200  # not a participant page


def test_the_queue_stamp_is_ignored_without_a_trusted_proxy(app, client, quiz, frozen_clock):
    app.config.update(QUIZ_TRUSTED_PROXIES=0, QUIZ_ADMISSION_QUEUE_S=5)
    assert client.get("/j/TUAN1", headers=stamped(60, frozen_clock)).status_code == 200
    assert client.get("/j/TUAN1", headers={"X-Request-Start": "t=nonsense"}).status_code == 200


def test_a_stamp_from_a_clock_far_off_refuses_nobody(app, client, quiz, frozen_clock):
    """nginx on another machine whose clock is minutes off must not turn every phone away."""
    app.config.update(QUIZ_TRUSTED_PROXIES=1, QUIZ_ADMISSION_QUEUE_S=5)
    assert client.get("/j/TUAN1", headers=stamped(600, frozen_clock)).status_code == 200
    assert client.get("/j/TUAN1", headers=stamped(-30, frozen_clock)).status_code == 200


# --- A busy database is the same 503, never a 500 ------------------------------------------------

@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's own lock")
def test_sqlite_locked_is_a_busy_503(make_app, app_config, quiz):
    app = make_app({**app_config, "PROPAGATE_TEST_ERRORS": False, "QUIZ_ADMISSION_START": 0,
                    "SQLITE_BUSY_TIMEOUT_MS": 50})  # the same file, a short lock wait
    client = app.test_client()
    holder = sqlite3.connect(app_config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        api = register(client)
        page = client.post("/j/TUAN1", data=form_data())
    finally:
        holder.rollback()
        holder.close()
    assert api.status_code == 503 and api.headers["Retry-After"] == "2"
    assert api.get_json()["error"]["code"] == "busy"
    assert page.status_code == 503 and "Đang đông" in page.get_data(as_text=True)
    assert REGISTRY.get_sample_value("thiduaso_database_busy_total", {"endpoint": "api.start_attempt"}) >= 1
    assert register(client).status_code == 201  # the lock is gone: the same request passes


@pytest.mark.postgres_only
def test_postgres_lock_timeout_is_a_busy_503(make_app, app_config, quiz):
    """An operator's lock_timeout (or statement_timeout) ran out while a close held the quiz row."""
    app = make_app({**app_config, "PROPAGATE_TEST_ERRORS": False, "QUIZ_ADMISSION_START": 0,
                    "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c lock_timeout=100"}}})
    import psycopg
    holder = psycopg.connect(POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://"))
    holder.execute("SELECT id FROM quiz WHERE code = 'TUAN1' FOR UPDATE")
    try:
        response = register(app.test_client())
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "busy"
    assert register(app.test_client()).status_code == 201


def test_other_database_errors_stay_500(app, client, quiz, monkeypatch):
    app.config["PROPAGATE_TEST_ERRORS"] = False
    from quiz.services import attempts

    def broken(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))
    monkeypatch.setattr(attempts, "start_attempt", broken)
    response = register(client)
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "server_error"


# --- The phone: the busy page re-sends by itself, the answer queue retries after Retry-After -------

class filled:
    """Every slot of a gate taken (the live server's default bound), until `release()`."""

    def __init__(self, app, kind):
        self.gate, self.taken = admission.gates(app)[kind], 0
        self.gate.bound = 2  # tests run without bounds (conftest); the production default is 4
        while self.gate.enter():
            self.taken += 1

    def release(self):
        for _i in range(self.taken):
            self.gate.leave()
        self.taken = 0


@pytest.mark.browser
def test_phone_waits_out_the_rush_by_itself(live_server, live_app, phone, screenshot):
    from tests.test_play_browser import pick, seed
    from tests.conftest import fill_join_form

    seed(live_app)
    live_app.config["QUIZ_ADMISSION_RETRY_S"] = 1
    page = phone.new_page()
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    # Start: refused once (the rush), the page says so, then sends the same registration by itself.
    page.goto(f"{live_server}/j/TUAN1?u=CDC")
    rush = filled(live_app, "start")
    fill_join_form(page, full_name="Hoàng Thị Quỳnh Nguyệt", identity="0912 888 999")
    page.locator("#busy").wait_for()
    assert "Đang đông, tự thử lại sau" in page.locator("h1").inner_text()
    screenshot(page, "play-busy", full_page=False)
    rush.release()
    page.wait_for_url("**/a/*", timeout=10000)
    token = page.url.rsplit("/", 1)[1].split("?")[0]

    # An answer save answered 503 once: queued, retried after Retry-After, saved.
    refusals = []

    def busy_once(route):
        if not refusals:
            refusals.append(route.request.url)
            route.fulfill(status=503, headers={"Retry-After": "1", "Content-Type": "application/json"},
                          body='{"error": {"code": "busy", "message": "Đang đông", "retry_after": 1}}')
        else:
            route.continue_()
    page.route("**/answers/*", busy_once)
    pick(page, 1, 0)
    page.locator('form.q[data-number="1"] .q-status', has_text="Đã lưu").wait_for(timeout=10000)
    assert len(refusals) == 1

    # Submit: refused once, re-sent by itself, finished once.
    rush = filled(live_app, "submit")
    page.click("#submit-link")
    page.click("#submit-form button")
    page.locator("#busy").wait_for()
    rush.release()
    page.wait_for_url("**/result", timeout=10000)
    submits = [u for u in posts if u.endswith("/submit")]
    assert len(submits) == 2  # the refused one and its one retry
    with live_app.app_context():
        attempt = db.session.scalar(db.select(Attempt).filter_by(token=token))
        assert attempt.finalised_by == "participant" and len(attempt.answers) == 1
        assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 1
