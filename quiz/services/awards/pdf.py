"""Certificate PDFs: A4 landscape, Vietnamese text in the embedded Source Serif/Sans Pro fonts
(quiz/fonts.py), a QR code of the verification URL and the printed short code.

fpdf2 draws them: pure Python (no system libraries, so `make run` installs everything), embeds
TrueType subsets with a ToUnicode map (the name extracts and searches as typed), and takes the
QR as a PNG from the qrcode package already used for posters.
"""
from __future__ import annotations

import io

from flask_babel import gettext as _
from fpdf import FPDF

from ...fonts import font_path
from ...models import Certificate, Contest
from ..qr import qr_png
from .certificates import display_code
from .report import date_line

RED = (179, 38, 30)
GOLD = (184, 134, 11)
INK = (33, 33, 33)
GREY = (95, 95, 95)
WIDTH, HEIGHT = 297, 210


def verify_url(base_url: str, code: str) -> str:
    """What the QR encodes: `<base>/c/<code>` (the verification page)."""
    return f"{base_url.rstrip('/')}/c/{code}"


def _new_pdf() -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("Thi Đua Số")
    for family in ("serif", "sans"):
        for style, weight in (("", "regular"), ("B", "bold")):  # the italics lack some Vietnamese letters
            pdf.add_font(family, style, str(font_path(family, weight)))
    return pdf


def _fit(pdf: FPDF, text: str, family: str, style: str, size: float, width: float) -> None:
    """Set the font, shrinking it until `text` fits in `width` (long names and unit names)."""
    while size > 8:
        pdf.set_font(family, style, size)
        if pdf.get_string_width(text) <= width:
            return
        size -= 1
    pdf.set_font(family, style, size)


def _line(pdf: FPDF, y: float, text: str, family: str, style: str, size: float, color=INK,
          width: float = 235) -> None:
    _fit(pdf, text, family, style, size, width)
    pdf.set_text_color(*color)
    pdf.set_xy((WIDTH - width) / 2, y)
    pdf.cell(width, size * 0.45, text, align="C")


def _page(pdf: FPDF, certificate: Certificate, contest: Contest, base_url: str, timezone: str) -> None:
    pdf.add_page()
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, WIDTH - 16, HEIGHT - 16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.rect(12, 12, WIDTH - 24, HEIGHT - 24)

    if contest.certificate_issuer:
        _line(pdf, 20, contest.certificate_issuer.upper(), "serif", "B", 13, INK)
    _line(pdf, 38, _("GIẤY CHỨNG NHẬN"), "serif", "B", 34, RED)
    _line(pdf, 58, _("Chứng nhận"), "serif", "", 15, GREY)
    _line(pdf, 68, certificate.full_name, "serif", "B", 30, INK)
    if certificate.unit_name:
        _line(pdf, 86, certificate.unit_name, "sans", "", 15, INK)
    if certificate.kind == "award":
        _line(pdf, 100, _("Đã đạt giải %(prize)s", prize=certificate.prize_name), "serif", "B", 20, RED)
    else:
        _line(pdf, 100, _("Đã hoàn thành"), "serif", "B", 20, RED)
    scope = certificate.scope_title if certificate.scope_title != contest.title else ""
    _line(pdf, 114, _("tại %(scope)s", scope=scope) if scope else _("tại cuộc thi"), "serif", "", 14, GREY)
    _line(pdf, 123, contest.title, "serif", "B", 16, INK, width=250)

    url = verify_url(base_url, certificate.code)
    pdf.image(io.BytesIO(qr_png(url, box_size=8)), x=24, y=142, w=40, h=40)
    pdf.set_text_color(*GREY)
    pdf.set_font("sans", "", 9)
    pdf.set_xy(24, 183)
    pdf.cell(110, 4.5, _("Mã xác minh: %(code)s", code=display_code(certificate.code)))
    pdf.set_xy(24, 188)
    pdf.cell(110, 4.5, _("Kiểm tra tại: %(url)s", url=url.split("://", 1)[-1]))

    x, width = 160, 118
    pdf.set_text_color(*INK)
    pdf.set_font("serif", "", 12)
    pdf.set_xy(x, 142)
    pdf.cell(width, 6, date_line(contest.certificate_place, certificate.issued_at, timezone), align="C")
    if contest.certificate_signer_title:
        pdf.set_font("serif", "B", 12)
        pdf.set_xy(x, 150)
        pdf.multi_cell(width, 5.5, contest.certificate_signer_title.upper(), align="C")
    if contest.certificate_signer_name:
        _fit(pdf, contest.certificate_signer_name, "serif", "B", 14, width)
        pdf.set_xy(x, 183)
        pdf.cell(width, 7, contest.certificate_signer_name, align="C")


def render_certificates(certificates: list[Certificate], *, base_url: str,
                        timezone: str = "Asia/Ho_Chi_Minh") -> bytes:
    """One PDF, one page per certificate."""
    pdf = _new_pdf()
    for certificate in certificates:
        _page(pdf, certificate, certificate.contest, base_url, timezone)
    pdf.set_title(certificates[0].full_name if len(certificates) == 1 else _("Giấy chứng nhận"))
    return bytes(pdf.output())


def certificate_filename(certificate: Certificate) -> str:
    return f"giay-chung-nhan-{certificate.code}.pdf"


def _slug(text: str) -> str:
    from ..identity import name_key
    return "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in name_key(text)).split())[:60]


def certificates_zip(certificates: list[Certificate], file, *, base_url: str,
                     timezone: str = "Asia/Ho_Chi_Minh") -> int:
    """A ZIP of one PDF per certificate (`<round>/<name>-<code>.pdf`) written to `file`;
    returns how many."""
    import zipfile

    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as bundle:
        for certificate in certificates:
            folder = certificate.quiz.code if certificate.quiz is not None else "toan-cuoc-thi"
            name = f"{folder}/{_slug(certificate.full_name) or 'nguoi-du-thi'}-{certificate.code}.pdf"
            bundle.writestr(name, render_certificates([certificate], base_url=base_url, timezone=timezone))
    return len(certificates)
