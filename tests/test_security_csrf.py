"""CSRF: every state-changing route outside the token-authenticated JSON API refuses a post
without a valid token, and changes nothing.

The routes come from the URL map, not from a list: a future form route that is exempted from
CSRF protection (or a new blueprint registered without it) fails here.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import url_for

from quiz.extensions import db
from quiz.models import Contest, Organizer, Participant, QuestionSet, RosterEntry
from quiz.services.live_session import host as live

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
API_PREFIX = "/api/"


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


@pytest.fixture
def seeded(app, client, make_unit, make_organizer, make_question, make_quiz, frozen_clock):
    """One of everything a URL names, an attempt in progress, and an admin."""
    unit = make_unit(code="CSRF")
    target = make_organizer(role="organizer", email="target@example.vn")
    question = make_question(QuestionSet(name="Bộ CSRF"))
    quiz = make_quiz(questions=2, code="CSRF1")
    started = client.post("/api/v1/quizzes/CSRF1/attempts", json={  # the API needs no CSRF token
        "full_name": "Lò Văn Minh", "unit_code": "CSRF", "identity": "0912345678", "consent": True})
    assert started.status_code == 201, started.get_json()
    admin = make_organizer(role="admin", email="admin@example.vn")
    client.delete_cookie("tds_CSRF1")
    session = live.create_session(make_quiz(questions=2, code="CSRF2", contest=quiz.contest), {"question_time_s": 10}, actor=None)  # a quiz run live takes no normal attempt
    entry = RosterEntry(unit=unit, full_name="Lò Thị Danh", phone="0912000111")
    db.session.add(entry)
    db.session.commit()
    participant_id = db.session.scalar(db.select(Participant.id).filter_by(identity="0912345678"))
    return {"unit_code": unit.code, "entry_id": entry.id, "participant_id": participant_id,
            "session_id": session.id, "action": "start", "organizer_id": target.id, "unit_id": unit.id, "question_id": question.id, "set_id": question.set_id,
            "fmt": "csv", "code": quiz.code, "quiz_id": quiz.id, "contest_id": quiz.contest_id,
            "token": started.get_json()["attempt_id"], "number": 1, "admin_id": admin.id,
            "scope": "contest"}


def form_routes(app) -> list[tuple[str, str]]:
    """(endpoint, method) of every state-changing route except the JSON API."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX):
            continue
        for method in sorted(rule.methods & STATE_CHANGING):
            found.append((rule.endpoint, method))
    return sorted(found)


def url_of(app, endpoint: str, values: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{name: values[name] for name in rule.arguments})


def database_state() -> dict:
    """Every row of every table: the proof that a refused post changed nothing."""
    db.session.expire_all()
    return {table.name: sorted(map(repr, db.session.execute(db.select(table)).all()))
            for table in db.metadata.sorted_tables}


def log_in(client, organizer_id: int) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = db.session.get(Organizer, organizer_id).get_id()
        session["_fresh"] = True


def csrf_token_of(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def plausible_form() -> dict:
    """Fields the forms would accept, so an unprotected route would really act on them."""
    return {"code": "NEW", "name": "Đơn vị mới", "email": "new@example.vn", "password": "mat-khau-moi-123",
            "role": "organizer", "title": "Tên mới", "full_name": "Lò Văn Minh", "unit_code": "CSRF",
            "identity": "0987654321", "consent": "y", "option": "1", "nav": "next", "is_enabled": "0"}


def test_the_walk_finds_the_forms_it_must_check(app):
    endpoints = {endpoint for endpoint, _m in form_routes(app)}
    # A sample of what must be there: if the walk stopped finding routes, the check below would be empty.
    assert {"auth.login", "auth.logout", "play.join", "play.answer", "play.submit", "admin.unit_delete",
            "admin.account_password", "admin.publish_quiz_ranking", "admin.units_import", "live.join",
            "admin.live_control", "admin.live_create"} <= endpoints
    assert len(endpoints) >= 25


@pytest.mark.parametrize("as_admin", [False, True], ids=["anonymous", "admin"])
def test_every_form_refuses_a_post_without_a_valid_token(app, client, seeded, as_admin):
    other_session_token = csrf_token_of(app.test_client())
    if as_admin:
        log_in(client, seeded["admin_id"])
    before = database_state()
    failures = []
    for endpoint, method in form_routes(app):
        url = url_of(app, endpoint, seeded)
        for label, extra, headers in (("no token", {}, {}),
                                      ("wrong token", {"csrf_token": "forged"}, {"X-CSRFToken": "forged"}),
                                      ("another session's token", {"csrf_token": other_session_token}, {})):
            response = client.open(url, method=method, data={**plausible_form(), **extra}, headers=headers)
            body = response.get_data(as_text=True)
            if response.status_code != 400 or "Biểu mẫu đã hết hạn hoặc không hợp lệ" not in body:
                failures.append(f"{method} {url} ({label}): {response.status_code}")
    assert not failures, "accepted without a valid CSRF token:\n" + "\n".join(failures)
    assert database_state() == before


def test_the_same_post_with_the_token_does_act(app, client, seeded):
    """The control: the harness above would see a change if a post went through."""
    log_in(client, seeded["admin_id"])
    before = database_state()
    token = csrf_token_of(client, url_of(app, "admin.account_edit", seeded))
    response = client.post(url_of(app, "admin.account_toggle", seeded), data={"csrf_token": token})
    assert response.status_code == 302
    assert db.session.get(Organizer, seeded["organizer_id"]).is_enabled is False
    assert database_state() != before


def test_login_needs_the_token_even_with_the_right_password(app, client, seeded):
    admin = db.session.get(Organizer, seeded["admin_id"])
    admin.set_password("mat-khau-123")
    db.session.commit()
    refused = client.post("/login", data={"email": admin.email, "password": "mat-khau-123"})
    assert refused.status_code == 400
    assert client.get("/admin/").status_code == 302
    token = csrf_token_of(client)
    accepted = client.post("/login", data={"email": admin.email, "password": "mat-khau-123", "csrf_token": token})
    assert accepted.status_code == 302 and client.get("/admin/").status_code == 200


API_DIR = Path(__file__).resolve().parent.parent / "quiz" / "views" / "api"


def test_the_api_never_acts_on_the_session_cookie(app):
    """The API is exempt from CSRF because it authenticates by the attempt token in the path (or
    creates an attempt from the body). Its code must not read the login session or cookies."""
    api_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(API_PREFIX) and r.methods & STATE_CHANGING]
    assert api_rules
    for rule in api_rules:
        assert "token" in rule.arguments or rule.endpoint == "api.start_attempt", rule.rule
    for path in API_DIR.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for forbidden in ("current_user", "login_required", "session[", "request.cookies", "remembered_token"):
            assert forbidden not in source, f"{path.name} uses {forbidden}"


def test_an_admin_session_gives_no_power_over_the_api(app, client, seeded):
    log_in(client, seeded["admin_id"])
    before = database_state()
    assert client.post("/api/v1/attempts/not-a-real-token/submit").status_code == 404
    assert client.put("/api/v1/attempts/not-a-real-token/answers/1", json={"option_ids": []}).status_code == 404
    assert client.get("/api/v1/attempts/not-a-real-token").status_code == 404
    assert database_state() == before
    assert db.session.scalar(db.select(db.func.count(Contest.id))) == 1
