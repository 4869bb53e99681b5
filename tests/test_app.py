"""The factory, configuration, base pages, login and error handling."""
import os
import re
import stat

import pytest

from quiz import create_app
from quiz.config import database_url
from quiz.extensions import db


def test_factory_uses_test_config(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret"


def test_default_database_is_sqlite_in_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app(instance_path=str(tmp_path / "inst"))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'thiduaso.db'}"
    assert app.config["QUIZ_TIMEZONE"] == "Asia/Ho_Chi_Minh"


def test_postgres_urls_use_psycopg3():
    assert database_url("postgres://u@h/db", "/x") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h/db", "/x") == "postgresql+psycopg://u@h/db"
    assert database_url("mysql://u@h/db", "/x") == "mysql://u@h/db"


def test_secret_key_is_generated_once_private_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app(instance_path=str(tmp_path / "inst"))
    key_file = tmp_path / "inst" / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 48
    second = create_app(instance_path=str(tmp_path / "inst"))
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    other = create_app(instance_path=str(tmp_path / "other"))
    assert other.config["SECRET_KEY"] != first.config["SECRET_KEY"]


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("QUIZ_TIMEZONE", "Asia/Bangkok")
    monkeypatch.setenv("QUIZ_BASE_URL", "https://thi.syt.example.vn/")
    app = create_app(instance_path=str(tmp_path / "inst"))
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["QUIZ_TIMEZONE"] == "Asia/Bangkok"
    assert app.config["QUIZ_BASE_URL"] == "https://thi.syt.example.vn"
    assert not (tmp_path / "inst" / "secret_key").exists()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite pragmas")
    with app.app_context():
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(db.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(db.text("PRAGMA busy_timeout")).scalar() == 10000


def test_home_page_lists_open_and_upcoming_quizzes_but_not_closed(client, make_quiz, frozen_clock):
    from datetime import timedelta
    now = frozen_clock.at
    make_quiz(title="Đợt đang mở")
    make_quiz(title="Đợt sắp mở", opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=9))
    make_quiz(title="Đợt đã đóng", opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=2))
    page = client.get("/").get_data(as_text=True)
    assert "Đợt đang mở" in page and "Đợt sắp mở" in page
    assert "Đợt đã đóng" not in page
    assert page.index("Đợt đang mở") < page.index("Đợt sắp mở")
    assert 'lang="vi"' in page


def test_home_page_says_when_nothing_is_open(client):
    page = client.get("/").get_data(as_text=True)
    assert "Hiện chưa có đợt thi nào đang mở" in page


def test_english_is_available(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Open and upcoming quizzes" in page
    # The choice is remembered in the session.
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_every_asset_is_served_by_the_app(client):
    page = client.get("/").get_data(as_text=True)
    assert "http://" not in page.replace("http://quiz.test", "")
    assert "https://" not in page
    with client.get("/static/css/app.css") as css:
        assert css.status_code == 200


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang bạn cần" in response.get_data(as_text=True)


def test_unknown_api_route_is_json(client):
    response = client.get("/api/v1/khong-co")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("status", [403, 410])
def test_error_pages_have_their_own_message(app, status):
    from flask import abort

    @app.get(f"/boom-{status}")
    def boom():
        abort(status)

    response = app.test_client().get(f"/boom-{status}")
    assert response.status_code == status
    assert f">{status}<" in response.get_data(as_text=True)


def test_unexpected_error_is_a_500_page_and_rolls_back(app_config, make_app):
    app_config["PROPAGATE_TEST_ERRORS"] = False
    app = make_app(app_config)

    @app.get("/crash")
    def crash():
        raise RuntimeError("boom")

    response = app.test_client().get("/crash")
    assert response.status_code == 500
    assert "Máy chủ gặp sự cố" in response.get_data(as_text=True)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok", "ratelimit_storage": "off"}


def test_english_counts_agree_in_number(client, make_quiz, frozen_clock):
    make_quiz(code="ONE", questions=1, max_attempts=1)
    page = client.get("/j/ONE?lang=en").get_data(as_text=True)
    assert re.search(r"<strong>1</strong>\s*question</li>", page)
    assert re.search(r"<strong>1</strong>\s*attempt</li>", page)
    make_quiz(code="TWO", questions=2, max_attempts=3)
    page = client.get("/j/TWO?lang=en").get_data(as_text=True)
    assert re.search(r"<strong>2</strong>\s*questions</li>", page)
    assert re.search(r"<strong>3</strong>\s*attempts</li>", page)
