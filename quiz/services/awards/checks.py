"""Winner verification: an organizer marks a proposed winner verified (how: ID card checked,
phone called) or disqualified (why: someone else took the quiz, the same person twice). A
disqualification recomputes the list — the next in line moves up — and the audit log records
who moved in."""
from __future__ import annotations

from flask_babel import gettext as _

from ... import clock
from ...errors import NotFoundError, ValidationError
from ...extensions import db
from ...models import CHECK_STATUSES, Contest, Organizer, PrizeTable, WinnerCheck
from .. import audit
from ..locks import lock_contest
from .propose import Section, propose


def _section(contest: Contest, table: PrizeTable) -> Section:
    return next(s for s in propose(contest).sections if s.table is not None and s.table.id == table.id)


def _winner_ids(contest: Contest, table: PrizeTable) -> list[int]:
    return [w.participant_id for w in _section(contest, table).winners]


def check_winner(table: PrizeTable, participant_id: int, *, status: str, note: str,
                 actor: Organizer | None = None) -> WinnerCheck:
    """Record (or change) the check of a proposed winner of `table`."""
    if status not in CHECK_STATUSES:
        raise ValidationError(_("Trạng thái kiểm tra không hợp lệ."))
    note = (note or "").strip()[:500]
    if not note:
        message = (_("Ghi lý do loại (ví dụ: thi hộ, trùng người).") if status == "disqualified"
                   else _("Ghi cách đã xác minh (ví dụ: đã kiểm tra CCCD, đã gọi điện)."))
        raise ValidationError(message, fields={"note": [message]})
    contest = lock_contest(table.contest)
    section = _section(contest, table)
    before = [w.participant_id for w in section.winners]
    candidates = set(before) | {s.row["participant_id"] for s in section.skipped}
    if participant_id not in candidates:
        raise NotFoundError(_("Người này không có trong danh sách đề nghị của bảng giải này."))
    check = db.session.scalar(db.select(WinnerCheck).filter_by(table_id=table.id, participant_id=participant_id))
    previous = check.status if check is not None else None
    if check is None:
        check = WinnerCheck(table_id=table.id, participant_id=participant_id)
        db.session.add(check)
    check.status, check.note = status, note
    check.checked_by_id = actor.id if actor is not None else None
    check.checked_at = clock.utcnow()
    db.session.flush()
    after = _winner_ids(contest, table)
    audit.record(actor, f"awards.{'disqualify' if status == 'disqualified' else 'verify'}", contest,
                 round=table.quiz.code if table.quiz else None, participant_id=participant_id,
                 note=note, previous=previous,
                 moved_in=[p for p in after if p not in before] or None,
                 moved_out=[p for p in before if p not in after] or None)
    return check


def clear_check(table: PrizeTable, participant_id: int, *, actor: Organizer | None = None) -> None:
    """Undo a check (a disqualification lifted: the person takes their place again)."""
    contest = lock_contest(table.contest)
    check = db.session.scalar(db.select(WinnerCheck).filter_by(table_id=table.id, participant_id=participant_id))
    if check is None:
        raise NotFoundError(_("Chưa có kết quả kiểm tra nào để bỏ."))
    before = _winner_ids(contest, table)
    db.session.delete(check)
    db.session.flush()
    after = _winner_ids(contest, table)
    audit.record(actor, "awards.check_clear", contest, round=table.quiz.code if table.quiz else None,
                 participant_id=participant_id, previous=check.status,
                 moved_in=[p for p in after if p not in before] or None,
                 moved_out=[p for p in before if p not in after] or None)
