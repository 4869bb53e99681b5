"""Flask's JSON, hardened for request bodies.

Python's parser recurses once per `[` or `{`: a body of 100,000 `[` raises RecursionError, which
werkzeug's `get_json(silent=True)` does not catch (it catches ValueError only), so every reader of
a body — the API's `json_object()`, the rate limiter's identity key — crashed with a 500. Here a
body nested too deep is a malformed body like any other: `get_json(silent=True)` gives None and the
API answers its 400 `bad_json`.
"""
from __future__ import annotations

from flask.json.provider import DefaultJSONProvider


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
