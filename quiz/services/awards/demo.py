"""The demo's end of a campaign: a round that has ended, its final ranking published, prize
tables for it and for the contest, every winner checked and the award list published — so the
award pages, the certificates and their check have something to show."""
from __future__ import annotations

from datetime import datetime, timedelta

from ...extensions import db
from ...models import Quiz
from .. import quizzes
from ..demo import DEMO_CONTEST_CODE, DEMO_DRAW, play_sample_attempts
from ..rankings.published import publish_ranking
from . import checks, publish, tables
from .propose import propose

DEMO_ROUND_CODE = "BDHVS0"


def load_award_demo(now: datetime, *, timezone: str, sample_attempts: int = 80) -> Quiz | None:
    """Add the ended round with its published awards; None when it is already there."""
    if db.session.scalar(db.select(Quiz.id).filter_by(code=DEMO_ROUND_CODE)) is not None:
        return None
    opens, closes = now - timedelta(days=9), now - timedelta(days=2)
    draw = [{"set": s, "count": c} for s, _t, _d, c in DEMO_DRAW]
    quiz, _created = quizzes.save_quiz({
        "code": DEMO_ROUND_CODE, "title": "Đợt 1 — Kỹ năng số cơ bản (đã kết thúc)", "contest": DEMO_CONTEST_CODE,
        "opens_at": opens.isoformat(), "closes_at": closes.isoformat(), "duration_s": 900, "draw": draw,
        "prediction": "count", "show_review": True,
    }, timezone=timezone)
    play_sample_attempts(quiz, closes - timedelta(hours=1), count=sample_attempts, seed=17)
    contest = quiz.contest
    tables.save_award_settings(
        contest, one_prize_per_person=True, certificate_issuer="Đảng ủy Sở Y tế tỉnh Lai Châu",
        certificate_place="Lai Châu", certificate_signer_title="TM. Ban Tổ chức\nTrưởng ban",
        certificate_signer_name="Nguyễn Văn Demo", completion_min_pct=80)
    tables.save_prize_table(contest, quiz, levels=[tables.LevelInput(n, c) for n, c in
                                                   (("Nhất", 1), ("Nhì", 2), ("Ba", 3), ("Khuyến khích", 5))],
                            min_score_pct=50, cap_pct=20, unit_top_n=3, unit_top_name="Tập thể xuất sắc",
                            unit_min_rate_pct=8, unit_rate_name="Đơn vị tham gia tích cực")
    publish_ranking(quiz=quiz, note="Kết quả chính thức đợt 1 (demo)")
    section = propose(contest).section(quiz)
    for winner in section.winners:
        checks.check_winner(section.table, winner.participant_id, status="verified", note="đã kiểm tra CCCD (demo)")
    publish.publish_awards(contest, note="Danh sách khen thưởng đợt 1 (demo)")
    return quiz
