"""Blueprints, one per feature."""
from flask import Flask
from werkzeug.routing import IntegerConverter

ROW_ID_MAX = 2**31 - 1  # ids are INTEGER columns: PostgreSQL's int4 holds no more


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number too large for any row id is a 404, not a driver overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ROW_ID_MAX)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    from . import admin, api, auth, board, live, main, play, qr, results

    app.url_map.converters["int"] = RowIdConverter  # before any rule is added

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(play.bp)
    app.register_blueprint(results.bp)
    app.register_blueprint(board.bp)
    app.register_blueprint(qr.bp)
    app.register_blueprint(live.bp)
    # Live sessions: phones' unchanged-state polls are answered before Flask (see live_fastpath).
    from .live_fastpath import LiveStateFastPath
    app.wsgi_app = LiveStateFastPath(app, app.wsgi_app)
