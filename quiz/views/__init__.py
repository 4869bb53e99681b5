"""Blueprints, one per feature."""
from flask import Flask
from werkzeug.routing import IntegerConverter

from ..services.attempts import MAX_ROW_ID


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number too large for any row id is a 404, not a driver overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    from . import admin, api, auth, board, live, main, media, play, qr, results

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
    app.register_blueprint(media.bp)
