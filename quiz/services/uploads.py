"""Uploaded files kept between an import's preview and its confirmation.

The browser only ever gets back a random token; the bytes stay under instance/uploads in a
file named by that token, so no client-sent path or name is ever opened.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path

from flask_babel import gettext as _

from ..errors import ValidationError

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KEEP_SECONDS = 24 * 3600


def _folder(instance_path: str) -> Path:
    folder = Path(instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(instance_path: str, data: bytes, filename: str, purpose: str) -> str:
    """Keep `data` for a later confirmation; returns the token that names it."""
    folder = _folder(instance_path)
    _purge_old(folder)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(data)
    meta = {"filename": os.path.basename(filename or "upload"), "purpose": purpose}
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def load_upload(instance_path: str, token: str, purpose: str) -> tuple[bytes, str]:
    """The bytes and original file name kept under `token`, or a ValidationError."""
    folder = _folder(instance_path)
    expired = ValidationError(_("Tệp đã tải lên không còn (đã nhập hoặc đã quá hạn). Vui lòng tải lên lại."))
    if not TOKEN.match(token or ""):
        raise expired
    data_path, meta_path = folder / f"{token}.bin", folder / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = data_path.read_bytes()
    except (OSError, ValueError):
        raise expired from None
    if meta.get("purpose") != purpose:
        raise expired
    return data, meta.get("filename") or "upload"


def discard_upload(instance_path: str, token: str) -> None:
    if TOKEN.match(token or ""):
        for suffix in (".bin", ".json"):
            (_folder(instance_path) / f"{token}{suffix}").unlink(missing_ok=True)


def _purge_old(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass
