"""A ZIP holding the project's template (one .xlsx or .csv) and the image files its "ảnh" column names.

The sheet is read as usual; a row whose "ảnh" cell names a file gets that file's bytes (checked and
re-encoded by the app, not here). A name the ZIP does not hold is an error on its row, so the import,
all or nothing, imports nothing.
"""
from __future__ import annotations

import io
import posixpath
import unicodedata
import zipfile

from .common import check_zip, fail

SHEET_EXTENSIONS = (".xlsx", ".csv")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".gif")


def looks_like_bundle(names: set[str]) -> bool:
    """A zip that is not itself a workbook but carries one."""
    return "[Content_Types].xml" not in names and any(
        n.lower().endswith(SHEET_EXTENSIONS) for n in names if not _ignored(n))


def image_key(name: str) -> str:
    """How a cell's file name meets a ZIP member: base name, case and Unicode form ignored."""
    return unicodedata.normalize("NFC", posixpath.basename(name.replace("\\", "/")).strip()).casefold()


def _ignored(name: str) -> bool:
    base = posixpath.basename(name)
    return name.endswith("/") or name.startswith("__MACOSX/") or base.startswith((".", "~$"))


def open_bundle(data: bytes, file: str) -> tuple[bytes, str, dict[str, tuple[str, bytes]]]:
    """(sheet bytes, sheet name, {image_key: (member name, bytes)}); the zip is checked for bombs first."""
    check_zip(data, file)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [i for i in archive.infolist() if not _ignored(i.filename)]
        sheets = [i for i in members if i.filename.lower().endswith(SHEET_EXTENSIONS)]
        if len(sheets) != 1:
            fail(file, f"tệp ZIP phải chứa đúng một bảng tính (.xlsx hoặc .csv) theo mẫu, hiện có {len(sheets)} — "
                       "hãy nén bảng tính cùng các ảnh mà cột 'ảnh' nhắc đến")
        images: dict[str, tuple[str, bytes]] = {}
        for info in members:
            if info.filename.lower().endswith(IMAGE_EXTENSIONS):
                key = image_key(info.filename)
                if key in images:
                    fail(file, f"tệp ZIP có hai ảnh cùng tên '{posixpath.basename(info.filename)}' — hãy đổi tên một ảnh")
                images[key] = (posixpath.basename(info.filename), archive.read(info))
        sheet = sheets[0]
        return archive.read(sheet), posixpath.basename(sheet.filename), images
