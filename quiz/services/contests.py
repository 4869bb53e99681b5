"""Contests (cuộc thi): creation and editing from the organizer console."""
from __future__ import annotations

import re

from flask_babel import gettext as _

from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import Contest, Organizer
from . import audit

CONTEST_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.\-]{1,39}$")


def save_contest(contest: Contest | None, *, code: str, title: str, description: str = "",
                 rate_percent: float = 50, score_percent: float = 50,
                 actor: Organizer | None = None) -> Contest:
    """Create (`contest=None`) or update a contest; the creator becomes its manager.

    Weights are entered as percentages that add up to 100 and stored as fractions (0.5 / 0.5),
    so the emulation score stays on the 0–100 scale of its two parts.
    """
    code = (code or "").strip().upper()
    title = (title or "").strip()
    fields: dict[str, list[str]] = {}
    is_clash = False
    if not CONTEST_CODE.match(code):
        fields["code"] = [_("Mã cuộc thi cần 2–40 ký tự: chữ không dấu, số, '-', '_' hoặc '.'.")]
    else:
        clash = db.session.scalar(db.select(Contest.id).filter_by(code=code))
        if clash is not None and (contest is None or clash != contest.id):
            fields["code"] = [_("Mã %(code)s đã được dùng cho cuộc thi khác.", code=code)]
            is_clash = True
    if not title or len(title) > 200:
        fields["title"] = [_("Tên cuộc thi bắt buộc, tối đa 200 ký tự.")]
    for key, value in (("w_rate", rate_percent), ("w_score", score_percent)):
        if value is None or not 0 <= value <= 100:
            fields[key] = [_("Trọng số là phần trăm từ 0 đến 100.")]
    if "w_rate" not in fields and "w_score" not in fields and abs(rate_percent + score_percent - 100) > 1e-6:
        fields["w_score"] = [_("Hai trọng số cộng lại phải bằng 100 %% (hiện là %(sum)s %%).",
                               sum=f"{rate_percent + score_percent:g}")]
    if fields:
        if is_clash and len(fields) == 1:
            raise ConflictError(fields["code"][0], fields=fields)
        raise ValidationError(_("Vui lòng sửa các lỗi bên dưới."), fields=fields)
    created = contest is None
    if created:
        contest = Contest(created_by_id=actor.id if actor else None)
        db.session.add(contest)
    contest.code, contest.title, contest.description = code, title, description or ""
    contest.w_rate, contest.w_score = rate_percent / 100, score_percent / 100
    db.session.flush()
    audit.record(actor, "contest.create" if created else "contest.update", contest,
                 code=code, w_rate=contest.w_rate, w_score=contest.w_score)
    return contest
