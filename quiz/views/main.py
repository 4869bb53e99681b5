"""Public pages that belong to no feature: the home page, the health checks, the language switch."""
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from .. import clock, ratelimit
from ..extensions import db
from ..services.quizzes import listed_quizzes
from .redirects import local_path

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
    """Back to the page the visitor came from (a path of this site only), in language `code`.

    The locale selector reads ?lang= and remembers it; this route only sends the visitor back.
    """
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    back = local_path(request.referrer, allow_own_host=True) or url_for("main.index")
    parts = urlsplit(back)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"] + [("lang", code)]
    return redirect(urlunsplit(("", "", parts.path, urlencode(query), "")))
