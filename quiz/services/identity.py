"""Participant identities: Vietnamese phone numbers and staff codes, normalised and masked; names compared.

Every identity rule — one participant per contest, attempt limits, resuming, the live join, the
per-identity rate limit, masking on public pages — sees only what `normalise_identity()` returns,
so a number is one person however it was typed: full-width, Arabic-Indic, Devanagari or
mathematical digits, no-break or zero-width spaces, Unicode dashes, `+84`/`84`/`0084`/`0` in front.
What is still not a phone number or a staff code after that is refused, never stored as typed.
"""
from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

from ..errors import ValidationError

_PHONE_PUNCTUATION = re.compile(r"[.\-()]")
_PHONE_TYPED = re.compile(r"\+?[0-9]+")
_NATIONAL_PHONE = re.compile(r"0[1-9][0-9]{8,9}")
_STAFF_CODE = re.compile(r"[A-Z0-9][A-Z0-9_\-/.]{2,29}")
_HAS_LETTER = re.compile(r"[A-Z]")  # digits and symbols alone are a mistyped phone, not a new person
MINUS_SIGN = "\u2212"  # a math symbol, not a dash, and NFKC leaves it: typed in place of "-" all the same


def canonical_text(raw: str) -> str:
    """`raw` in one form: NFKC; every Unicode decimal digit as its ASCII digit; every dash as `-`;
    spaces, control and invisible format characters (zero-width space, direction marks) dropped."""
    kept = []
    for char in unicodedata.normalize("NFKC", raw or ""):
        digit = unicodedata.decimal(char, None)
        category = unicodedata.category(char)
        if digit is not None:
            kept.append(str(digit))
        elif category == "Pd" or char == MINUS_SIGN:
            kept.append("-")
        elif category[0] != "Z" and category not in ("Cc", "Cf"):
            kept.append(char)
    return "".join(kept)


def _national_phone(compact: str) -> str | None:
    """`0xxxxxxxxx` for a Vietnamese number written nationally or with +84 / 84 / 0084, else None."""
    if compact.startswith("+"):
        digits, international = compact[1:], True
    elif compact.startswith("00"):
        digits, international = compact[2:], True
    else:
        digits, international = compact, False
    if international or (digits.startswith("84") and len(digits) in (11, 12)):
        if not digits.startswith("84"):
            return None  # another country's number
        national = digits[2:]
        digits = national if national.startswith("0") else "0" + national  # "+84 (0) 912…" too
    return digits if _NATIONAL_PHONE.fullmatch(digits) else None


def normalise_identity(raw: str) -> tuple[str, str]:
    """Return `(kind, identity)` for what a participant typed.

    `0912 345 678`, `+84912345678`, `84912345678`, `0912.345.678` and `０９１２３４５６７８` are the
    same phone `0912345678`. Anything with a letter is a staff code: ASCII letters, digits and
    `_ - / .` once normalised, upper-cased (`nv-0123`, `ｎｖ－０１２３` → `NV-0123`). A letter that
    only becomes ASCII by case mapping (dotless ı, ß) is refused rather than merged with another code.
    """
    text = canonical_text(raw)
    if not text:
        raise ValidationError(_("Vui lòng nhập số điện thoại hoặc mã cán bộ."),
                              fields={"identity": [_("Bắt buộc nhập.")]})
    compact = _PHONE_PUNCTUATION.sub("", text)
    if _PHONE_TYPED.fullmatch(compact):
        phone = _national_phone(compact)
        if phone is not None:
            return "phone", phone
        raise ValidationError(
            _("Số điện thoại %(value)s không hợp lệ: cần 10 chữ số, bắt đầu bằng 0 (ví dụ 0912 345 678).",
              value=raw.strip()),
            fields={"identity": [_("Số điện thoại không hợp lệ.")]},
        )
    code = text.upper()
    if text.isascii() and _STAFF_CODE.fullmatch(code) and _HAS_LETTER.search(code):
        return "staff", code
    raise ValidationError(
        _("Mã cán bộ %(value)s không hợp lệ: chỉ gồm chữ, số và dấu gạch, từ 3 đến 30 ký tự.", value=raw.strip()),
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


def mask_name(name: str | None) -> str:
    """A full name as a public check shows it: the given name whole, every other word as its
    initial — `Nguyễn Thị Hoà` → `N. T. Hoà` (enough to match the paper, not to find the person)."""
    words = (name or "").split()
    if len(words) <= 1:
        return words[0][:1] + "." if words else ""
    return " ".join(w[0] + "." for w in words[:-1]) + " " + words[-1]


def name_key(name: str | None) -> str:
    """A full name as compared when someone resumes: no diacritics (đ is d), no case, one space
    between words. `Nguyễn  Thị Hoà` and `nguyen thi hoa` give the same key; word order counts."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name or "")).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return " ".join(text.replace("đ", "d").split())


def same_name(stored: str | None, typed: str | None) -> bool:
    return name_key(stored) == name_key(typed)
