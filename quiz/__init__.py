"""Thi Đua Số: timed quizzes with QR entry, unit emulation rankings and exports."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import ensure_secret_key, fit_engine_options, load_config, require_public_address

_PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(name: str) -> str:
    """A top-level folder of the source tree, or its copy inside an installed wheel."""
    source = _PACKAGE_DIR.parent / name
    return str(source if source.is_dir() else _PACKAGE_DIR / name)


def create_app(test_config: dict | None = None, *, instance_path: str | None = None,
               production: bool = False) -> Flask:
    """Build the app: configuration, extensions, request hooks, caches, blueprints, error
    handlers, CLI and WSGI middleware — every piece of wiring is here, in order. Nothing else.

    `production` (wsgi.py, what gunicorn serves) refuses a configuration that is only fit for
    development: see quiz.config.require_public_address.
    """
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=_resource_dir("templates"),
        static_folder=_resource_dir("static"),
    )
    from .jsonbody import BoundedJSONProvider
    app.json = BoundedJSONProvider(app)  # a body nested too deep is a 400, not a RecursionError
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    fit_engine_options(app.config)
    if production:
        require_public_address(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = ensure_secret_key(app.instance_path)

    from . import admission, cache, database, headers, metrics, ratelimit, templating
    from .cli import register_cli
    from .errors import register_error_handlers
    from .extensions import babel, csrf, db, login_manager, migrate
    from .services import live_session, media, question_pool
    from .services.rankings import published, tallies
    from .views import board, qr, register_blueprints
    from .views.live_session import LiveStateFastPath
    from .views.play import page_cache

    # Extensions.
    db.init_app(app)
    database.configure_engines(app)
    migrate.init_app(app, db, directory=_resource_dir("migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=templating.select_locale)
    templating.init_app(app)
    ratelimit.init_app(app)

    # Request hooks (Flask runs after_request hooks last registered first).
    headers.init_app(app)  # the security headers on every response
    metrics.init_app(app)  # request counts and latencies for /metrics
    database.commit_read_finalisations(app)  # a read that finalised attempts keeps them (the policy: its docstring)
    tallies.init_app(app)  # unit tallies follow every flush that finishes an attempt, in its transaction
    # Attempt starts and submits in flight per worker are bounded; beyond, a fast 503 + Retry-After
    # that the phone re-sends by itself (quiz/admission.py, endpoints listed in admission.GUARDED).
    admission.init_app(app)

    # What the app keeps between requests (quiz/cache.py): each bounded and thread-safe, all off
    # with QUIZ_CACHE=0; tests run them as production does.
    cache.init_app(app)
    # the join page for a crowd scanning one poster; each hit re-reads the quiz row (a close shows at once)
    cache.register(app, page_cache.PAGES, size=64, ttl=lambda: app.config["JOIN_PAGE_CACHE_S"])
    # a big screen's figures, shared by every projector and phone polling the same board
    cache.register(app, board.DATA, size=128, ttl=2.0)
    # a live session's state document, built once per version for hundreds of phones (no ttl: versioned)
    cache.register(app, live_session.DOCUMENTS, size=128)
    # each phone's standing at a version: one query for the hall, not one per phone (versioned)
    cache.register(app, live_session.STANDINGS, size=128)
    # a session's version as last read: unchanged polls cost no query; another server's change shows after the ttl
    cache.register(app, live_session.VERSIONS, size=1024, ttl=lambda: app.config["LIVE_VERSION_TTL_MS"] / 1000)
    # a drawn question's options, asked on every live answer (a drawn question never changes)
    cache.register(app, live_session.OPTIONS, size=2048)
    # each open quiz's question pool, checked against the database on every start (one aggregate)
    cache.register(app, question_pool.POOLS, size=question_pool.MAX_POOLS)
    # each answered question's kind and option positions, by version (a save checks an answer against them)
    cache.register(app, question_pool.SHAPES, size=question_pool.MAX_SHAPES)
    # parsed snapshot payloads (a snapshot never changes; a big one is some megabytes)
    cache.register(app, published.PAYLOADS, size=published.SNAPSHOT_CACHE_SIZE)
    # generated share cards, keyed by everything drawn on them (a chat app's crawler asks once)
    cache.register(app, qr.CARDS, size=qr.CARD_CACHE_SIZE)
    # image bytes by content hash (they never change), bounded in bytes: a hall's phones ask for the same ones
    media_bytes = int(app.config["MEDIA_CACHE_BYTES"])
    cache.register(app, media.BYTES, size=media_bytes, weigh=lambda kept: len(kept[0]), largest=media_bytes // 4)

    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)

    # WSGI middleware, innermost first: each wraps the app built so far.
    # 1. A live session's unchanged-state polls are answered before Flask (a 304 from the kept version).
    app.wsgi_app = LiveStateFastPath(app, app.wsgi_app)
    # 2. Outermost: the client's address, scheme and host from X-Forwarded-*, believed only from the
    #    QUIZ_TRUSTED_PROXIES proxies in front of the app (nginx = 1); the rate limits key on it.
    proxies = int(app.config.get("QUIZ_TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app
