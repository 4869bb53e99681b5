"""Attempt tokens: long, from `secrets`, looked up by hash and compared in constant time; a tampered
token is a 404, never a 500. Organizer login: lockout window, per-address limit, no account
enumeration by message."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import event

from quiz.extensions import db
from quiz.models import Attempt, AuditEntry
from quiz.services import accounts, attempts


@pytest.fixture
def quiz(make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC")
    return make_quiz(questions=2, code="TOK1", max_attempts=1)


def start(client, phone="0912345678"):
    response = client.post("/api/v1/quizzes/TOK1/attempts", json={
        "full_name": "Lò Văn Minh", "unit_code": "CDC", "identity": phone, "consent": True})
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["attempt_id"]


def test_tokens_come_from_secrets_with_at_least_128_bits(client, quiz, monkeypatch):
    asked = []
    real = attempts.secrets.token_urlsafe
    monkeypatch.setattr(attempts.secrets, "token_urlsafe", lambda n: asked.append(n) or real(n))
    tokens = {start(client, f"09123456{i:02d}") for i in range(20)}
    assert asked and all(n >= 16 for n in asked)  # 16 bytes = 128 bits
    assert len(tokens) == 20
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,64}", token)
        assert len(token) * 6 >= 128


def test_the_database_stores_and_compares_only_the_hash(client, app, quiz):
    token = start(client)
    stored = db.session.scalar(db.select(Attempt))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    seen = []

    def spy(conn, cursor, statement, parameters, context, executemany):
        seen.append(repr(parameters))
    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        db.session.expunge_all()
        assert attempts.find_attempt(token).id == stored.id
        assert attempts.find_attempt(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    assert seen and not any(token[:-1] in p for p in seen), "the raw token reached the database"


def test_the_final_check_is_constant_time(client, quiz, monkeypatch):
    token = start(client)
    calls = []
    real = attempts.hmac.compare_digest
    monkeypatch.setattr(attempts.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    assert attempts.find_attempt(token) is not None
    assert calls == [(token.encode(), token.encode())]


@pytest.mark.parametrize("tampered", [
    lambda t: t[:-1] + ("x" if t[-1] != "x" else "y"),  # one character off
    lambda t: t.upper(),
    lambda t: t + "A",
    lambda t: t[:10],
    lambda t: t * 3,  # longer than any token
    lambda t: "%00" + t,
    lambda t: "' OR '1'='1",
    lambda t: "ừ" * 30,
])
def test_a_tampered_token_is_a_404(client, quiz, tampered):
    bad = tampered(start(client))
    for method, url, body in (("GET", f"/api/v1/attempts/{bad}", None),
                              ("PUT", f"/api/v1/attempts/{bad}/answers/1", {"option_ids": [1]}),
                              ("POST", f"/api/v1/attempts/{bad}/submit", None)):
        response = client.open(url, method=method, json=body)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.get_json()["error"]["code"] == "not_found"
    page = client.get(f"/a/{bad}")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert db.session.scalar(db.select(db.func.count(Attempt.id)).where(Attempt.submitted_at.is_not(None))) == 0


def test_upload_tokens_are_long_and_random(app, tmp_path):
    from quiz.services import uploads
    first = uploads.save_upload(str(tmp_path), b"x", "a.csv", "units")
    second = uploads.save_upload(str(tmp_path), b"x", "a.csv", "units")
    assert first != second and len(first) * 6 >= 128
    with app.app_context(), pytest.raises(Exception, match="không còn"):
        uploads.load_upload(str(tmp_path), "../" + first, "units")


# --- Login brute force ---------------------------------------------------------------------

def login(client, email, password, ip="10.1.1.1"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def test_the_lock_holds_for_the_whole_window(client, make_organizer, frozen_clock):
    make_organizer(email="btc@syt.vn")
    for _i in range(4):
        assert login(client, "btc@syt.vn", "doan-mo").status_code == 401
    assert login(client, "btc@syt.vn", "mat-khau-123").status_code == 302  # 4 failures: not locked yet
    assert client.post("/logout").status_code == 302
    for _i in range(5):
        assert login(client, "btc@syt.vn", "doan-mo").status_code == 401
    for minutes in (1, 6, 7):  # at 1, 7 and 14 minutes of the 15-minute lock
        frozen_clock.advance(minutes=minutes)
        refused = login(client, "btc@syt.vn", "mat-khau-123")
        assert refused.status_code == 401 and "tạm khóa" in refused.get_data(as_text=True)
    frozen_clock.advance(minutes=1, seconds=1)
    assert login(client, "btc@syt.vn", "mat-khau-123").status_code == 302
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "organizer.locked")) >= 1


def test_unknown_email_looks_like_a_wrong_password(client, make_organizer, monkeypatch):
    make_organizer(email="btc@syt.vn")
    hashed = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: hashed.append(h) or real(h, p))
    unknown = login(client, "khong-co@syt.vn", "doan-mo")
    wrong = login(client, "btc@syt.vn", "doan-mo")
    assert unknown.status_code == wrong.status_code == 401
    assert "Email hoặc mật khẩu không đúng" in unknown.get_data(as_text=True)
    assert hashed, "an unknown email must still cost one password hash (no timing difference)"


def test_login_posts_are_limited_per_address(make_app, app_config, make_organizer):
    app = make_app({**app_config, "QUIZ_RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_LOGIN": "5 per minute"},
                   name="login-limited")
    client = app.test_client()
    statuses = [login(client, f"nguoi{i}@syt.vn", "doan-mo").status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]
    assert login(client, "nguoi9@syt.vn", "doan-mo", ip="10.1.1.2").status_code == 401
    assert client.get("/login", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 200


def test_migration_0004_fills_the_hash_of_existing_attempts(tmp_path):
    """Existing attempts keep working after the upgrade: their token_hash is computed from the token."""
    from datetime import UTC, datetime, timedelta

    from flask_migrate import downgrade, upgrade

    from quiz import create_app
    from quiz.models import Contest, Participant, Quiz

    url = f"sqlite:///{tmp_path / 'm.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url},
                     instance_path=str(tmp_path / "inst"))
    with app.app_context():
        upgrade()
        now = datetime(2025, 10, 10, tzinfo=UTC)
        contest = Contest(code="M1", title="Cuộc thi")
        quiz = Quiz(code="MIG1", title="Đợt", contest=contest, opens_at=now, closes_at=now + timedelta(days=1),
                    duration_s=600)
        person = Participant(contest=contest, identity="0912345678", identity_kind="phone", full_name="A",
                             other_unit="Khác", consent_at=now)
        db.session.add(Attempt(token="existing-token-1234567890", quiz=quiz, participant=person, attempt_no=1,
                               started_at=now, deadline=now + timedelta(minutes=10), max_score=1))
        db.session.commit()
        downgrade(revision="0003_rankings")
        upgrade()
        stored = db.session.execute(db.text("SELECT token, token_hash FROM attempt")).one()
        assert stored.token_hash == hashlib.sha256(b"existing-token-1234567890").hexdigest()
        assert attempts.find_attempt("existing-token-1234567890") is not None
        db.engine.dispose()
