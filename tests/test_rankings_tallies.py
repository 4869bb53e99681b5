"""The unit tallies equal the full computation from the attempts, whatever happened before.

`rankings.tallies` keeps per (quiz, unit) the participants with a counted attempt and the sum
of their counted percents, in the transaction that finishes or re-counts attempts. The oracle is
the computation from the attempts themselves (`counted_attempts` → `people_units`); the counts
the prediction truth is read from (`counted.truth_counts`), kept by the same flushes, are compared
with theirs (`test_rankings_truth.oracle_counts`) alike. Hypothesis
drives random sequences of starts, answer saves, submits, attempts finished straight into the
table, expiries (the frozen clock moved, then a ranking read or the CLI finalising), re-counts
(a rebuild, a change of the counted-attempt rule, anonymising the contest), deleted attempts,
participants moved to another unit or to an "other" one, and rolled-back transactions, on whichever database the `app` fixture runs (SQLite, or PostgreSQL with
TEST_DATABASE_URL), and compares after every step.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.errors import DomainError
from quiz.extensions import db
from quiz.models import UnitTally
from quiz.services import attempts as attempt_service
from quiz.services.purge import purge_contest
from quiz.services.rankings import counted, tallies, units
from quiz.services.rankings.scope import Scope
from quiz.services.rankings.unit_rollup import UnitTable
from tests.test_rankings_service import unit_tree  # noqa: F401  (fixture)
from tests.test_rankings_truth import oracle_counts

UNITS = ["A", "B", "B1", "B2", "C", "D", "E", None]  # None: an "other" unit, never tallied

step = st.one_of(
    st.tuples(st.just("start"), st.sampled_from(UNITS), st.integers(0, 5), st.integers(0, 9)),
    st.tuples(st.just("finished"), st.sampled_from(UNITS), st.integers(0, 5), st.integers(0, 9)),
    st.tuples(st.just("save"), st.integers(0, 9), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("submit"), st.integers(0, 9)),
    st.tuples(st.just("advance"), st.sampled_from([1, 4, 7])),  # minutes; attempts last 5
    st.tuples(st.just("read")),
    st.tuples(st.just("cli")),
    st.tuples(st.just("rebuild")),
    st.tuples(st.just("rule"), st.sampled_from(["best", "first", "last"])),
    st.tuples(st.just("purge")),
    st.tuples(st.just("rollback"), st.integers(0, 9)),
    st.tuples(st.just("delete"), st.integers(0, 9)),
    st.tuples(st.just("move"), st.integers(0, 9), st.sampled_from(UNITS)),
)


def tallied(quiz) -> dict[int, tuple[int, int]]:
    return {t.unit_id: (t.participants, t.pct_units) for t in db.session.scalars(
        db.select(UnitTally).where(UnitTally.quiz_id == quiz.id)) if t.participants or t.pct_units}


def computed(quiz) -> dict[int, tuple[int, int]]:
    per_unit = tallies.people_units(counted.counted_rows(quiz, truth=None).subquery("counted"))
    return {r.unit_id: (int(r.n), int(r.pct_units)) for r in db.session.execute(per_unit)}


def full_levels(quiz) -> dict:
    """Every level of the unit ranking from the oracle's figures (not the tallies)."""
    table = UnitTable(tallies.people_units(counted.counted_rows(quiz, truth=None).subquery("counted")), quiz.contest)
    found = {"": table.ranking(None)}
    for unit in table.by_id.values():
        if unit.parent_id is not None:
            parent = table.by_id[unit.parent_id]
            found[parent.code] = table.ranking(parent.code)
    return {k: [r.to_dict() for r in rows] for k, rows in found.items()}


def open_attempts(quiz, people_attempts):
    return [a for a in people_attempts if a.submitted_at is None and not attempt_service.is_due(
        a, attempt_service.clock.utcnow())]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=14), rule=st.sampled_from(["best", "first", "last"]),
       max_attempts=st.sampled_from([1, 3]))
def test_tallies_equal_the_full_computation_after_any_sequence(
        app, ctx, make_quiz, make_attempt, unit_tree, frozen_clock, steps, rule, max_attempts):
    quiz = make_quiz(questions=5, duration_s=300, max_attempts=max_attempts, counted_attempt=rule)
    made = []  # every attempt of this example

    def person(unit_code, pick):
        """A returning participant (with no open attempt and attempts left), or a new one."""
        mine = {}
        for a in made:
            mine.setdefault(a.participant_id, []).append(a)
        free = [a.participant for group in mine.values() for a in group[:1]
                if all(x.submitted_at is not None for x in group) and len(group) < quiz.max_attempts]
        if free and pick % 2:
            return free[pick % len(free)]
        return unit_tree[unit_code] if unit_code else None

    for action, *args in steps:
        if action in ("start", "finished"):
            unit_code, score, pick = args
            made.append(make_attempt(quiz, person(unit_code, pick), score=score,
                                     submitted_at=None if action == "start" else frozen_clock.now()))
        elif action == "save":
            running = open_attempts(quiz, made)
            if running:
                attempt = running[args[0] % len(running)]
                drawn = attempt.questions[args[1] % len(attempt.questions)]
                option = next(o for o in drawn.question.options if o.is_correct == args[2])
                try:
                    attempt_service.save_answer(attempt, drawn.question_id, [option.id])
                except DomainError:
                    db.session.rollback()
        elif action == "submit":
            running = [a for a in made if a.submitted_at is None]
            if running:
                attempt_service.submit_attempt(running[args[0] % len(running)])
        elif action == "advance":
            frozen_clock.advance(minutes=args[0])
        elif action == "read":
            units.ranking(Scope(quiz=quiz))  # finalises what is due, as every ranking read does
        elif action == "cli":
            attempt_service.finalize_expired()
        elif action == "rebuild":
            tallies.rebuild_quiz_tallies(quiz.id)
        elif action == "rule":
            quiz.counted_attempt = args[0]
        elif action == "purge":
            purge_contest(quiz.contest, quiz.closes_at)
        elif action == "rollback":  # a submit whose transaction fails leaves no trace in the tallies
            running = [a for a in made if a.submitted_at is None]
            if running:
                attempt_service.submit_attempt(running[args[0] % len(running)])
                db.session.rollback()
        elif action == "delete":  # an organizer removes a finished attempt
            finished = [a for a in made if a.submitted_at is not None]
            if finished:
                gone = finished[args[0] % len(finished)]
                made.remove(gone)
                db.session.delete(gone)
        elif action == "move":  # a participant's unit corrected (to another one, or to "other")
            if made:
                who = made[args[0] % len(made)].participant
                who.unit, who.other_unit = (unit_tree[args[1]], None) if args[1] else (None, "Đơn vị khác")
        db.session.commit()
        assert tallied(quiz) == computed(quiz), (action, args)
        assert counted.truth_counts(quiz) == oracle_counts(quiz), (action, args)  # every participant

    read = units.levels(Scope(quiz=quiz))
    db.session.commit()
    assert {k: [r.to_dict() for r in rows] for k, rows in read.items()} == full_levels(quiz)
    assert tallied(quiz) == computed(quiz)


def test_simultaneous_submits_of_one_unit_lose_no_increment(app, ctx, make_quiz, make_attempt, unit_tree):
    """Twelve phones of one unit submit at the same moment, each in its own request (a threaded
    server on the test database): every one of them is in the unit's tally."""
    import threading

    import requests
    from werkzeug.serving import make_server

    quiz = make_quiz(questions=5)
    tokens = [make_attempt(quiz, unit_tree["B1"], score=n % 6, submitted_at=None).token for n in range(12)]
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=httpd.serve_forever, daemon=True)
    serving.start()
    barrier, statuses = threading.Barrier(len(tokens), timeout=15), []

    def submit(token):
        barrier.wait()
        statuses.append(requests.post(f"http://127.0.0.1:{httpd.server_port}/api/v1/attempts/{token}/submit",
                                      timeout=30).status_code)
    threads = [threading.Thread(target=submit, args=(t,)) for t in tokens]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(40)
    finally:
        httpd.shutdown()
        serving.join(5)
    assert not any(t.is_alive() for t in threads), "a submit hung"
    assert statuses == [200] * len(tokens)
    db.session.rollback()
    assert tallied(quiz)[unit_tree["B1"].id][0] == len(tokens)
    assert tallied(quiz) == computed(quiz)


def test_a_live_session_end_counts_its_players(ctx, make_quiz, make_unit, frozen_clock):
    """Ending a live session finalises its players' attempts (live.finalise_session_attempts):
    the same transaction counts them, with the durations the session sets after scoring."""
    from quiz.services.live_session import host as live
    from quiz.services.live_session import phone as live_play

    quiz = make_quiz(questions=3, shuffle_questions=False, max_attempts=2)
    unit = make_unit(code="BVL", name="Bệnh viện Hội trường")
    session = live.create_session(quiz, {"question_time_s": 20}, actor=None)
    db.session.commit()
    players = [live_play.join_session(session, {"full_name": f"Người {n}", "identity": f"091200007{n}",
                                                "unit_code": "BVL", "consent": True})[0] for n in range(3)]
    db.session.commit()
    live.control(session, "start")
    db.session.commit()
    question = session.questions[session.current_index]
    live_play.save_live_answer(players[0].token, question.question_id, [question.option_ids[1]])
    db.session.commit()
    assert tallied(quiz) == {}
    live.control(session, "end")
    db.session.commit()
    assert tallied(quiz)[unit.id][0] == 3
    assert tallied(quiz) == computed(quiz)


def test_a_recount_racing_a_units_first_submit(app, ctx, make_quiz, make_attempt, unit_tree):
    """A re-count (here: the organizer changes the counted-attempt rule) and a unit's first submit
    committing between the re-count's DELETE and its INSERT … SELECT: on PostgreSQL the INSERT saw
    the new attempt, so it wrote the unit's row the submit had just inserted, hit the unique key and
    answered the organizer a 500. Now the re-count starts over, and the submit is counted once.
    (SQLite has one writer: the submit waits for the re-count, which goes on after 3 s.)"""
    import threading

    from quiz.models import Attempt, Quiz
    from tests.threads import At, finish, in_app_thread, stopping_at

    quiz = make_quiz(questions=5)
    make_attempt(quiz, unit_tree["B1"], score=3)
    first = make_attempt(quiz, unit_tree["E"], score=4, submitted_at=None)  # E has no tally row yet
    db.session.commit()
    quiz_id, attempt_id = quiz.id, first.id
    submitted, errors = threading.Event(), []
    between = At("INSERT INTO UNIT_TALLY", release=submitted)  # the re-count, its DELETE done

    def recount():
        between.mark()
        db.session.get(Quiz, quiz_id).counted_attempt = "first"

    def submit():
        attempt_service.submit_attempt(db.session.get(Attempt, attempt_id))

    with stopping_at(between):
        recounter = in_app_thread(app, "recount", errors, recount)
        assert between.reached.wait(15)
        submitter = in_app_thread(app, "submit", errors, submit, done=submitted)
        finish(submitter, recounter)
    assert errors == []
    db.session.rollback()
    assert tallied(quiz)[unit_tree["E"].id][0] == 1
    assert tallied(quiz) == computed(quiz)


def test_a_submit_that_waited_for_a_rule_change_counts_under_the_new_rule(app, ctx, make_quiz, make_attempt,
                                                                           unit_tree):
    """The organizer switches the counted attempt from "best" to "last" and, until that commits,
    holds the quiz's unfinished attempts (tallies._wait_for_running). A submit that loaded the quiz
    before (the old rule in its session) waits for its attempt, then must pick under the rule as
    committed: its worse, later attempt is now the counted one."""
    import threading

    from quiz.models import Attempt, Quiz
    from tests.threads import finish, in_app_thread

    quiz = make_quiz(questions=5, max_attempts=3)
    first = make_attempt(quiz, unit_tree["B1"], score=5)
    second = make_attempt(quiz, first.participant, correct_count=1, submitted_at=None)
    quiz_id, attempt_id = quiz.id, second.id
    changed, go, errors = threading.Event(), threading.Event(), []

    def change_rule():
        db.session.get(Quiz, quiz_id).counted_attempt = "last"
        db.session.flush()  # re-counted, the running attempts held
        changed.set()
        go.wait(5)

    def submit():
        attempt = attempt_service.get_attempt(db.session.get(Attempt, attempt_id).token)
        assert attempt.quiz.counted_attempt == "best"  # loaded before the change commits
        attempt_service.submit_attempt(attempt)

    recounter = in_app_thread(app, "rule", errors, change_rule)
    assert changed.wait(15)
    submitter = in_app_thread(app, "submit", errors, submit)
    submitter.join(1.0)  # it waits for the attempt (PostgreSQL) or the write lock (SQLite)
    go.set()
    finish(recounter, submitter)
    assert errors == []
    db.session.rollback()
    assert tallied(quiz) == computed(quiz)
