"""`/fonts/<name>`: the fonts of the print pages (A4 report, QR posters), served by the app itself.

Only the files `quiz.fonts.font_files()` lists are served, straight from the installed font
packages (nothing copied, no path taken from the URL). They change only when the packages are
upgraded, so browsers may keep them for a month and revalidate with the ETag after that.
"""
from __future__ import annotations

from flask import Blueprint, abort, send_file, url_for
from markupsafe import Markup

from ..fonts import font_faces, font_files

bp = Blueprint("fonts", __name__)

MAX_AGE = 30 * 86400


@bp.get("/fonts/<name>")
def font(name: str):
    path = font_files().get(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="font/ttf", max_age=MAX_AGE, conditional=True, etag=True)
    response.cache_control.public = True
    return response


@bp.app_template_global("font_faces_css")
def font_faces_css() -> Markup:
    """The @font-face rules of the served fonts (quiz.fonts.font_faces), for a page's <style>
    (built from constants and url_for only, so nothing in it comes from a visitor)."""
    rules = []
    for family, weight, style, name in font_faces():
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
                     f'font-display: swap; src: url("{url_for("fonts.font", name=name)}") format("truetype"); }}')
    return Markup("\n".join(rules))
