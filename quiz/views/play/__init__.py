"""The participant's pages: join (`/j/<code>`), the attempt (`/a/<token>`), submit and result.

Everything works without JavaScript (one form post per question); static/js/play.js adds
instant saving through the JSON API, an offline queue and the live countdown.
"""
from flask import Blueprint

bp = Blueprint("play", __name__)

from . import attempt, join  # noqa: E402,F401
