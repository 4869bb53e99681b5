"""Blueprints, one per feature."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import auth, main

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
