"""Image files for the image tests, built in memory: real pictures, a bomb, a zip named .png,
and Moodle XML in the shape Moodle exports (written here, not copied from Moodle)."""
from __future__ import annotations

import base64
import io
import struct
import zipfile
import zlib

from PIL import Image


def png(width: int = 1600, height: int = 1000, color=(200, 30, 30), *, noise: bool = True) -> bytes:
    """A PNG photo-like enough to need re-encoding (and carrying a GPS tag in its EXIF)."""
    image = Image.new("RGB", (width, height), color)
    if noise:
        image = Image.effect_noise((width, height), 60).convert("RGB")
        image = Image.blend(image, Image.new("RGB", (width, height), color), 0.5)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"            # Make
    exif[0x8825] = {2: (21.0, 1.0, 30.0)}  # GPSInfo: latitude
    buffer = io.BytesIO()
    image.save(buffer, "PNG", exif=exif)
    return buffer.getvalue()


def jpeg(width: int = 800, height: int = 600, color=(30, 120, 200)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6  # rotated: the re-encoded image must come out upright (portrait)
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def small_png(color=(0, 128, 0), size=(120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb(side: int = 20_000) -> bytes:
    """A 20,000 × 20,000 PNG: a few hundred bytes on disk, 400 million pixels once decoded."""
    raw_row = b"\x00" + b"\x00" * (side // 8 + 1)
    compressor = zlib.compressobj(9)
    idat = compressor.compress(raw_row * 64) + compressor.flush()  # only the first rows: enough to open
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def zip_named_png() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def moodle_multichoice(question_png: bytes, option_pngs: list[bytes], *, audio: bytes = b"ID3 fake") -> bytes:
    """A Moodle multichoice export: an image in the question text, one per answer, an audio file."""
    answers = []
    for i, data in enumerate(option_pngs):
        fraction = "100" if i == 1 else "0"
        answers.append(f"""
    <answer fraction="{fraction}" format="html">
      <text><![CDATA[<p><img src="@@PLUGINFILE@@/icon%20{i}.png" alt="Biểu tượng {i + 1}" width="64" height="64"></p>]]></text>
      <file name="icon {i}.png" path="/" encoding="base64">{b64(data)}</file>
      <feedback format="html"><text></text></feedback>
    </answer>""")
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Kỹ năng số/Nhận diện ứng dụng</text></category>
  </question>
<!-- question: 101  -->
  <question type="multichoice">
    <name><text>VNeID icon</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Biểu tượng nào là ứng dụng VNeID?</p><p><img src="@@PLUGINFILE@@/man%20hinh.png" alt="Màn hình điện thoại có bốn biểu tượng" width="360" height="240" class="img-fluid"></p><p><audio controls><source src="@@PLUGINFILE@@/huong-dan.mp3"></audio></p>]]></text>
      <file name="man hinh.png" path="/" encoding="base64">{b64(question_png)}</file>
      <file name="huong-dan.mp3" path="/" encoding="base64">{b64(audio)}</file>
    </questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>VNeID có biểu tượng quốc huy.</p>]]></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <showstandardinstruction>0</showstandardinstruction>{''.join(answers)}
  </question>
</quiz>
"""
    return xml.encode("utf-8")


def moodle_truefalse(question_jpeg: bytes) -> bytes:
    """A Moodle truefalse export with a screenshot in the question text (no alt given)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 202  -->
  <question type="truefalse">
    <name><text>SMS lừa đảo</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Tin nhắn trong ảnh là tin nhắn lừa đảo.</p><p><img src="@@PLUGINFILE@@/sms.jpg"></p>]]></text>
      <file name="sms.jpg" path="/" encoding="base64">
{b64(question_jpeg)}
      </file>
    </questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>1.0000000</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <answer fraction="100" format="moodle_auto_format">
      <text>true</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="0" format="moodle_auto_format">
      <text>false</text>
      <feedback format="html"><text></text></feedback>
    </answer>
  </question>
</quiz>
""".encode("utf-8")


def template_bundle(rows: list[list[str]], images: dict[str, bytes], sheet: str = "cau-hoi.xlsx",
                    extra_headers: list[str] | None = None) -> bytes:
    """The project's template filled with `rows` (with the "ảnh" and "mô tả ảnh" columns, then
    `extra_headers`), zipped with images."""
    from openpyxl import Workbook

    from question_bank.formats.template import HEADERS, IMAGE_HEADERS

    workbook = Workbook()
    workbook.active.append(HEADERS + IMAGE_HEADERS + (extra_headers or []))
    for row in rows:
        workbook.active.append(row)
    sheet_bytes = io.BytesIO()
    workbook.save(sheet_bytes)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(sheet, sheet_bytes.getvalue())
        for name, data in images.items():
            archive.writestr(f"anh/{name}", data)
    return buffer.getvalue()


def template_row(text: str, image: str = "", alt: str = "") -> list[str]:
    """A single-answer row: A wrong, B right; then the image columns."""
    return [text, "một đáp án", "Sai", "Đúng", "", "", "", "", "B", "", "", "1", "", "1", image, alt]


def picture(width: int, height: int, background, label: str, shape: str = "circle") -> bytes:
    """A recognisable drawing (for screenshots): a coloured field, a shape and a label."""
    from PIL import ImageDraw
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    box = (width * 0.3, height * 0.15, width * 0.7, height * 0.15 + width * 0.4)
    (draw.ellipse if shape == "circle" else draw.rectangle)(box, fill=(255, 255, 255), outline=(0, 0, 0), width=4)
    draw.text((width * 0.08, height * 0.8), label, fill=(255, 255, 255), font_size=max(12, height // 12))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
