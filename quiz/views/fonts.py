"""`/fonts/<name>`: the fonts of the print pages (A4 report, QR posters), served by the app itself.

Only the files `quiz.fonts.font_files()` lists are served, straight from the installed font
packages (nothing copied, no path taken from the URL). They change only when the packages are
upgraded, so browsers may keep them for a month and revalidate with the ETag after that.
"""
from __future__ import annotations

from flask import Blueprint, abort, send_file, url_for
from markupsafe import Markup

from ..fonts import CSS_FAMILIES, font_files, font_path

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
    """The @font-face rules of the served fonts (regular and bold of each family), for a page's <style>
    (built from constants and url_for only, so nothing in it comes from a visitor)."""
    rules = []
    for family, css_name in CSS_FAMILIES.items():
        for weight, css_weight in (("regular", 400), ("bold", 700)):
            url = url_for("fonts.font", name=font_path(family, weight).name)
            rules.append(f'@font-face {{ font-family: "{css_name}"; font-weight: {css_weight}; font-style: normal; '
                         f'font-display: swap; src: url("{url}") format("truetype"); }}')
    return Markup("\n".join(rules))
