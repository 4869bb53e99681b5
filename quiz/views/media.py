"""`/m/<sha256>.webp`: question and option images, by content hash, cached forever by phones.

The URL is the hash of the bytes, so they never change under it: `immutable` lets a phone keep
the image for a reload without asking again, and the ETag answers a revalidation with a 304.
No session, no cookie: an image is the same for everyone who has its URL.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, request

from ..services import media as media_service

bp = Blueprint("media", __name__)

CACHE_CONTROL = "public, max-age=31536000, immutable"
# An image response is never a document: no script, no plugin, no framing, even if opened directly.
IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


@bp.get("/m/<string(length=64):sha256>.webp")
def show(sha256: str):
    found = media_service.media_bytes(sha256)
    if found is None:
        abort(404)
    if request.if_none_match.contains(sha256):
        response = Response(status=304)
    else:
        response = Response(found[0], mimetype=found[1])
    response.headers["ETag"] = f'"{sha256}"'
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Content-Security-Policy"] = IMAGE_CSP
    return response
