"""Thi Đua Số: timed quizzes with QR entry, unit emulation rankings and exports."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import ensure_secret_key, load_config, require_public_address

_PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(name: str) -> str:
    """A top-level folder of the source tree, or its copy inside an installed wheel."""
    source = _PACKAGE_DIR.parent / name
    return str(source if source.is_dir() else _PACKAGE_DIR / name)


def create_app(test_config: dict | None = None, *, instance_path: str | None = None,
               production: bool = False) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, CLI. Nothing else.

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
    if production:
        require_public_address(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = ensure_secret_key(app.instance_path)

    from . import admission, cache, database, headers, metrics, ratelimit, templating
    from .cli import register_cli
    from .errors import register_error_handlers
    from .extensions import babel, csrf, db, login_manager, migrate
    from .views import register_blueprints
    from .views.live_fastpath import LiveStateFastPath

    cache.init_app(app)
    db.init_app(app)
    database.configure_engines(app)
    migrate.init_app(app, db, directory=_resource_dir("migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=templating.select_locale)
    templating.init_app(app)
    ratelimit.init_app(app)
    headers.init_app(app)
    metrics.init_app(app)
    # Attempt starts and submits in flight per worker are bounded; beyond, a fast 503 + Retry-After
    # that the phone re-sends by itself (quiz/admission.py, endpoints listed in admission.GUARDED).
    admission.init_app(app)
    register_blueprints(app)
    # Live sessions: phones' unchanged-state polls are answered before Flask (see live_fastpath).
    app.wsgi_app = LiveStateFastPath(app, app.wsgi_app)
    proxies = int(app.config.get("QUIZ_TRUSTED_PROXIES") or 0)
    if proxies > 0:  # the client's address, scheme and host from X-Forwarded-* behind nginx
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    register_error_handlers(app)
    register_cli(app)
    return app
