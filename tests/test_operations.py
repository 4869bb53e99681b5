"""Running several servers: the Redis client is installed with its extra, the database pool survives a
restart, rate limits fail open while Redis is down, deployments sharing one Redis keep their own
counters, and the health checks say what is up."""
from __future__ import annotations

import logging
import socket
import tomllib
import uuid
from pathlib import Path

import pytest

from quiz.extensions import db, limiter

from .conftest import POSTGRES_URL

REDIS_URL = "redis://127.0.0.1:6379"
UNREACHABLE_REDIS = "redis://127.0.0.1:9"  # the discard port: nothing listens there


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not redis_is_up(), reason="needs Redis at 127.0.0.1:6379")


def login(client, ip="10.0.0.1"):
    return client.post("/login", data={"email": "nobody@example.vn", "password": "sai"},
                       environ_base={"REMOTE_ADDR": ip})


def test_the_redis_extra_brings_the_client_that_flask_limiter_needs():
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert any(dep.startswith("redis") for dep in extras["redis"])
    import redis  # noqa: F401  (installed by the test extra, which includes the redis extra)


@needs_redis
def test_limits_stored_in_redis_work(app, app_config, make_app):
    app = make_app({**app_config, "QUIZ_RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_LOGIN": "2 per minute",
                    "QUIZ_RATELIMIT_STORAGE_URI": REDIS_URL,
                    "QUIZ_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    client = app.test_client()
    assert [login(client).status_code for _ in range(3)][-1] == 429


_DEPLOYMENT = """
import sys
from quiz import create_app
from quiz.extensions import db
app = create_app({"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                  "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1], "QUIZ_BASE_URL": "http://quiz.test",
                  "QUIZ_RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_LOGIN": "2 per minute",
                  "QUIZ_RATELIMIT_STORAGE_URI": "%s"}, instance_path=sys.argv[2])
with app.app_context():
    db.create_all()
client = app.test_client()
print(" ".join(str(client.post("/login", data={"email": "a@b.vn", "password": "x"}).status_code)
               for _ in range(int(sys.argv[3]))))
""" % REDIS_URL


@needs_redis
def test_two_deployments_on_one_redis_keep_their_own_counters(tmp_path):
    """Each deployment is its own process (as on a real server), the prefix from its environment."""
    import os
    import subprocess
    import sys

    def deployment(prefix: str, posts: int) -> list[str]:
        env = {**os.environ, "QUIZ_RATELIMIT_KEY_PREFIX": prefix}
        out = subprocess.run([sys.executable, "-c", _DEPLOYMENT, str(tmp_path / f"{prefix}.db"),
                              str(tmp_path / prefix), str(posts)], env=env, capture_output=True, text=True,
                             timeout=60, check=True)
        return out.stdout.split()

    first, second = f"tinh-a-{uuid.uuid4().hex}", f"tinh-b-{uuid.uuid4().hex}"
    assert deployment(first, 3) == ["401", "401", "429"]  # two wrong passwords, then the limit
    assert deployment(second, 1) == ["401"]  # the same address, the other deployment's counter
    assert deployment(first, 1) == ["429"]  # the first one's counter was shared through Redis


def test_the_key_prefix_comes_from_the_environment(monkeypatch, tmp_path):
    from quiz.config import load_config

    monkeypatch.setenv("QUIZ_RATELIMIT_KEY_PREFIX", "tinh-a")
    assert load_config(str(tmp_path))["QUIZ_RATELIMIT_KEY_PREFIX"] == "tinh-a"
    monkeypatch.delenv("QUIZ_RATELIMIT_KEY_PREFIX")
    assert load_config(str(tmp_path))["QUIZ_RATELIMIT_KEY_PREFIX"] == "thiduaso"


def test_redis_down_fails_open_to_per_process_limits_with_a_warning(app, app_config, make_app, caplog):
    caplog.set_level(logging.WARNING)
    # Alembic's fileConfig (tests/test_migrations) disables the loggers that exist when it runs.
    logging.getLogger("quiz.ratelimit").disabled = False
    app = make_app({**app_config, "QUIZ_RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_LOGIN": "2 per minute",
                    "QUIZ_RATELIMIT_STORAGE_URI": UNREACHABLE_REDIS})
    assert any("Redis" in r.getMessage() or "rate-limit" in r.getMessage() for r in caplog.records), \
        "the start-up check warns that the limit storage is unreachable"
    client = app.test_client()
    codes = [login(client).status_code for _ in range(3)]
    assert 500 not in codes
    assert codes[-1] == 429  # still limited, per process
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["ratelimit_storage"] == "down"


def test_health_and_readiness_report_the_database_and_the_limit_storage(client):
    health = client.get("/healthz")
    assert health.status_code == 200
    body = health.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["ratelimit_storage"] in {"memory", "off", "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["database"] == "ok"


def test_readiness_fails_while_the_database_is_unreachable(app_config, make_app, tmp_path):
    broken = "postgresql+psycopg://postgres@127.0.0.1:9/none" if POSTGRES_URL else \
        f"sqlite:///{tmp_path / 'missing-dir' / 'x' / 'db.sqlite'}"
    app = make_app({**app_config, "SQLALCHEMY_DATABASE_URI": broken})
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["database"] == "down"
    assert client.get("/healthz").status_code == 503


def test_engine_options_come_from_the_environment(monkeypatch, tmp_path):
    from quiz.config import load_config

    monkeypatch.setenv("QUIZ_DB_POOL_SIZE", "7")
    monkeypatch.setenv("QUIZ_DB_MAX_OVERFLOW", "3")
    options = load_config(str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_pre_ping": True, "pool_size": 7, "max_overflow": 3}
    monkeypatch.delenv("QUIZ_DB_POOL_SIZE")
    monkeypatch.delenv("QUIZ_DB_MAX_OVERFLOW")
    assert load_config(str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "pool_size": 8,
                                                                       "max_overflow": 4}


@pytest.mark.postgres_only
def test_the_first_request_after_a_database_restart_is_served(app, client):
    """A restart drops every pooled connection; pre-ping replaces a dead one instead of a 500."""
    with app.app_context():
        assert client.get("/healthz").status_code == 200  # a connection is now pooled
        db.session.remove()
        from sqlalchemy import create_engine, text

        admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
        admin.dispose()
        assert killed >= 1
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_the_limiter_is_wired_with_the_in_memory_fallback(app):
    assert app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert limiter is not None


def metric(body: str, name: str, **labels) -> float:
    """The value of one series in Prometheus' text format (0 when it has no sample yet)."""
    for line in body.splitlines():
        if line.startswith(f"{name}{{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_and_participant_events(client, make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC")
    make_quiz(questions=2, code="METRIC")
    local = {"REMOTE_ADDR": "127.0.0.1"}
    before = client.get("/metrics", environ_base=local).get_data(as_text=True)
    started = client.post("/api/v1/quizzes/METRIC/attempts", json={
        "full_name": "Lò Văn Minh", "unit_code": "CDC", "identity": "0912345678", "consent": True})
    assert started.status_code == 201
    body = started.get_json()
    question = body["questions"][0]
    saved = client.put(f"/api/v1/attempts/{body['attempt_id']}/answers/{question['id']}",
                       json={"option_ids": [question["options"][0]["id"]]})
    assert saved.status_code == 200
    assert client.post(f"/api/v1/attempts/{body['attempt_id']}/submit").status_code == 200
    client.get("/api/v1/quizzes/NOPE")  # a 404
    after = client.get("/metrics", environ_base=local)
    assert after.status_code == 200 and after.headers["Content-Type"].startswith("text/plain")
    text = after.get_data(as_text=True)
    for event in ("attempt_started", "answer_saved", "attempt_submitted"):
        delta = metric(text, "thiduaso_participant_events_total", event=event) - \
            metric(before, "thiduaso_participant_events_total", event=event)
        assert delta == 1, event
    assert metric(text, "thiduaso_http_requests_total", status="404") >= 1
    assert "thiduaso_http_request_duration_seconds_bucket" in text
    assert "0912345678" not in text and body["attempt_id"] not in text  # labels are endpoint names


def test_metrics_are_hidden_from_other_addresses_without_the_token(app, client):
    outside = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    app.config["QUIZ_METRICS_TOKEN"] = "bi-mat-dai-du"
    assert client.get("/metrics", environ_base=outside,
                      headers={"Authorization": "Bearer sai"}).status_code == 404
    assert client.get("/metrics", environ_base=outside,
                      headers={"Authorization": "Bearer bi-mat-dai-du"}).status_code == 200


def test_metrics_through_a_proxy_on_the_same_host_need_the_token(app, client):
    """Behind nginx on the same host every request reaches the app from 127.0.0.1: without
    QUIZ_TRUSTED_PROXIES the loopback rule let anyone on the internet read /metrics. A request a
    proxy forwarded (it says so in X-Forwarded-For, X-Real-IP or Forwarded) is not a local one."""
    local = {"REMOTE_ADDR": "127.0.0.1"}
    for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
        assert client.get("/metrics", environ_base=local, headers={header: "203.0.113.7"}).status_code == 404, header
    assert client.get("/metrics", environ_base=local).status_code == 200  # Prometheus scraping gunicorn directly
    app.config["QUIZ_METRICS_TOKEN"] = "bi-mat-dai-du"
    assert client.get("/metrics", environ_base=local, headers={
        "X-Forwarded-For": "203.0.113.7", "Authorization": "Bearer bi-mat-dai-du"}).status_code == 200


def test_sqlite_connections_are_not_pinged(make_app, app_config):
    """A ping is one more round trip per request; only a database server can drop a connection."""
    if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite")
    app = make_app({**app_config, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 8}})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_size": 8}


def test_an_in_memory_sqlite_database_takes_no_pool_size(make_app):
    app = make_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}, name="memory")
    with app.app_context():
        assert db.session.execute(db.text("SELECT 1")).scalar() == 1
