"""Rate limits on joining and starting attempts: per client address and per (address, identity),
with X-Forwarded-For honoured only behind a configured number of trusted proxies."""
from __future__ import annotations

import pytest
from limits import parse_many

from quiz.config import load_config
from quiz.extensions import db
from quiz.models import Attempt


@pytest.fixture
def app_config(app_config):
    app_config.update({"QUIZ_RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_START": "3 per minute",
                       "QUIZ_RATELIMIT_JOIN": "3 per minute", "QUIZ_RATELIMIT_IDENTITY": "2 per minute"})
    return app_config


@pytest.fixture
def quiz(make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC")
    return make_quiz(questions=2, code="RATE1", max_attempts=1)


def start(client, phone: str, ip: str = "10.0.0.1", **headers):
    return client.post("/api/v1/quizzes/RATE1/attempts", environ_base={"REMOTE_ADDR": ip}, headers=headers,
                       json={"full_name": "Lò Văn Minh", "unit_code": "CDC", "identity": phone, "consent": True})


def attempt_count() -> int:
    return db.session.scalar(db.select(db.func.count(Attempt.id)))


def test_one_address_is_stopped_with_a_json_429_and_retry_after(client, quiz):
    assert [start(client, f"091234500{i}").status_code for i in range(3)] == [201, 201, 201]
    refused = start(client, "0912345009")
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "too_many_requests" and "thử lại" in error["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert attempt_count() == 3  # the refused call started nothing
    assert start(client, "0912345009", ip="10.0.0.2").status_code == 201  # another client is not affected
    assert client.get("/api/v1/quizzes/RATE1", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200


def test_one_identity_is_stopped_before_the_address_limit(client, quiz):
    assert start(client, "0912 345 678").status_code == 201
    assert start(client, "+84912345678").status_code == 200  # resumed
    assert start(client, "0912.345.678").status_code == 429  # same person, third time this minute
    assert start(client, "0987654321").status_code == 201  # the address still has room


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, quiz):
    for i in range(3):
        start(client, f"091234500{i}", **{"X-Forwarded-For": f"203.0.113.{i}"})
    assert start(client, "0912345009", **{"X-Forwarded-For": "203.0.113.99"}).status_code == 429


def test_forwarded_for_is_the_client_behind_a_trusted_proxy(app_config, make_app, quiz):
    app = make_app({**app_config, "QUIZ_TRUSTED_PROXIES": 1}, name="proxied")
    client = app.test_client()
    for i in range(3):  # nginx on 127.0.0.1 forwards every phone
        assert start(client, f"091234500{i}", ip="127.0.0.1", **{"X-Forwarded-For": "203.0.113.7"}).status_code == 201
    assert start(client, "0912345009", ip="127.0.0.1", **{"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    assert start(client, "0912345009", ip="127.0.0.1", **{"X-Forwarded-For": "203.0.113.8"}).status_code == 201


def test_the_join_form_gets_a_vietnamese_429_page_and_get_is_not_limited(client, quiz):
    def join(phone):
        return client.post("/j/RATE1", environ_base={"REMOTE_ADDR": "10.0.0.5"}, data={
            "full_name": "Lò Văn Minh", "unit_code": "CDC", "identity": phone, "consent": "y"})
    assert [join(f"091234500{i}").status_code for i in range(3)] == [302, 302, 302]
    refused = join("0912345009")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "thử lại" in refused.get_data(as_text=True) and refused.mimetype == "text/html"
    for _i in range(5):
        assert client.get("/j/RATE1", environ_base={"REMOTE_ADDR": "10.0.0.5"}).status_code == 200


def test_limits_are_off_unless_enabled(make_app, app_config, quiz):
    app = make_app({**app_config, "QUIZ_RATELIMIT_ENABLED": False}, name="unlimited")
    client = app.test_client()
    assert all(start(client, f"09123450{i:02d}").status_code == 201 for i in range(6))


def test_default_limits_let_a_hall_in_but_not_a_flood(monkeypatch, tmp_path):
    """500 phones behind one hall NAT must all start within a minute; one address must not be
    able to open thousands of attempts in an hour."""
    for key in ("QUIZ_RATELIMIT_ENABLED", "QUIZ_RATELIMIT_JOIN", "QUIZ_RATELIMIT_START", "QUIZ_RATELIMIT_IDENTITY"):
        monkeypatch.delenv(key, raising=False)
    config = load_config(str(tmp_path))
    assert config["QUIZ_RATELIMIT_ENABLED"] is True and config["QUIZ_RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["QUIZ_TRUSTED_PROXIES"] == 0
    for key in ("QUIZ_RATELIMIT_JOIN", "QUIZ_RATELIMIT_START"):
        items = parse_many(config[key])
        per_minute = min(i.amount * 60 / i.get_expiry() for i in items if i.get_expiry() <= 60)
        per_hour = min(i.amount * 3600 / i.get_expiry() for i in items)
        assert per_minute >= 500, key
        assert per_hour <= 5000, key
    identity = parse_many(config["QUIZ_RATELIMIT_IDENTITY"])
    assert all(i.amount * 60 / i.get_expiry() <= 20 for i in identity)


def test_the_live_join_form_is_limited_like_the_quiz_join(client, quiz):
    from quiz.services.live_session import host as live

    live.create_session(quiz, {"question_time_s": 10}, actor=None)
    db.session.commit()

    def join(phone):
        return client.post("/live/RATE1", environ_base={"REMOTE_ADDR": "10.0.0.6"}, data={
            "full_name": "Lò Văn Minh", "unit_code": "CDC", "identity": phone, "consent": "y"})
    assert [join(f"091234500{i}").status_code for i in range(3)] == [302, 302, 302]
    refused = join("0912345009")
    assert refused.status_code == 429 and "thử lại" in refused.get_data(as_text=True)
    assert attempt_count() == 3
