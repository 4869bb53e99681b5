"""The JSON API, version 1 (`/api/v1`). One module per resource; errors come from quiz.errors.

The API authenticates by unguessable attempt tokens, not cookies, so it is exempt from CSRF.
"""
from flask import Blueprint

from ...extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

# Resource modules add their routes to `bp` when imported (before the blueprint is registered).
from . import attempts, openapi, quizzes, rankings  # noqa: E402,F401
