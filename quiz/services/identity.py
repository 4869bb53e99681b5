"""Participant identities: Vietnamese phone numbers and staff codes, normalised and masked."""
from __future__ import annotations

import re

from flask_babel import gettext as _

from ..errors import ValidationError

_PHONE_NOISE = re.compile(r"[\s.\-()]")
_STAFF_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_\-/.]{2,29}$")


def normalise_identity(raw: str) -> tuple[str, str]:
    """Return `(kind, identity)` for what a participant typed.

    `0912 345 678`, `+84912345678`, `84912345678` and `0912.345.678` are the same phone
    `0912345678`. Anything with a letter is a staff code, upper-cased (`nv-0123` → `NV-0123`).
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Vui lòng nhập số điện thoại hoặc mã cán bộ."),
                              fields={"identity": [_("Bắt buộc nhập.")]})
    compact = _PHONE_NOISE.sub("", text)
    if re.fullmatch(r"\+?\d+", compact):
        digits = compact.lstrip("+")
        if digits.startswith("84") and len(digits) in (11, 12):
            digits = "0" + digits[2:]
        if re.fullmatch(r"0[1-9]\d{8,9}", digits):
            return "phone", digits
        raise ValidationError(
            _("Số điện thoại %(value)s không hợp lệ: cần 10 chữ số, bắt đầu bằng 0 (ví dụ 0912 345 678).",
              value=text),
            fields={"identity": [_("Số điện thoại không hợp lệ.")]},
        )
    code = text.upper().replace(" ", "")
    if _STAFF_CODE.fullmatch(code):
        return "staff", code
    raise ValidationError(
        _("Mã cán bộ %(value)s không hợp lệ: chỉ gồm chữ, số và dấu gạch, từ 3 đến 30 ký tự.", value=text),
        fields={"identity": [_("Mã cán bộ không hợp lệ.")]},
    )


def mask_identity(identity: str | None) -> str:
    """What a public page may show: `0912345678` → `09xx xxx 678`; `NV-00123` → `NV***23`."""
    if not identity:
        return ""
    if identity.isdigit():
        return f"{identity[:2]}xx xxx {identity[-3:]}"
    keep = 2 if len(identity) > 5 else 1
    return identity[:keep] + "***" + identity[-keep:]
