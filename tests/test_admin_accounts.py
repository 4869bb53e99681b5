"""Accounts screen: create, edit role/unit/contest grants, enable/disable, reset password; audited."""
from flask import g

from quiz.extensions import db
from quiz.models import AuditEntry, Contest, Organizer


def _login_elsewhere(app, email: str, password: str) -> int:
    """Log in from another browser. The test's app context is shared with requests, so forget
    the user Flask-Login cached in `g` for the admin's client first."""
    g.pop("_login_user", None)
    return app.test_client().post("/login", data={"email": email, "password": password}).status_code


def _actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_admin_creates_an_organizer_with_granted_contests(client, login_as, ctx):
    login_as("admin")
    contest = Contest(code="BDHVS", title="Bình dân học vụ số")
    db.session.add(contest)
    db.session.commit()
    response = client.post("/admin/accounts/new", data={
        "email": "Moi@Example.vn", "full_name": "Nguyễn Văn A", "role": "organizer", "unit_id": "0",
        "contest_ids": [str(contest.id)], "password": "mat-khau-moi"})
    assert response.status_code == 302
    account = db.session.scalar(db.select(Organizer).filter_by(email="moi@example.vn"))
    assert account.full_name == "Nguyễn Văn A" and account.check_password("mat-khau-moi")
    db.session.expire_all()
    assert [o.email for o in db.session.get(Contest, contest.id).organizers] == ["moi@example.vn"]
    assert "organizer.create" in _actions()
    assert "moi@example.vn" in client.get("/admin/accounts").get_data(as_text=True)


def test_create_shows_field_errors(client, login_as, make_organizer, ctx):
    login_as("admin")
    make_organizer(email="trung@example.vn")
    page = client.post("/admin/accounts/new", data={"email": "khong-phai-email", "role": "unit", "unit_id": "0",
                                                    "password": "ngan"}).get_data(as_text=True)
    assert "Email không hợp lệ." in page and "Mật khẩu cần ít nhất 8 ký tự." in page
    assert "Tài khoản đầu mối đơn vị cần chọn đơn vị." in page
    page = client.post("/admin/accounts/new", data={"email": "trung@example.vn", "role": "organizer", "unit_id": "0",
                                                    "password": "mat-khau-dai"}).get_data(as_text=True)
    assert "Đã có tài khoản với email trung@example.vn." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Organizer)) == 2


def test_edit_role_unit_and_grants(client, login_as, make_organizer, make_unit, ctx):
    login_as("admin")
    account = make_organizer(role="organizer")
    unit = make_unit(name="Bệnh viện Đa khoa")
    response = client.post(f"/admin/accounts/{account.id}", data={
        "full_name": "Đầu mối BV", "role": "unit", "unit_id": str(unit.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert (account.role, account.unit_id, account.full_name) == ("unit", unit.id, "Đầu mối BV")
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="organizer.update"))
    assert entry.detail["role"] == ["organizer", "unit"]


def test_admin_cannot_demote_or_disable_themselves(client, login_as, ctx):
    me = login_as("admin")
    page = client.post(f"/admin/accounts/{me.id}", data={"role": "organizer", "unit_id": "0"}).get_data(as_text=True)
    assert "Bạn không thể tự hạ quyền quản trị của chính mình." in page
    response = client.post(f"/admin/accounts/{me.id}/enabled", follow_redirects=True)
    assert "Bạn không thể tự khóa tài khoản của chính mình." in response.get_data(as_text=True)
    db.session.expire_all()
    assert me.role == "admin" and me.is_enabled


def test_disable_enable_and_reset_password(client, app, login_as, make_organizer, ctx):
    login_as("admin")
    other = make_organizer(email="khac@example.vn")
    client.post(f"/admin/accounts/{other.id}/enabled")
    db.session.expire_all()
    assert not other.is_enabled
    response = client.post(f"/admin/accounts/{other.id}/password", data={"password": "ngan"})
    assert response.status_code == 422 and "Mật khẩu cần ít nhất 8 ký tự." in response.get_data(as_text=True)
    client.post(f"/admin/accounts/{other.id}/password", data={"password": "mat-khau-moi-1"})
    client.post(f"/admin/accounts/{other.id}/enabled")
    assert _actions()[-3:] == ["organizer.disable", "organizer.password_reset", "organizer.enable"]
    assert _login_elsewhere(app, "khac@example.vn", "mat-khau-123") == 401
    assert _login_elsewhere(app, "khac@example.vn", "mat-khau-moi-1") == 302


def test_disabled_account_cannot_log_in(app, login_as, make_organizer, ctx, client):
    login_as("admin")
    other = make_organizer(email="bi-khoa@example.vn")
    client.post(f"/admin/accounts/{other.id}/enabled")
    assert _login_elsewhere(app, "bi-khoa@example.vn", "mat-khau-123") == 401


def test_granted_contest_becomes_manageable(app, client, login_as, make_organizer, make_quiz, frozen_clock, ctx):
    login_as("admin")
    quiz = make_quiz(questions=1)
    organizer = make_organizer(email="duoc-giao@example.vn")
    client.post(f"/admin/accounts/{organizer.id}", data={"role": "organizer", "unit_id": "0",
                                                         "contest_ids": [str(quiz.contest_id)]})
    g.pop("_login_user", None)
    other = app.test_client()
    other.post("/login", data={"email": "duoc-giao@example.vn", "password": "mat-khau-123"})
    assert other.get(f"/admin/quizzes/{quiz.code}/rankings").status_code == 200
