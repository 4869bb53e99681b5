"""Blueprints, one per feature."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import admin, api, auth, main, qr

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(qr.bp)
