"""Every environment read of the application lives here."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
SECRET_KEY_FILE = "secret_key"
SQLITE_FILE = "thiduaso.db"


def load_config(instance_path: str) -> dict:
    """Build the Flask config from the environment.

    Called once by create_app(); a test config passed to create_app() overrides these values.
    """
    env = os.environ
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance_path),
        "SECRET_KEY": env.get("SECRET_KEY") or None,  # resolved lazily, see ensure_secret_key()
        "QUIZ_TIMEZONE": env.get("QUIZ_TIMEZONE", DEFAULT_TIMEZONE),
        # The public address QR codes, posters and the board print. Without it the request's Host
        # header is used, which only TRUSTED_HOSTS (QUIZ_ALLOWED_HOSTS, comma-separated; others
        # get a 400) makes safe; production (wsgi.py) refuses to start with neither, see
        # require_public_address().
        "QUIZ_BASE_URL": (env.get("QUIZ_BASE_URL") or "").rstrip("/") or None,
        "TRUSTED_HOSTS": [h.strip() for h in env.get("QUIZ_ALLOWED_HOSTS", "").split(",") if h.strip()] or None,
        "ANSWER_GRACE_S": int(env.get("QUIZ_ANSWER_GRACE_S", "10")),
        "MAX_CONTENT_LENGTH": int(env.get("QUIZ_MAX_UPLOAD_MB", "10")) * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": ("vi", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("QUIZ_SECURE_COOKIES", "") == "1",
        # Flask-Login's "remember me" cookie: the same protections as the session cookie, and a
        # month rather than its default year. Logout, a new password or disabling the account
        # end it early (quiz/models/accounts.py, session_version).
        "REMEMBER_COOKIE_SECURE": env.get("QUIZ_SECURE_COOKIES", "") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "LOGIN_MAX_FAILURES": int(env.get("QUIZ_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": int(env.get("QUIZ_LOGIN_LOCK_MINUTES", "15")),
        # What the app keeps between requests (quiz/cache.py): "0" turns every cache off.
        "CACHE_ENABLED": env.get("QUIZ_CACHE", "1") not in ("0", "false", "no", "off"),
        # SQLite durability: NORMAL (default, survives a process crash) or FULL (also a power loss).
        "SQLITE_SYNCHRONOUS": env.get("QUIZ_SQLITE_SYNCHRONOUS", "NORMAL"),
        # The join page a crowd without cookies gets (quiz/views/play/page_cache.py): 10 s, 0 = off.
        "JOIN_PAGE_CACHE_S": float(env.get("QUIZ_JOIN_PAGE_CACHE_S") or 10),
        # How long a process trusts the live session's version it read (quiz/views/live_session/fastpath.py).
        "LIVE_VERSION_TTL_MS": int(env.get("QUIZ_LIVE_VERSION_TTL_MS") or 150),
        # Image bytes kept per process (they never change under their hash): services/media.py.
        "MEDIA_CACHE_BYTES": int(env.get("QUIZ_MEDIA_CACHE_MB", "32")) * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # an organizer may keep a form open all day
        # Rate limits (see quiz/ratelimit.py for why these numbers): Flask-Limiter strings.
        "QUIZ_RATELIMIT_ENABLED": env.get("QUIZ_RATELIMIT_ENABLED", "1") not in ("0", "false", "no", "off", ""),
        "QUIZ_RATELIMIT_JOIN": env.get("QUIZ_RATELIMIT_JOIN", "600 per minute;3000 per hour"),
        "QUIZ_RATELIMIT_START": env.get("QUIZ_RATELIMIT_START", "600 per minute;3000 per hour"),
        "QUIZ_RATELIMIT_IDENTITY": env.get("QUIZ_RATELIMIT_IDENTITY", "10 per minute"),
        "QUIZ_RATELIMIT_LOGIN": env.get("QUIZ_RATELIMIT_LOGIN", "30 per minute"),
        "QUIZ_RATELIMIT_CARD": env.get("QUIZ_RATELIMIT_CARD", "60 per minute"),
        "QUIZ_RATELIMIT_LOOKUP": env.get("QUIZ_RATELIMIT_LOOKUP", "30 per minute;300 per hour"),
        "QUIZ_RATELIMIT_STORAGE_URI": env.get("QUIZ_RATELIMIT_STORAGE_URI", "memory://"),
        "QUIZ_TRUSTED_PROXIES": int(env.get("QUIZ_TRUSTED_PROXIES", "0")),
        # Two deployments sharing one Redis must not share counters: give each its own prefix.
        "QUIZ_RATELIMIT_KEY_PREFIX": env.get("QUIZ_RATELIMIT_KEY_PREFIX") or "thiduaso",
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(env),
        # Admission control (quiz/admission.py): attempt starts and submits in flight per worker
        # process, beyond which a 503 + Retry-After answers at once. Unset: pool size - 1; 0: no bound.
        "QUIZ_ADMISSION_START": int(env["QUIZ_ADMISSION_START"]) if env.get("QUIZ_ADMISSION_START") else None,
        "QUIZ_ADMISSION_SUBMIT": int(env["QUIZ_ADMISSION_SUBMIT"]) if env.get("QUIZ_ADMISSION_SUBMIT") else None,
        "QUIZ_ADMISSION_RETRY_S": int(env.get("QUIZ_ADMISSION_RETRY_S", "3")),
        # Behind nginx (X-Request-Start): a participant request that waited longer than this before
        # reaching the app is refused the same way at once (0: off).
        "QUIZ_ADMISSION_QUEUE_S": float(env.get("QUIZ_ADMISSION_QUEUE_S", "5")),
        # SQLite: how long a write waits for another's lock before the request answers 503 busy.
        "SQLITE_BUSY_TIMEOUT_MS": int(env.get("QUIZ_SQLITE_BUSY_TIMEOUT_MS", "10000")),
        # /metrics for Prometheus: loopback, or this bearer token from elsewhere (quiz/metrics.py).
        "QUIZ_METRICS_TOKEN": env.get("QUIZ_METRICS_TOKEN") or None,
    }


def fit_engine_options(config) -> None:
    """SQLite: no pre-ping. A file has no server to restart or drop a connection, and the ping is
    one more round trip on every request (the join page's only query doubled). An in-memory
    database has a single connection (SQLAlchemy's StaticPool), so no pool size either."""
    uri = str(config.get("SQLALCHEMY_DATABASE_URI", ""))
    if uri.startswith("sqlite"):
        options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.pop("pool_pre_ping", None)
        if uri in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in uri:
            options.pop("pool_size", None)
            options.pop("max_overflow", None)
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def engine_options(env) -> dict:
    """Connection pool settings. Pre-ping replaces a connection the database dropped (a restart, a
    failover) instead of failing the request that draws it. Size the pool with the connection budget
    in the README: workers × pool_size + max_overflow per server, summed, below max_connections."""
    # The default pool keeps one connection per thread of the README's worker (8 threads): with
    # SQLAlchemy's 5, three threads' connections were opened and closed on every request under
    # load (an overflow connection is closed when it comes back), a PostgreSQL backend started each time.
    options: dict = {"pool_pre_ping": True, "pool_size": 8, "max_overflow": 4}
    for key, name in (("pool_size", "QUIZ_DB_POOL_SIZE"), ("max_overflow", "QUIZ_DB_MAX_OVERFLOW")):
        if env.get(name):
            options[key] = int(env[name])
    return options


class ConfigError(RuntimeError):
    """A configuration the server must not run with; the message says what to set."""


def require_public_address(config: dict) -> None:
    """Production needs a public address that no request can choose: QUIZ_BASE_URL (an http(s)
    URL) or QUIZ_ALLOWED_HOSTS. Otherwise a forged Host header would end up in QR codes and the
    board, which proxies cache for a day."""
    base = config.get("QUIZ_BASE_URL")
    if base:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"QUIZ_BASE_URL={base!r} không phải một địa chỉ http(s)://… đầy đủ "
                              f"(QUIZ_BASE_URL must be a full http(s):// URL, e.g. https://thi.syt.gov.vn).")
        return
    if not config.get("TRUSTED_HOSTS"):
        raise ConfigError("Chưa đặt QUIZ_BASE_URL (địa chỉ công khai in trên mã QR, ví dụ https://thi.syt.gov.vn) "
                          "hoặc QUIZ_ALLOWED_HOSTS (các tên máy chủ được phép, cách nhau bởi dấu phẩy): máy chủ "
                          "không khởi động. (Production needs QUIZ_BASE_URL or QUIZ_ALLOWED_HOSTS.)")


def database_url(raw: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL: DATABASE_URL if given, else SQLite in the instance folder."""
    if not raw:
        return "sqlite:///" + str(Path(instance_path) / SQLITE_FILE)
    # Heroku-style URLs and plain postgresql:// both mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def ensure_secret_key(instance_path: str) -> str:
    """Return the secret kept in instance/secret_key, generating it (0600) on first use.

    There is deliberately no constant fallback: a server without SECRET_KEY gets its own random
    key that survives restarts, so sessions stay valid and no two installs share a secret.
    """
    path = Path(instance_path) / SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key
