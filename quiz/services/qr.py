"""Join URLs and their QR codes (SVG for print pages, PNG for chat apps and slides).

The base URL is passed in by the caller (config QUIZ_BASE_URL or the request's host) so this
module never looks at the request.
"""
from __future__ import annotations

import io
import re
from urllib.parse import quote, urlencode

import qrcode
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathImage

# M (15 % redundancy) survives a poster with a crease or a glare spot and still stays small.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def join_url(base_url: str, quiz_code: str, unit_code: str | None = None) -> str:
    """`<base>/j/<code>`, or `<base>/j/<code>?u=<unit>` for a unit's own poster."""
    url = f"{base_url.rstrip('/')}/j/{quote(quiz_code, safe='')}"
    if unit_code:
        url += "?" + urlencode({"u": unit_code})
    return url


def short_url(url: str) -> str:
    """What a poster prints for people who type instead of scanning: no scheme."""
    return url.split("://", 1)[-1]


def _make(data: str, box_size: int, image_factory):
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=box_size, border=4,
                         image_factory=image_factory)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image()


def qr_svg(data: str) -> str:
    """A standalone SVG document (one path, scalable) that encodes `data`."""
    buffer = io.BytesIO()
    _make(data, 10, SvgPathImage).save(buffer)
    return buffer.getvalue().decode("utf-8")


def qr_svg_inline(data: str) -> str:
    """The same SVG without the XML declaration, to embed in an HTML page."""
    svg = qr_svg(data)
    svg = svg[svg.index("<svg"):]
    # Drop the fixed millimetre size: the page's CSS decides how big the code prints.
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg role="img" shape-rendering="crispEdges"', svg)


def qr_png(data: str, box_size: int = 10) -> bytes:
    """A PNG (pure Python through pypng: no Pillow needed on the server)."""
    buffer = io.BytesIO()
    _make(data, box_size, PyPNGImage).save(buffer)
    return buffer.getvalue()
