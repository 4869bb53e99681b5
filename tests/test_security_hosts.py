"""Redirects stay on this site, and a forged Host header never reaches a QR code or the board
(issue 12, items 9 and 10)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from datetime import timedelta

import pytest

from quiz import clock, create_app
from quiz.extensions import db
from quiz.models import Contest, Quiz

ROOT = Path(__file__).resolve().parent.parent


def lands_on(location: str, base: str = "http://localhost/") -> str:
    """The host a browser goes to for this Location: browsers read `\\` as `/` and drop tabs
    and newlines inside URLs (WHATWG URL parsing), which Python's urljoin does not."""
    cleaned = location.replace("\\", "/").replace("\t", "").replace("\n", "").replace("\r", "")
    return urlsplit(urljoin(base, cleaned)).netloc


HOSTILE = [
    "http://localhost//evil.example/x",
    "http://localhost/\\evil.example/x",
    "http://localhost/\\/evil.example/x",
    "http://localhost/%09/evil.example",
    "http://evil.example/x",
    "https://localhost.evil.example/x",
    "//evil.example/x",
    "/\\evil.example/x",
    "/\t/evil.example/x",
    "javascript:alert(1)",
    "http://localhost:80@evil.example/x",
]


@pytest.mark.parametrize("referrer", HOSTILE)
def test_the_language_switch_only_goes_back_to_this_site(client, referrer):
    response = client.get("/lang/en", headers={"Referer": referrer})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    assert lands_on(location) == "localhost", location
    assert "lang=en" in location


def test_the_language_switch_returns_to_the_page_it_came_from(client):
    response = client.get("/lang/en", headers={"Referer": "http://localhost/r/TUAN1?tab=units&lang=vi"})
    assert response.headers["Location"] == "/r/TUAN1?tab=units&lang=en"
    assert client.get("/lang/en").headers["Location"] == "/?lang=en"
    assert client.get("/lang/xx").status_code == 404


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "/\\/evil.example", "/\t/evil.example",
                                    "https://evil.example/", "http://localhost@evil.example/", "javascript:alert(1)"])
def test_login_next_only_goes_to_this_site(client, make_organizer, target):
    make_organizer(email="btc@syt.vn")
    response = client.post("/login", query_string={"next": target},
                           data={"email": "btc@syt.vn", "password": "mat-khau-123"})
    assert response.status_code == 302
    assert lands_on(response.headers["Location"]) == "localhost", response.headers["Location"]
    assert client.get("/login", query_string={"next": target}).headers["Location"] == "/admin/"


def test_login_next_keeps_a_path_of_this_site(client, make_organizer):
    make_organizer(email="btc@syt.vn")
    response = client.post("/login?next=/admin/units%3Fq%3Dx", data={"email": "btc@syt.vn", "password": "mat-khau-123"})
    assert response.headers["Location"] == "/admin/units?q=x"


# --- Item 10: the public address comes from configuration, not from the request -------------

def test_a_forged_host_does_not_reach_the_qr_or_the_board_when_the_base_url_is_set(client, make_quiz):
    make_quiz(code="BANG1")
    honest = client.get("/j/BANG1/qr.svg", base_url="http://quiz.test").data
    forged = client.get("/j/BANG1/qr.svg", base_url="http://evil.example")
    assert forged.status_code == 200 and forged.data == honest
    board = client.get("/board/BANG1", base_url="http://evil.example").get_data(as_text=True)
    assert "http://quiz.test/j/BANG1" in board and "evil.example" not in board


@pytest.fixture
def hosts_app(monkeypatch, app, app_config, make_app):
    """Another app on the test database (`app` prepared it) with no QUIZ_BASE_URL and a list of
    allowed hosts."""
    monkeypatch.setenv("QUIZ_ALLOWED_HOSTS", "thi.syt.local, 10.0.0.5")
    return make_app({**app_config, "QUIZ_BASE_URL": None}, name="hosts")


def test_allowed_hosts_refuse_any_other_host_with_400(hosts_app):
    with hosts_app.app_context():
        now = clock.utcnow()
        db.session.add(Quiz(code="BANG1", title="Bảng", contest=Contest(code="C", title="C"),
                            opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), duration_s=600))
        db.session.commit()
    client = hosts_app.test_client()
    for path in ("/j/BANG1/qr.svg", "/j/BANG1/qr.png", "/board/BANG1", "/"):
        refused = client.get(path, base_url="http://evil.example")
        assert refused.status_code == 400, path
        assert "evil.example" not in refused.get_data(as_text=True)
    image = client.get("/j/BANG1/qr.svg", base_url="http://10.0.0.5:8080")
    assert image.status_code == 200 and "Host" in image.headers.get("Vary", "")
    board = client.get("/board/BANG1", base_url="http://thi.syt.local").get_data(as_text=True)
    assert "http://thi.syt.local/j/BANG1" in board


def test_without_configuration_the_request_host_is_used_only_with_vary(app, client, make_quiz):
    """Development (`flask run`, tests): no base URL, no list; the host is the request's, and a
    shared cache keys the images by it."""
    app.config["QUIZ_BASE_URL"] = None
    make_quiz(code="BANG1")
    image = client.get("/j/BANG1/qr.svg", base_url="http://10.0.0.5:8080")
    assert image.status_code == 200 and "Host" in image.headers.get("Vary", "")
    board = client.get("/board/BANG1", base_url="http://10.0.0.5:8080")
    assert "Host" in board.headers.get("Vary", "")


def test_production_refuses_to_start_without_a_base_url_or_allowed_hosts(monkeypatch, tmp_path):
    from quiz.config import ConfigError

    monkeypatch.delenv("QUIZ_BASE_URL", raising=False)
    monkeypatch.delenv("QUIZ_ALLOWED_HOSTS", raising=False)
    config = {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"}
    with pytest.raises(ConfigError, match="QUIZ_BASE_URL"):
        create_app(config, instance_path=str(tmp_path / "a"), production=True)
    with pytest.raises(ConfigError, match="QUIZ_BASE_URL"):
        create_app({**config, "QUIZ_BASE_URL": "thi.syt.gov.vn"}, instance_path=str(tmp_path / "b"), production=True)
    assert create_app({**config, "QUIZ_BASE_URL": "https://thi.syt.gov.vn"}, instance_path=str(tmp_path / "c"),
                      production=True)
    monkeypatch.setenv("QUIZ_ALLOWED_HOSTS", "thi.syt.gov.vn")
    assert create_app(config, instance_path=str(tmp_path / "d"), production=True).config["TRUSTED_HOSTS"] == \
        ["thi.syt.gov.vn"]
    # Development (flask run, the CLI) starts without either.
    monkeypatch.delenv("QUIZ_ALLOWED_HOSTS")
    assert create_app(config, instance_path=str(tmp_path / "e")).config["QUIZ_BASE_URL"] is None


def test_the_wsgi_entry_point_is_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QUIZ_BASE_URL", "QUIZ_ALLOWED_HOSTS")}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "SECRET_KEY": "x"})
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and "QUIZ_BASE_URL" in result.stderr
    env["QUIZ_BASE_URL"] = "https://thi.syt.gov.vn"
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
