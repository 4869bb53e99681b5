"""The share card: the 1200 × 630 PNG that Zalo and Facebook show for a pasted link (Open Graph).

It carries only what the join page itself shows to anyone: the contest and quiz titles, the
unit of a poster's link, the join code, the short URL and its QR code. Never a ranking figure or
an answer, so it may be cached and served to anyone with the link.

Drawn with Pillow in the fonts the app ships (quiz/fonts.py, every Vietnamese tone mark). A card
costs some tens of milliseconds to draw, so the view keeps the bytes (quiz.cache, bounded) under
everything drawn on it: an edited title makes a new key, an unknown quiz or unit never gets here.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

import qrcode
from PIL import Image, ImageDraw, ImageFont

from ..fonts import font_path
from .qr import ERROR_CORRECTION

WIDTH, HEIGHT = 1200, 630
RED, GOLD, INK, MUTED, PAPER = (179, 38, 30), (255, 213, 79), (29, 27, 32), (95, 91, 102), (255, 255, 255)
MARGIN = 56
QR_SIZE = 420
LEADING = 1.18


@dataclass(frozen=True)
class Card:
    """Everything drawn on a card (also its cache key: two equal cards are the same bytes)."""
    kicker: str  # the contest, above the title
    title: str
    unit: str  # "Đơn vị: …" for a unit's poster link, else ""
    call: str  # "Quét mã QR để dự thi"
    code_label: str
    code: str
    url: str  # what is written under the code (no scheme)
    qr_data: str | None  # the join URL the QR encodes (None: a card without QR)
    brand: str


@cache
def _font(weight: str, size: int, family: str = "sans") -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(family, weight)), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to `width` pixels; the last line kept ends with "…" if text is left over."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and draw.textlength(f"{line} {words[0]}", font=font) <= width:
            line = f"{line} {words.pop(0)}"
        while draw.textlength(line, font=font) > width and len(line) > 1:  # one unbroken long word
            line = line[:-2] + "…"
        lines.append(line)
    if words and lines:
        last = lines[-1]
        while last and draw.textlength(last + " …", font=font) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = last + " …"
    return lines


def _fitted(draw, text: str, width: int, height: int, sizes: tuple[int, ...]):
    """The largest size whose wrap fits `height` with no ellipsis (else the smallest, cut)."""
    for size in sizes:
        font = _font("bold", size)
        lines = _wrap(draw, text, font, width, max(1, min(3, int(height // (size * LEADING)))))
        if not lines or not lines[-1].endswith("…"):
            return font, lines
    return font, lines


def _qr(data: str, size: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = max(1, size // len(matrix))
    image = Image.new("1", (len(matrix), len(matrix)), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    return image.resize((module * len(matrix),) * 2, Image.NEAREST)


def render_card(card: Card) -> bytes:
    """The card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=RED)
    draw.rectangle((0, HEIGHT - 64, WIDTH, HEIGHT), fill=RED)
    text_right = WIDTH - MARGIN - (QR_SIZE + 40 if card.qr_data else 0)
    width = text_right - MARGIN

    # The way in, at the bottom of the text column (what to do, the code, the address); the titles
    # take the room left above it.
    bottom = HEIGHT - 64 - 36
    url_font, code_font, label_font = _font("regular", 30), _font("bold", 64), _font("regular", 28)
    if card.url:
        draw.text((MARGIN, bottom - 30), _wrap(draw, card.url, url_font, width, 1)[0], font=url_font, fill=MUTED)
        bottom -= 44
    if card.code:
        label = f"{card.code_label} "
        baseline = bottom - 18  # label and code on one baseline
        draw.text((MARGIN, baseline), label, font=label_font, fill=MUTED, anchor="ls")
        draw.text((MARGIN + draw.textlength(label, font=label_font), baseline), card.code, font=code_font, fill=RED,
                  anchor="ls")
        bottom -= 84
    if card.call:
        draw.text((MARGIN, bottom - 36), card.call, font=_font("bold", 34), fill=INK)
        bottom -= 36
    bottom -= 20

    y = 50
    kicker = _font("bold", 28)
    for line in _wrap(draw, card.kicker.upper(), kicker, width, 2):
        draw.text((MARGIN, y), line, font=kicker, fill=RED)
        y += 36
    y += 12
    unit_font = _font("regular", 32)
    unit_lines = _wrap(draw, card.unit, unit_font, width, 2) if card.unit else []
    unit_height = 8 + 40 * len(unit_lines) if unit_lines else 0
    title_font, lines = _fitted(draw, card.title, width, bottom - y - unit_height, (64, 56, 48, 42, 36))
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += int(title_font.size * LEADING)
    y += 8
    for line in unit_lines:
        draw.text((MARGIN, y), line, font=unit_font, fill=INK)
        y += 40

    if card.qr_data:
        qr_image = _qr(card.qr_data, QR_SIZE)
        left = WIDTH - MARGIN - qr_image.width
        top = (HEIGHT - 64 - qr_image.height) // 2 + 7
        draw.rectangle((left - 10, top - 10, left + qr_image.width + 10, top + qr_image.height + 10),
                       outline=GOLD, width=6)
        image.paste(qr_image.convert("RGB"), (left, top))
    draw.text((MARGIN, HEIGHT - 50), card.brand, font=_font("bold", 30), fill=PAPER)

    buffer = io.BytesIO()
    # 32 colours (a few flat ones and the text's anti-aliasing): a third of the RGB file's size.
    image.quantize(colors=32, method=Image.Quantize.FASTOCTREE).save(buffer, "PNG", compress_level=7)
    return buffer.getvalue()
