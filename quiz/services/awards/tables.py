"""Prize tables (cơ cấu giải thưởng) and the contest's award and certificate settings.

A contest has one table for the whole contest and one per round (quiz); a table that was
never saved is empty (no prizes). Saving replaces the table's levels in one go.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ...errors import ValidationError
from ...extensions import db
from ...models import Contest, Organizer, PrizeLevel, PrizeTable, Quiz
from .. import audit
from ..locks import lock_contest

CONTEST_KEY = "contest"
MAX_LEVELS = 12
MAX_COUNT = 10_000


def scope_key(quiz: Quiz | None) -> str:
    return CONTEST_KEY if quiz is None else str(quiz.id)


@dataclass
class LevelInput:
    name: str
    count: int


def get_table(contest: Contest, quiz: Quiz | None = None) -> PrizeTable | None:
    return db.session.scalar(db.select(PrizeTable).filter_by(contest_id=contest.id, scope_key=scope_key(quiz)))


def contest_tables(contest: Contest) -> list[tuple[Quiz | None, PrizeTable | None]]:
    """(None, the contest's table) then (round, its table) for each round in date order; a table
    is None when it was never saved."""
    saved = {t.scope_key: t for t in db.session.scalars(db.select(PrizeTable).filter_by(contest_id=contest.id))}
    return [(None, saved.get(CONTEST_KEY))] + [(q, saved.get(str(q.id))) for q in contest.quizzes]


def _check_levels(levels: list[LevelInput]) -> list[LevelInput]:
    kept = [LevelInput(level.name.strip(), level.count) for level in levels if level.name.strip() or level.count]
    problems = []
    for number, level in enumerate(kept, start=1):
        if not level.name:
            problems.append(_("Giải thứ %(n)d chưa có tên.", n=number))
        elif len(level.name) > 80:
            problems.append(_("Tên giải thứ %(n)d dài quá 80 ký tự.", n=number))
        if not 1 <= level.count <= MAX_COUNT:
            problems.append(_("Số lượng giải %(name)s phải từ 1 đến %(max)d.", name=level.name or number,
                              max=MAX_COUNT))
    if len({level.name.casefold() for level in kept}) < len(kept):
        problems.append(_("Hai giải trùng tên: mỗi giải một tên riêng."))
    if len(kept) > MAX_LEVELS:
        problems.append(_("Nhiều nhất %(n)d mức giải.", n=MAX_LEVELS))
    if problems:
        raise ValidationError(_("Cơ cấu giải chưa hợp lệ."), fields={"prize_levels": problems})
    return kept


def save_prize_table(contest: Contest, quiz: Quiz | None, *, levels: list[LevelInput],
                     min_score_pct: float | None = None, cap_pct: float | None = None,
                     unit_top_n: int | None = None, unit_top_name: str = "",
                     unit_min_rate_pct: float | None = None, unit_rate_name: str = "",
                     actor: Organizer | None = None) -> PrizeTable:
    """Create or replace the prize table of `quiz` (None: the whole contest)."""
    if quiz is not None and quiz.contest_id != contest.id:
        raise ValidationError(_("Đợt thi %(code)s không thuộc cuộc thi này.", code=quiz.code))
    levels = _check_levels(levels)
    fields = {}
    if min_score_pct is not None and not 0 <= min_score_pct <= 100:
        fields["min_score_pct"] = [_("Điểm tối thiểu là một phần trăm từ 0 đến 100.")]
    if cap_pct is not None and not 0 < cap_pct <= 100:
        fields["cap_pct"] = [_("Giới hạn số giải là một phần trăm lớn hơn 0, tối đa 100.")]
    if unit_top_n is not None and not 1 <= unit_top_n <= MAX_COUNT:
        fields["unit_top_n"] = [_("Số đơn vị được giải phải từ 1 đến %(max)d.", max=MAX_COUNT)]
    if unit_min_rate_pct is not None and not 0 < unit_min_rate_pct <= 100:
        fields["unit_min_rate_pct"] = [_("Tỷ lệ tham gia là một phần trăm lớn hơn 0, tối đa 100.")]
    if fields:
        raise ValidationError(_("Cơ cấu giải chưa hợp lệ."), fields=fields)
    lock_contest(contest)
    table = get_table(contest, quiz)
    if table is None:
        table = PrizeTable(contest_id=contest.id, quiz_id=quiz.id if quiz else None, scope_key=scope_key(quiz))
        db.session.add(table)
    table.min_score_pct, table.cap_pct = min_score_pct, cap_pct
    table.unit_top_n, table.unit_min_rate_pct = unit_top_n, unit_min_rate_pct
    table.unit_top_name = (unit_top_name or "").strip()[:80] or _("Giải tập thể")
    table.unit_rate_name = (unit_rate_name or "").strip()[:80] or _("Đơn vị tích cực")
    table.levels.clear()
    db.session.flush()  # the old levels' positions are free before the new ones take them
    table.levels.extend(PrizeLevel(position=i, name=level.name, count=level.count) for i, level in enumerate(levels))
    db.session.flush()
    audit.record(actor, "awards.table_save", contest, round=quiz.code if quiz else None,
                 levels=[[level.name, level.count] for level in levels], min_score_pct=min_score_pct,
                 cap_pct=cap_pct, unit_top_n=unit_top_n, unit_min_rate_pct=unit_min_rate_pct)
    return table


def save_award_settings(contest: Contest, *, one_prize_per_person: bool, certificate_issuer: str = "",
                        certificate_place: str = "", certificate_signer_title: str = "",
                        certificate_signer_name: str = "", completion_min_pct: float | None = None,
                        actor: Organizer | None = None) -> Contest:
    """The contest-wide rules and what its certificates print."""
    if completion_min_pct is not None and not 0 <= completion_min_pct <= 100:
        raise ValidationError(_("Cơ cấu giải chưa hợp lệ."), fields={
            "completion_min_pct": [_("Điểm tối thiểu là một phần trăm từ 0 đến 100.")]})
    lock_contest(contest)
    contest.one_prize_per_person = bool(one_prize_per_person)
    contest.certificate_issuer = (certificate_issuer or "").strip()[:200]
    contest.certificate_place = (certificate_place or "").strip()[:80]
    contest.certificate_signer_title = (certificate_signer_title or "").strip()[:200]
    contest.certificate_signer_name = (certificate_signer_name or "").strip()[:120]
    contest.completion_min_pct = completion_min_pct
    db.session.flush()
    audit.record(actor, "awards.settings_save", contest, one_prize_per_person=contest.one_prize_per_person,
                 completion_min_pct=completion_min_pct)
    return contest
