"""Blueprints, one per feature."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import admin, api, auth, board, live, main, play, qr, results

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
