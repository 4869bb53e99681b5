"""Images for questions and options: checked, re-encoded with Pillow, stored once by content hash.

What an organizer uploads is never stored or served as sent. It is opened only if its *content*
is PNG, JPEG, WebP or GIF (the file name is not trusted), refused before decoding if it claims
more pixels than `MAX_PIXELS` (decompression bombs), then decoded, turned upright, stripped of
EXIF/XMP/ICC and location data, shrunk to the slot's width and re-encoded as WebP, aiming at
`TARGET_BYTES`. The SHA-256 of those output bytes names the image in the `media` table and in its
URL, so the same picture uploaded twice is stored once and every app server serves it from the
database. The hash is of the pixels we wrote: it says nothing about whether an option is correct.
"""
from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from question_bank import ImageData, ImportResult, Problem, QuestionData
from question_bank.schema import LETTERS

from ..cache import get_cache
from ..errors import ValidationError
from ..extensions import db
from ..models import Media

ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A phone photo is ~12 Mpx; 40 Mpx leaves room for big screenshots and refuses bombs
# (a 20,000 × 20,000 PNG is 400 Mpx and a few hundred KB on disk) before any pixel is decoded.
MAX_PIXELS = 40_000_000
# Widths of the slot an image is shown in (CSS px on a 360 px phone, ×2 for sharp screens).
SLOT_WIDTH = {"question": 720, "option": 360}
# A very tall screenshot is cut down too, so one image cannot fill a phone's memory or screen.
SLOT_HEIGHT = {"question": 1280, "option": 640}
TARGET_BYTES = 80 * 1024
_QUALITIES = (80, 70, 60, 50, 40)
MAX_ALT = 300
HASH_LENGTH = 64


@dataclass(frozen=True)
class EncodedImage:
    data: bytes
    sha256: str
    width: int
    height: int
    content_type: str = "image/webp"


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, fields={"image": [message]})


def encode_image(data: bytes, filename: str = "", slot: str = "question") -> EncodedImage:
    """Check an uploaded image and re-encode it for phones; ValidationError on anything else."""
    name = (filename or "").rsplit("/", 1)[-1][:100] or _("ảnh")
    if not data:
        raise _refuse(_("Tệp ảnh %(name)s trống.", name=name))
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(_("Ảnh %(name)s quá lớn (%(mb).1f MB); tối đa %(max)d MB.", name=name,
                        mb=len(data) / 1024 / 1024, max=MAX_UPLOAD_BYTES // 1024 // 1024))
    not_image = _("Tệp %(name)s không phải ảnh PNG, JPEG, WebP hay GIF (nội dung tệp được kiểm tra, "
                  "không dựa vào đuôi tên tệp).", name=name)
    def too_big(pixels: int) -> ValidationError:
        return _refuse(_("Ảnh %(name)s có %(n)d triệu điểm ảnh, vượt giới hạn %(max)d triệu điểm ảnh; "
                         "hãy thu nhỏ ảnh rồi tải lên lại.", name=name, n=max(1, pixels // 1_000_000),
                         max=MAX_PIXELS // 1_000_000))
    try:
        with warnings.catch_warnings():
            # Pillow warns between MAX_IMAGE_PIXELS and twice that; our own bound below decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Only the header is read here: the size is known before a single pixel is decoded.
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as error:  # Pillow's own bound, far above ours
        size = re.search(r"\((\d+) pixels\)", str(error))
        raise too_big(int(size.group(1)) if size else MAX_PIXELS * 2) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error):
        raise _refuse(not_image) from None
    with image:
        width, height = image.size
        if width < 1 or height < 1 or width * height > MAX_PIXELS:
            raise too_big(width * height)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image.seek(0)  # an animated GIF/WebP keeps its first frame
                image.load()
                pixels = ImageOps.exif_transpose(image)  # upright before EXIF is dropped
        except (OSError, ValueError, SyntaxError, EOFError, struct.error, Image.DecompressionBombError):
            raise _refuse(_("Ảnh %(name)s bị hỏng, không đọc được; hãy lưu lại ảnh rồi tải lên lại.",
                            name=name)) from None
    return _reencode(pixels, slot)


def _reencode(image: Image.Image, slot: str) -> EncodedImage:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")  # also drops palette/CMYK and every info chunk
    max_w, max_h = SLOT_WIDTH[slot], SLOT_HEIGHT[slot]
    image.thumbnail((max_w, max_h), Image.Resampling.LANCZOS)
    out = b""
    for _attempt in range(4):
        for quality in _QUALITIES:
            buffer = io.BytesIO()
            # No exif=, icc_profile= or xmp= arguments: nothing from the upload is carried over.
            image.save(buffer, "WEBP", quality=quality, method=4)
            out = buffer.getvalue()
            if len(out) <= TARGET_BYTES:
                break
        if len(out) <= TARGET_BYTES or min(image.size) <= 64:
            break
        image = image.resize((max(1, image.width * 4 // 5), max(1, image.height * 4 // 5)),
                             Image.Resampling.LANCZOS)
    return EncodedImage(out, hashlib.sha256(out).hexdigest(), image.width, image.height)


def store_encoded(encoded: EncodedImage) -> Media:
    """The media row for these bytes, inserted if new; safe when two requests store it at once."""
    media = db.session.get(Media, encoded.sha256)
    if media is not None:
        return media
    media = Media(sha256=encoded.sha256, content_type=encoded.content_type, size=len(encoded.data),
                  width=encoded.width, height=encoded.height, data=encoded.data)
    try:
        with db.session.begin_nested():
            db.session.add(media)
    except IntegrityError:  # the same picture stored by another request a moment ago
        media = db.session.get(Media, encoded.sha256)
    return media


def store_image(data: bytes, filename: str = "", slot: str = "question") -> Media:
    """Check, re-encode and store an uploaded image (see module docstring)."""
    existing = _already_ours(data)
    if existing is not None and existing.width <= SLOT_WIDTH[slot]:
        return existing
    return store_encoded(encode_image(data, filename, slot))


def _already_ours(data: bytes) -> Media | None:
    """Bytes this installation produced itself (a JSON export read back) are kept as they are,
    so an export → import round trip is lossless; anything else is re-encoded."""
    if not data or len(data) > TARGET_BYTES * 4:
        return None
    return db.session.get(Media, hashlib.sha256(data).hexdigest())


def clean_alt(alt: str | None) -> str:
    return " ".join((alt or "").split())[:MAX_ALT]


def _is_hash(sha256: str) -> bool:
    return len(sha256) == HASH_LENGTH and all(c in "0123456789abcdef" for c in sha256)


def get_media(sha256: str, *, with_data: bool = False) -> Media | None:
    if not _is_hash(sha256):
        return None
    if not with_data:
        return db.session.get(Media, sha256)
    return db.session.scalar(db.select(Media).where(Media.sha256 == sha256)
                             .options(undefer(Media.data)))


# The bytes under a hash never change, so a process may keep them without ever asking again:
# the same images are requested by hundreds of phones in the same minutes. Bounded by total size
# (MEDIA_CACHE_BYTES from QUIZ_MEDIA_CACHE_MB, default 32 MB; 0 turns it off; registered in
# create_app), least recently used out first; an image over a quarter of it is never kept.
BYTES = "media_bytes"  # sha256 → (bytes, content type)


def media_bytes(sha256: str) -> tuple[bytes, str] | None:
    """(bytes, content type) of a stored image, or None: what the media endpoint sends."""
    if not _is_hash(sha256):
        return None

    def read() -> tuple[bytes, str] | None:
        row = db.session.execute(db.select(Media.data, Media.content_type).where(Media.sha256 == sha256)).first()
        return None if row is None else (bytes(row[0]), row[1])
    return get_cache(BYTES).get_or_set(sha256, read)


def preload(hashes) -> dict[str, Media]:
    """Every media row of `hashes` in one query (without bytes): pages ask for sizes, not data."""
    wanted = {h for h in hashes if h}
    if not wanted:
        return {}
    return {m.sha256: m for m in db.session.scalars(db.select(Media).where(Media.sha256.in_(wanted)))}


def image_ref(sha256: str | None, alt: str, media: dict[str, Media]) -> dict | None:
    """What a page or the API gets for an image: URL from the hash, alt text, box size."""
    if not sha256:
        return None
    row = media.get(sha256)
    return {"url": media_url(sha256), "alt": alt, "width": row.width if row else None,
            "height": row.height if row else None}


def media_url(sha256: str) -> str:
    return f"/m/{sha256}.webp"


# --- Images of questions as the question bank carries them -------------------------------------

def store_question_images(data: QuestionData) -> QuestionData:
    """The same question with every image stored (re-encoded) and known by its hash.

    A ValidationError names the image that was refused (question or option letter).
    """
    return replace(data, image=_stored(data.image, "question", _("Ảnh câu hỏi"), "image"),
                   options=[replace(o, image=_stored(o.image, "option",
                                                     _("Ảnh phương án %(c)s", c=LETTERS[i] if i < len(LETTERS) else i + 1),
                                                     "options"))
                            for i, o in enumerate(data.options)])


def _stored(image: ImageData | None, slot: str, what: str, field: str) -> ImageData | None:
    if image is None:
        return None
    if image.sha256 and not image.data:
        if get_media(image.sha256) is None:
            message = _("%(what)s không còn trên máy chủ; hãy tải ảnh lên lại.", what=what)
            raise ValidationError(message, fields={field: [message]})
        return image
    try:
        media = store_image(image.data, image.filename, slot)
    except ValidationError as error:
        message = f"{what}: {error.message}"
        raise ValidationError(message, fields={field: [message]}) from None
    return replace(image, data=b"", sha256=media.sha256)


def image_of(sha256: str | None, alt: str) -> ImageData | None:
    """A stored image as the question bank carries it (by hash, without bytes)."""
    return ImageData(data=b"", filename=f"{sha256}.webp", alt=alt, sha256=sha256) if sha256 else None


def with_image_bytes(questions: list[QuestionData]) -> list[QuestionData]:
    """The questions with every image's bytes filled in (one query), for writers of files."""
    images = [q.image for q in questions] + [o.image for q in questions for o in q.options]
    wanted = {i.sha256 for i in images if i is not None and i.sha256 and not i.data}
    if not wanted:
        return questions
    rows = db.session.execute(db.select(Media.sha256, Media.data).where(Media.sha256.in_(wanted)))
    data = dict(rows.all())

    def fill(image):
        return replace(image, data=data.get(image.sha256, b"")) if image is not None and image.sha256 else image
    return [replace(q, image=fill(q.image), options=[replace(o, image=fill(o.image)) for o in q.options])
            for q in questions]


def check_import_images(result: ImportResult, filename: str) -> list[Problem]:
    """Every image of an import that would be refused, by question line; nothing is stored."""
    problems: list[Problem] = []
    lines = result.lines or [None] * len(result.questions)
    label = "câu" if result.format == "json" else "dòng"
    for question, line in zip(result.questions, lines):
        images = [("ảnh câu hỏi", question.image, "question")] + [
            (f"ảnh phương án {LETTERS[i] if i < len(LETTERS) else i + 1}", o.image, "option")
            for i, o in enumerate(question.options)]
        for what, image, slot in images:
            if image is None or (image.sha256 and not image.data):
                continue
            if _already_ours(image.data) is not None:
                continue
            try:
                encode_image(image.data, image.filename, slot)
            except ValidationError as error:
                problems.append(Problem(filename, line, what, error.message, label))
    return problems
