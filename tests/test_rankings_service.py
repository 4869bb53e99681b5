"""The ranking pipeline on hand-built cases: every tie-break, counted attempts, prediction truth,
unit rollup, missing headcount, capped rate, contest aggregation and a participant's standing."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from quiz.extensions import db
from quiz.models import Contest
from quiz.services import rankings as ranking


def names(rows):
    return [r.full_name for r in rows]


@pytest.fixture
def closing_quiz(make_quiz, frozen_clock):
    """A 5-question quiz with a 'count' prediction that closes an hour after the frozen clock."""
    return make_quiz(questions=5, prediction="count", closes_at=frozen_clock.now() + timedelta(hours=1))


def seed_tie_breaks(quiz, make_attempt, frozen_clock):
    t0 = frozen_clock.now()
    later = t0 + timedelta(seconds=1)
    spec = [  # name, score, prediction, duration s, submitted_at
        ("a", 5, 2, 90, t0), ("b", 5, 4, 10, t0), ("c", 4, 1, 30, later), ("d", 4, 3, 30, t0),
        ("e", 4, 3, 20, t0), ("f", 4, None, 5, t0), ("g", 3, 2, 30, t0), ("h", 3, 2, 30, t0),
    ]
    for name, score, prediction, seconds, at in spec:
        make_attempt(quiz, None, full_name=name, score=score, prediction=prediction,
                     duration_ms=seconds * 1000, submitted_at=at)


def test_open_quiz_is_provisional_and_ignores_predictions(ctx, closing_quiz, make_attempt, frozen_clock):
    seed_tie_breaks(closing_quiz, make_attempt, frozen_clock)
    assert ranking.is_provisional(closing_quiz)
    assert ranking.prediction_truth(closing_quiz) is None
    rows = ranking.individual_ranking(closing_quiz)
    # score → (prediction unknown: skipped) → duration → submitted earlier → attempt id
    assert names(rows) == ["b", "a", "f", "e", "d", "c", "g", "h"]
    assert [r.rank for r in rows] == list(range(1, 9))
    assert all(r.prediction_error is None for r in rows)
    assert rows[1].prediction == Decimal("2.00000")


def test_closed_quiz_uses_prediction_error_then_duration_then_time_then_id(
        ctx, closing_quiz, make_attempt, frozen_clock):
    seed_tie_breaks(closing_quiz, make_attempt, frozen_clock)
    frozen_clock.advance(hours=2)
    assert ranking.prediction_truth(closing_quiz) == Decimal(2)  # a and b answered all 5 right
    assert not ranking.is_provisional(closing_quiz)
    rows = ranking.individual_ranking(closing_quiz)
    assert names(rows) == ["a", "b", "e", "d", "c", "f", "g", "h"]
    errors = {r.full_name: r.prediction_error for r in rows}
    assert errors == {"a": 0, "b": 2, "c": 1, "d": 1, "e": 1, "f": None, "g": 0, "h": 0}
    a = rows[0]
    assert (a.correct_count, a.score, a.max_score, a.score_pct, a.duration_ms) == (5, 5, 5, 100.0, 90_000)
    assert a.identity.startswith("09") and len(a.identity) == 10  # full; pages mask it
    g, h = rows[-2:]
    assert g.attempt_id < h.attempt_id


def test_percent_truth_rounds_to_five_decimals(ctx, make_quiz, make_attempt, frozen_clock):
    quiz = make_quiz(questions=5, prediction="percent", closes_at=frozen_clock.now() + timedelta(hours=1))
    make_attempt(quiz, None, full_name="x", score=5, prediction="33.33333")
    make_attempt(quiz, None, full_name="y", score=4, prediction="40")
    make_attempt(quiz, None, full_name="z", score=4, prediction="20.5")
    frozen_clock.advance(hours=2)
    assert ranking.prediction_truth(quiz) == Decimal("33.33333")
    rows = ranking.individual_ranking(quiz)
    assert names(rows) == ["x", "y", "z"]  # errors 0 < 6.66667 < 12.83333
    errors = {r.full_name: r.prediction_error for r in rows}
    assert errors == {"x": Decimal("0"), "y": Decimal("6.66667"), "z": Decimal("12.83333")}


def test_custom_order_correct_count_first(ctx, make_quiz, make_attempt):
    quiz = make_quiz(questions=5, ranking_order="correct,score,duration")
    make_attempt(quiz, None, full_name="more points", correct_count=3, score=6, max_score=8)
    make_attempt(quiz, None, full_name="more right", correct_count=4, score=4, max_score=8)
    assert names(ranking.individual_ranking(quiz)) == ["more right", "more points"]
    quiz.ranking_order = "score,prediction,duration,submitted_at"
    db.session.commit()
    rows = ranking.individual_ranking(quiz)
    assert names(rows) == ["more points", "more right"]
    assert rows[0].score_pct == 75.0


@pytest.mark.parametrize("counted, expected_score, expected_no", [("best", 5, 2), ("first", 3, 1), ("last", 4, 3)])
def test_counted_attempt(ctx, make_quiz, make_attempt, make_unit, counted, expected_score, expected_no):
    quiz = make_quiz(questions=5, max_attempts=5, counted_attempt=counted)
    unit = make_unit(headcount=10)
    first = make_attempt(quiz, unit, full_name="nhiều lượt", score=3)
    person = first.participant
    make_attempt(quiz, person, score=5)
    make_attempt(quiz, person, score=4)
    make_attempt(quiz, person, score=5, submitted_at=None)  # unfinished: never counted
    make_attempt(quiz, unit, full_name="một lượt", score=4, duration_ms=1)
    rows = ranking.individual_ranking(quiz)
    mine = [r for r in rows if r.full_name == "nhiều lượt"]
    assert len(mine) == 1 and len(rows) == 2
    assert mine[0].score == expected_score
    assert db.session.get(type(first), mine[0].attempt_id).attempt_no == expected_no
    unit_row = ranking.unit_ranking(quiz, parent_code=None)[0]
    assert unit_row.participants == 2


def test_best_attempt_tie_uses_the_rest_of_the_order(ctx, make_quiz, make_attempt):
    quiz = make_quiz(questions=5, max_attempts=3, counted_attempt="best")
    slow = make_attempt(quiz, None, full_name="p", score=5, duration_ms=80_000)
    fast = make_attempt(quiz, slow.participant, score=5, duration_ms=40_000)
    [row] = ranking.individual_ranking(quiz)
    assert row.attempt_id == fast.id and row.duration_ms == 40_000


def test_unit_filter_keeps_overall_ranks_and_limit_offset(ctx, make_quiz, make_attempt, make_unit):
    quiz = make_quiz(questions=5)
    mine, other = make_unit(), make_unit()
    make_attempt(quiz, other, full_name="1", score=5)
    make_attempt(quiz, mine, full_name="2", score=4)
    make_attempt(quiz, other, full_name="3", score=3)
    make_attempt(quiz, mine, full_name="4", score=2)
    rows = ranking.individual_ranking(quiz, unit_ids={mine.id})
    assert [(r.full_name, r.rank) for r in rows] == [("2", 2), ("4", 4)]
    assert [r.rank for r in ranking.individual_ranking(quiz, limit=2, offset=1)] == [2, 3]
    assert ranking.individual_ranking(quiz, unit_ids=set()) == []


@pytest.fixture
def unit_tree(make_unit):
    root = make_unit(code="R", name="Sở", headcount=None)
    units = {"R": root}
    units["A"] = make_unit(code="A", name="Alpha", headcount=10, parent=root)
    units["B"] = make_unit(code="B", name="Bệnh viện", headcount=None, parent=root)
    units["B1"] = make_unit(code="B1", name="Khoa 1", headcount=4, parent=units["B"])
    units["B2"] = make_unit(code="B2", name="Khoa 2", headcount=6, parent=units["B"])
    units["C"] = make_unit(code="C", name="Chi bộ C", headcount=2, parent=root)
    units["D"] = make_unit(code="D", name="Dân số", headcount=None, parent=root)
    units["E"] = make_unit(code="E", name="Em", headcount=5, parent=root)
    return units


def seed_units(quiz, make_attempt, units, *, percent_of=lambda score: score):
    for _i in range(5):
        make_attempt(quiz, units["A"], score=5)
    for _i in range(2):
        make_attempt(quiz, units["B1"], score=3)
    for _i in range(3):
        make_attempt(quiz, units["B2"], score=4)
    make_attempt(quiz, units["B"], score=5)  # someone registered at the hospital itself
    for _i in range(3):
        make_attempt(quiz, units["C"], score=2)
    for _i in range(2):
        make_attempt(quiz, units["D"], score=5)
    make_attempt(quiz, units["E"], score=5, submitted_at=None)  # unfinished: E has nobody
    make_attempt(quiz, None, score=5)  # "other unit": in no unit's figures


def test_unit_ranking_rollup_flags_caps_and_zero(ctx, make_quiz, make_attempt, unit_tree):
    quiz = make_quiz(questions=5)
    seed_units(quiz, make_attempt, unit_tree)
    rows = ranking.unit_ranking(quiz)
    by_code = {r.code: r for r in rows}
    assert [r.code for r in rows] == ["A", "C", "B", "E", "D"]
    assert [r.rank for r in rows] == [1, 2, 3, 4, None]
    a, c, b, e, d = rows
    assert (a.participants, a.headcount, a.participation_rate, a.mean_score_pct, a.emulation_score) == \
        (5, 10, 0.5, 100.0, 75.0)
    assert (c.participants, c.headcount, c.participation_rate, c.mean_score_pct, c.emulation_score) == \
        (3, 2, 1.0, 40.0, 70.0)  # 3 of 2: capped at 100 %
    # B rolls up B1, B2 and its own: 6 people; headcount 4 + 6 from its children
    assert (b.participants, b.headcount, b.participation_rate, b.mean_score_pct, b.emulation_score) == \
        (6, 10, 0.6, 76.67, 68.33)
    assert (e.participants, e.participation_rate, e.mean_score_pct, e.emulation_score, e.is_flagged) == \
        (0, 0.0, None, 0.0, False)
    assert d.is_flagged and d.participants == 2 and d.participation_rate is None and d.emulation_score is None
    assert by_code["B"].parent_code == "R" and by_code["B"].depth == 1
    children = ranking.unit_ranking(quiz, parent_code="B")
    assert [(r.code, r.rank, r.emulation_score) for r in children] == [("B2", 1, 65.0), ("B1", 2, 55.0)]
    assert ranking.unit_ranking(quiz, parent_code="KHONG-CO") == []


def test_unit_ties_more_participants_then_name(ctx, make_quiz, make_attempt, make_unit):
    quiz = make_quiz(questions=5)
    beta = make_unit(code="X1", name="Beta", headcount=2)
    alpha = make_unit(code="X2", name="Alpha", headcount=2)
    big = make_unit(code="X3", name="Zeta", headcount=4)
    make_attempt(quiz, beta, score=5)
    make_attempt(quiz, alpha, score=5)
    make_attempt(quiz, big, score=5)
    make_attempt(quiz, big, score=5)
    rows = ranking.unit_ranking(quiz)  # several roots: the roots compete
    assert [(r.name, r.emulation_score) for r in rows] == [("Zeta", 75.0), ("Alpha", 75.0), ("Beta", 75.0)]


def test_weights_come_from_the_contest(ctx, make_quiz, make_attempt, make_unit):
    contest = Contest(code="W", title="Trọng số", w_rate=0.2, w_score=0.8)
    quiz = make_quiz(questions=5, contest=contest)
    unit = make_unit(headcount=4)
    make_attempt(quiz, unit, score=4)
    [row] = ranking.unit_ranking(quiz)
    assert row.emulation_score == pytest.approx(0.2 * 25 + 0.8 * 80)


def test_contest_rankings_sum_counted_attempts(ctx, make_quiz, make_attempt, make_unit):
    contest = Contest(code="CT", title="Cuộc thi")
    week1 = make_quiz(questions=5, contest=contest, max_attempts=3, counted_attempt="best")
    week2 = make_quiz(questions=5, contest=contest, max_attempts=3, counted_attempt="last")
    u1, u2 = make_unit(code="K1", name="Một", headcount=2), make_unit(code="K2", name="Hai", headcount=4)
    p1 = make_attempt(week1, u1, full_name="p1", score=3).participant
    make_attempt(week1, p1, score=5)
    make_attempt(week2, p1, score=4)
    p2 = make_attempt(week1, u2, full_name="p2", score=5).participant
    make_attempt(week2, p2, score=5)
    make_attempt(week2, p2, score=2)  # the last one counts in week 2
    make_attempt(week1, u2, full_name="p3", score=5)
    rows = ranking.contest_individual_ranking(contest)
    assert [(r.full_name, r.rank, r.score, r.max_score, r.score_pct) for r in rows] == [
        ("p1", 1, 9, 10, 90.0), ("p2", 2, 7, 10, 70.0), ("p3", 3, 5, 5, 100.0)]
    units = ranking.contest_unit_ranking(contest)
    # Một: 1 of 2, mean 90 → 25 + 45 = 70; Hai: 2 of 4, mean 85 → 25 + 42.5 = 67.5
    assert [(r.code, r.participants, r.mean_score_pct, r.emulation_score) for r in units] == [
        ("K1", 1, 90.0, 70.0), ("K2", 2, 85.0, 67.5)]
    assert ranking.is_contest_provisional(contest)


def test_attempt_standing(ctx, make_quiz, make_attempt, unit_tree):
    quiz = make_quiz(questions=5)
    seed_units(quiz, make_attempt, unit_tree)
    attempt = make_attempt(quiz, unit_tree["B1"], score=4, duration_ms=1000)
    standing = ranking.attempt_standing(attempt)
    assert standing.total == 18
    assert standing.rank == 10  # behind the nine 5/5, first of the 4/5 (fastest)
    assert standing.is_provisional
    # B1 now: 3 of 4, mean 66.67 → 37.5 + 33.33 = 70.83, ahead of B2 (65) inside B
    assert (standing.unit_rank, standing.unit_total) == (1, 2)
    assert standing.unit_row.code == "B1" and standing.unit_row.participants == 3
    assert standing.unit_row.emulation_score == 70.83
    # The total counts people, not attempts, with a unit or an "other" one (read from the tallies).
    make_attempt(quiz, attempt.participant, score=1, attempt_no=2)
    make_attempt(quiz, None, score=2)
    make_attempt(quiz, unit_tree["B2"], submitted_at=None)  # not finished: not counted
    assert ranking.attempt_standing(attempt).total == 19


def test_unit_ranking_levels_match_per_parent_calls(ctx, make_quiz, make_attempt, unit_tree):
    quiz = make_quiz(questions=5)
    seed_units(quiz, make_attempt, unit_tree)
    levels = ranking.unit_ranking_levels(quiz=quiz)
    assert set(levels) == {"", "R", "B"}
    assert levels[""] == ranking.unit_ranking(quiz)
    assert levels["B"] == ranking.unit_ranking(quiz, parent_code="B")
    assert [r.code for r in levels["R"]] == ["A", "C", "B", "E", "D"]


@pytest.mark.parametrize("closed", [False, True])
def test_participant_rank_agrees_with_the_list(ctx, closing_quiz, make_attempt, frozen_clock, closed):
    seed_tie_breaks(closing_quiz, make_attempt, frozen_clock)
    if closed:
        frozen_clock.advance(hours=2)
    rows = ranking.individual_ranking(closing_quiz)
    for row in rows:
        assert ranking.participant_rank(closing_quiz, row.participant_id).rank == row.rank, row.full_name
    assert [r.rank for r in ranking.individual_ranking(closing_quiz, limit=3, offset=2)] == [3, 4, 5]
    assert [r.full_name for r in ranking.individual_ranking(closing_quiz, limit=3, offset=2)] == \
        [r.full_name for r in rows[2:5]]
    streamed = list(ranking.iter_individual_ranking(closing_quiz, batch=3))
    assert [(r.rank, r.full_name) for r in streamed] == [(r.rank, r.full_name) for r in rows]


def test_participant_rank_with_several_attempts(ctx, make_quiz, make_attempt):
    quiz = make_quiz(questions=5, max_attempts=3, counted_attempt="last")
    a = make_attempt(quiz, None, full_name="a", score=5).participant
    make_attempt(quiz, a, score=1)  # a's last attempt counts: 1
    make_attempt(quiz, None, full_name="b", score=3)
    assert [r.full_name for r in ranking.individual_ranking(quiz)] == ["b", "a"]
    assert ranking.participant_rank(quiz, a.id).rank == 2
    assert ranking.participant_rank(quiz, 999_999) is None
