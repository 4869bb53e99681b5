"""Organizer login, lockout and logout."""
from quiz.extensions import db
from quiz.models import Organizer


def login(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def test_login_with_the_right_password_opens_the_console(client, make_organizer):
    organizer = make_organizer(email="btc@syt.vn")
    response = login(client, "BTC@syt.vn ", "mat-khau-123")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert organizer.email == "btc@syt.vn"


def test_wrong_password_is_refused_with_a_message(client, make_organizer):
    make_organizer(email="btc@syt.vn")
    response = login(client, "btc@syt.vn", "sai-mat-khau")
    assert response.status_code == 401
    assert "Email hoặc mật khẩu không đúng" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_repeated_failures_lock_the_account(client, app, make_organizer, frozen_clock):
    make_organizer(email="btc@syt.vn")
    for _attempt in range(5):
        login(client, "btc@syt.vn", "doan-mo")
    response = login(client, "btc@syt.vn", "mat-khau-123")  # right password, but locked
    assert response.status_code == 401
    assert "tạm khóa" in response.get_data(as_text=True)
    frozen_clock.advance(minutes=16)
    assert login(client, "btc@syt.vn", "mat-khau-123").status_code == 302


def test_disabled_account_cannot_log_in(client, make_organizer):
    make_organizer(email="cu@syt.vn", is_enabled=False)
    assert login(client, "cu@syt.vn", "mat-khau-123").status_code == 401


def test_login_does_not_redirect_to_another_site(client, make_organizer):
    make_organizer(email="btc@syt.vn")
    response = client.post("/login?next=https://evil.example/", data={"email": "btc@syt.vn", "password": "mat-khau-123"})
    assert response.headers["Location"] == "/admin/"


def test_logout_needs_a_post(client, make_organizer):
    make_organizer(email="btc@syt.vn")
    login(client, "btc@syt.vn", "mat-khau-123")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_passwords_are_hashed(ctx, make_organizer):
    organizer = make_organizer(password="mot-mat-khau-dai")
    stored = db.session.get(Organizer, organizer.id).password_hash
    assert "mot-mat-khau-dai" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_login_form_requires_csrf_token(app_config, make_app):
    app_config["WTF_CSRF_ENABLED"] = True
    app = make_app(app_config)
    with app.app_context():
        db.create_all()
        organizer = Organizer(email="btc@syt.vn", role="admin")
        organizer.set_password("mat-khau-123")
        db.session.add(organizer)
        db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": "btc@syt.vn", "password": "mat-khau-123"})
    assert response.status_code == 400  # refused by CSRF protection, not logged in
    assert client.get("/admin/").status_code == 302


def test_unit_contact_sees_the_console_home(client, make_unit, make_organizer):
    unit = make_unit(name="Trung tâm Y tế Tam Đường")
    make_organizer(email="dm@ttyt.vn", role="unit", unit_id=unit.id)
    login(client, "dm@ttyt.vn", "mat-khau-123")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Trung tâm Y tế Tam Đường" in page
