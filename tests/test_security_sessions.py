"""Organizer sessions end when they should, and login says nothing about which accounts exist
(issue 12, items 6 and 8)."""
from __future__ import annotations

import pytest
from flask import g

from quiz.extensions import db
from quiz.models import Organizer

PASSWORD = "mat-khau-123"


def get(client, path):
    """A request as that browser: the tests share one app context, where Flask-Login caches the
    user of the previous request in `g`."""
    g.pop("_login_user", None)
    return client.get(path)


def post(client, path, **kwargs):
    g.pop("_login_user", None)
    return client.post(path, **kwargs)


def log_in(client, email, password=PASSWORD, remember=False):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return post(client, "/login", data=data)


def copy_cookie(source, target, name):
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    target.set_cookie(name, cookie.value)


def opens_the_console(client) -> bool:
    return get(client, "/admin/units").status_code == 200


@pytest.fixture
def admin(make_organizer):
    return make_organizer(email="admin@syt.vn", role="admin")


def test_a_session_cookie_copied_before_logout_is_dead_after_it(app, client, admin):
    assert log_in(client, "admin@syt.vn").status_code == 302
    thief = app.test_client()
    copy_cookie(client, thief, "session")
    assert opens_the_console(thief)
    post(client, "/logout")
    assert not opens_the_console(client)
    assert not opens_the_console(thief)


def test_the_remember_me_cookie_is_dead_after_logout(app, client, admin):
    log_in(client, "admin@syt.vn", remember=True)
    thief = app.test_client()
    copy_cookie(client, thief, "remember_token")  # alone: a new browser session
    assert opens_the_console(thief)
    post(client, "/logout")
    fresh = app.test_client()
    copy_cookie(thief, fresh, "remember_token")
    assert not opens_the_console(fresh)


def test_a_password_reset_ends_every_session_of_the_account(app, client, admin, make_organizer):
    make_organizer(email="btc@syt.vn")
    victim_browser, remembered = app.test_client(), app.test_client()
    log_in(victim_browser, "btc@syt.vn")
    log_in(remembered, "btc@syt.vn", remember=True)
    remember_only = app.test_client()
    copy_cookie(remembered, remember_only, "remember_token")
    assert opens_the_console(victim_browser) and opens_the_console(remember_only)
    log_in(client, "admin@syt.vn")
    account = db.session.scalar(db.select(Organizer).filter_by(email="btc@syt.vn"))
    assert post(client, f"/admin/accounts/{account.id}/password", data={"password": "mat-khau-moi-1"}).status_code == 302
    assert not opens_the_console(victim_browser)
    assert not opens_the_console(remember_only)
    assert not opens_the_console(remembered)
    assert opens_the_console(client)  # the admin's own session is another account's
    assert log_in(victim_browser, "btc@syt.vn", "mat-khau-moi-1").status_code == 302
    assert opens_the_console(victim_browser)


def test_disabling_an_account_ends_its_sessions(app, client, admin, make_organizer):
    account = make_organizer(email="btc@syt.vn")
    browser = app.test_client()
    log_in(browser, "btc@syt.vn", remember=True)
    remember_only = app.test_client()
    copy_cookie(browser, remember_only, "remember_token")
    log_in(client, "admin@syt.vn")
    post(client, f"/admin/accounts/{account.id}/enabled")
    assert not opens_the_console(browser) and not opens_the_console(remember_only)
    post(client, f"/admin/accounts/{account.id}/enabled")  # enabled again: the old sessions stay dead
    assert not opens_the_console(browser) and not opens_the_console(remember_only)


def test_a_logout_ends_the_accounts_other_sessions_too(app, client, admin):
    office, home = app.test_client(), app.test_client()
    log_in(office, "admin@syt.vn")
    log_in(home, "admin@syt.vn")
    post(office, "/logout")
    assert not opens_the_console(home)


def test_the_remember_cookie_is_secure_and_same_site_behind_https(monkeypatch, app, app_config, make_app):
    monkeypatch.setenv("QUIZ_SECURE_COOKIES", "1")
    https_app = make_app(app_config, name="https")  # on the test database `app` prepared
    with https_app.app_context():
        account = Organizer(email="btc@syt.vn", role="admin")
        account.set_password(PASSWORD)
        db.session.add(account)
        db.session.commit()
    client = https_app.test_client()
    response = client.post("https://quiz.test/login", data={"email": "btc@syt.vn", "password": PASSWORD,
                                                             "remember": "y"})
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "Secure" in cookies[name] and "SameSite=Lax" in cookies[name] and "HttpOnly" in cookies[name], cookies


# --- Item 8: login does not tell which accounts exist ---------------------------------------

def test_failures_answer_the_same_for_an_account_and_for_nobody(client, make_organizer, frozen_clock):
    make_organizer(email="btc@syt.vn")
    make_organizer(email="cu@syt.vn", is_enabled=False)
    pages = {email: [log_in(client, email, "doan-mo") for _try in range(7)]
             for email in ("btc@syt.vn", "khong-co@syt.vn", "cu@syt.vn")}
    expected = [(r.status_code, r.get_data(as_text=True).replace("khong-co@syt.vn", "X"))
                for r in pages["khong-co@syt.vn"]]
    for email in ("btc@syt.vn", "cu@syt.vn"):
        assert [(r.status_code, r.get_data(as_text=True).replace(email, "X")) for r in pages[email]] == expected
    assert all(r.status_code == 401 for r in pages["btc@syt.vn"])
    # The existing account is locked all the same: even the right password is refused for a while.
    assert log_in(client, "btc@syt.vn").status_code == 401
    frozen_clock.advance(minutes=16)
    assert log_in(client, "btc@syt.vn").status_code == 302


@pytest.fixture
def hashes(monkeypatch):
    """Counts the password hashes computed (werkzeug's check, wherever the app calls it)."""
    from werkzeug import security

    from quiz.models import accounts as account_models
    from quiz.services import accounts as account_service

    counted = []

    def counting(pwhash, password):
        counted.append(pwhash)
        return security.check_password_hash(pwhash, password)
    monkeypatch.setattr(account_models, "check_password_hash", counting)
    monkeypatch.setattr(account_service, "check_password_hash", counting)
    return counted


def test_every_failure_costs_one_password_hash(hashes, client, make_organizer, frozen_clock):
    """A locked or disabled account once answered without hashing (~20 ms instead of ~270 ms with
    scrypt): now every failure pays for exactly one hash, whoever the email belongs to."""
    make_organizer(email="btc@syt.vn")
    make_organizer(email="cu@syt.vn", is_enabled=False)
    for _try in range(5):
        log_in(client, "btc@syt.vn", "doan-mo")
    assert len(hashes) == 5
    for email in ("btc@syt.vn", "cu@syt.vn", "khong-co@syt.vn"):  # locked, disabled, unknown
        hashes.clear()
        assert log_in(client, email, "doan-mo").status_code == 401
        assert len(hashes) == 1, email
