"""Public pages that belong to no feature: the home page, the health check, the language switch."""
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for

from .. import clock
from ..extensions import db
from ..services.quizzes import listed_quizzes
from .redirects import local_path

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    now = clock.utcnow()
    return render_template("main/index.html", quizzes=listed_quizzes(now), now=now)


@bp.get("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return jsonify(status="ok")


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
