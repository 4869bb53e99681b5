"""Public pages that belong to no feature: the home page and the health check."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from .. import clock, ratelimit
from ..extensions import db
from ..services.quizzes import listed_quizzes

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    now = clock.utcnow()
    return render_template("main/index.html", quizzes=listed_quizzes(now), now=now)


@bp.get("/healthz")
@bp.get("/readyz")
def healthz():
    """For a load balancer and an operator: 503 while the database cannot be reached (take this server
    out), 200 otherwise. Redis is reported but does not make a server unready: while it is down the
    rate limits count per process (quiz/ratelimit.py), and pulling every server out would stop the event."""
    try:
        db.session.execute(db.text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        database = "down"
    report = {"status": "ok" if database == "ok" else "down", "database": database,
              "ratelimit_storage": ratelimit.storage_state(current_app)}
    return jsonify(report), 200 if database == "ok" else 503


@bp.get("/lang/<code>")
def set_language(code: str):
    # The locale selector reads ?lang= and remembers it; this route only sends the visitor back.
    target = request.referrer or url_for("main.index")
    return redirect(f"{url_for('main.index')}?lang={code}" if target is None else _with_lang(target, code))


def _with_lang(url: str, code: str) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:  # never bounce to another site
        return url_for("main.index", lang=code)
    query = dict(parse_qsl(parts.query))
    query["lang"] = code
    return urlunsplit(("", "", parts.path, urlencode(query), ""))
