"""The live session's views: one folder for the phones' pages, the host's console screens, the
JSON phones poll, and the fast path that answers unchanged polls before Flask.

  * `phone`    — `/live/<code>` (join), `/live/p/<token>` (the phone page): blueprint `live`;
  * `host`     — `/admin/quizzes/<code>/live`, `/admin/live/<id>…` (the projector and controls);
  * `api`      — `/api/v1/live/…` (state, a phone's own part, answering);
  * `fastpath` — a WSGI middleware for the state polls, installed by create_app.
URLs, endpoint names and JSON shapes are a public contract (PRODUCT.md; metrics and the console
name the endpoints), so the console's and the API's routes keep their names: `host` and `api`
add them to the `admin` and `api` blueprints (their URL prefix, the console's roles, the API's
CSRF exemption) — importing this package before those blueprints are registered.
"""
from . import api, host  # noqa: F401  (their routes go onto the admin and api blueprints)
from .fastpath import LiveStateFastPath
from .phone import bp

__all__ = ["LiveStateFastPath", "bp"]
