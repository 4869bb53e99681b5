"""Live sessions, the services: host actions, joining, answering on the server's clock, scoring."""
import pytest

from quiz.errors import ConflictError, DeadlineError, NotFoundError, ValidationError
from quiz.extensions import db
from quiz.models import Answer, Attempt, LiveSession
from quiz.services.live_session import board as live_board
from quiz.services.live_session import host as live
from quiz.services.live_session import phone as live_play


@pytest.fixture
def setup(ctx, make_quiz, make_unit, frozen_clock):
    """A quiz of 3 questions (option B correct, in order), two units, a session factory."""
    quiz = make_quiz(questions=3, shuffle_questions=False)
    units = [make_unit(code="BVA", name="Bệnh viện A"), make_unit(code="BVB", name="Bệnh viện B")]

    def new_session(**data):
        session = live.create_session(quiz, {"question_time_s": 20, **data}, actor=None)
        db.session.commit()
        return session
    return quiz, units, new_session


def join(session, name, identity, unit="BVA"):
    attempt, _created = live_play.join_session(session, {"full_name": name, "identity": identity,
                                                         "unit_code": unit, "consent": True})
    db.session.commit()
    return attempt


def options(session, index=None):
    q = session.questions[session.current_index if index is None else index]
    ids = q.option_ids
    return q.question_id, ids[1], ids[0]  # question id, the correct option (B), a wrong one (A)


def answer(attempt, session, right=True, after_s=0, frozen_clock=None):
    if after_s and frozen_clock is not None:
        frozen_clock.advance(seconds=after_s)
    qid, good, bad = options(session)
    result = live_play.save_live_answer(attempt.token, qid, [good if right else bad])
    db.session.commit()
    return result


def act(session, action):
    live.control(session, action)
    db.session.commit()


def test_create_validates_the_settings(setup):
    _quiz, _units, new_session = setup
    with pytest.raises(ValidationError) as error:
        new_session(question_time_s=4, scoring="fastest", unit_score="max")
    assert set(error.value.fields) == {"question_time_s", "scoring", "unit_score"}
    session = new_session(question_time_s=120)
    assert session.state == "lobby" and len(session.questions) == 3
    with pytest.raises(ConflictError):
        new_session()  # one running session per quiz


def test_host_actions_move_the_state_and_bump_the_version(setup, frozen_clock):
    _quiz, _units, new_session = setup
    session = new_session()
    versions = [session.version]
    with pytest.raises(ConflictError):
        act(session, "next")
    db.session.rollback()
    for action, state in [("start", "question"), ("reveal", "reveal"), ("next", "question"),
                          ("skip", "question"), ("reveal", "reveal"), ("next", "ended")]:
        act(session, action)
        assert session.state == state, action
        versions.append(session.version)
    assert versions == sorted(set(versions))
    assert [q.is_skipped for q in session.questions] == [False, True, False]


def test_correct_time_scoring_ties_break_on_total_answer_time(setup, frozen_clock):
    _quiz, _units, new_session = setup
    session = new_session()
    fast, slow, wrong, absent = (join(session, n, f"09120000{i:02d}") for i, n in
                                 enumerate(["Nhanh", "Chậm", "Sai", "Vắng"]))
    act(session, "start")
    answer(fast, session, after_s=2, frozen_clock=frozen_clock)
    answer(slow, session, after_s=3, frozen_clock=frozen_clock)
    answer(wrong, session, right=False, after_s=1, frozen_clock=frozen_clock)
    act(session, "reveal")
    rows = live_board.player_standings(session)
    assert [r.full_name for r in rows] == ["Nhanh", "Chậm", "Sai", "Vắng"]
    assert [(r.correct, r.time_ms) for r in rows] == [(1, 2000), (1, 5000), (0, 6000), (0, 20000)]
    assert rows[0].speed == live_play.speed_points(2000, 20) == 950


def test_speed_scoring_and_unit_sum(setup, frozen_clock):
    _quiz, _units, new_session = setup
    session = new_session(scoring="speed", unit_score="sum")
    a1, a2 = join(session, "An", "0912000001", "BVA"), join(session, "Ánh", "0912000002", "BVA")
    b1 = join(session, "Bình", "0912000003", "BVB")
    act(session, "start")
    answer(b1, session, after_s=1, frozen_clock=frozen_clock)   # 975
    answer(a1, session, after_s=9, frozen_clock=frozen_clock)   # 750
    answer(a2, session, after_s=10, frozen_clock=frozen_clock)  # 500
    act(session, "reveal")
    players = live_board.player_standings(session)
    assert [(p.full_name, p.speed) for p in players] == [("Bình", 975), ("An", 750), ("Ánh", 500)]
    units = live_board.unit_standings(session, players)
    assert [(u["name"], u["value"], u["members"]) for u in units] == [("Bệnh viện A", 1250, 2), ("Bệnh viện B", 975, 1)]
    session.unit_score = "mean"
    units = live_board.unit_standings(session, players)
    assert [(u["name"], u["value"]) for u in units] == [("Bệnh viện B", 975), ("Bệnh viện A", 625)]


def test_late_answer_is_refused_and_saved_answers_kept(setup, frozen_clock):
    _quiz, _units, new_session = setup
    session = new_session()
    early, late = join(session, "Sớm", "0912000011"), join(session, "Muộn", "0912000012")
    act(session, "start")
    answer(early, session, after_s=5, frozen_clock=frozen_clock)
    frozen_clock.advance(seconds=16.5)  # 21.5 s: past the 20 s deadline and the 1 s grace
    with pytest.raises(DeadlineError):
        answer(late, session)
    db.session.rollback()
    frozen_clock.advance(seconds=-1)  # 20.5 s: inside the grace, counted as 20 s
    assert answer(late, session).elapsed_ms == 20000
    act(session, "reveal")
    assert answer(late, session).elapsed_ms == 20000  # a retry whose acknowledgement was lost
    with pytest.raises(ConflictError):
        answer(late, session, right=False)
    db.session.rollback()
    stranger = join(session, "Không kịp", "0912000013")
    with pytest.raises(DeadlineError):
        answer(stranger, session)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Answer.id))) == 2


def test_one_answer_per_question_and_retries_are_idempotent(setup, frozen_clock):
    _quiz, _units, new_session = setup
    session = new_session()
    player = join(session, "Một", "0912000021")
    act(session, "start")
    first = answer(player, session, after_s=1, frozen_clock=frozen_clock)
    assert answer(player, session, after_s=1, frozen_clock=frozen_clock).id == first.id
    with pytest.raises(ConflictError):
        answer(player, session, right=False)
    db.session.rollback()
    qid, good, _bad = options(session)
    with pytest.raises(ValidationError):
        live_play.save_live_answer(player.token, qid, [good, 999999])
    with pytest.raises(NotFoundError):
        live_play.save_live_answer(player.token, options(session, 1)[0], [good])


def test_pause_keeps_the_remaining_time(setup, frozen_clock):
    _quiz, _units, new_session = setup
    session = new_session()
    player = join(session, "Tạm", "0912000031")
    act(session, "start")
    frozen_clock.advance(seconds=15)
    act(session, "pause")
    assert session.state == "paused" and session.remaining_ms == 5000
    with pytest.raises(ConflictError):
        answer(player, session)
    db.session.rollback()
    frozen_clock.advance(seconds=300)  # a long pause
    act(session, "resume")
    assert session.current.deadline == frozen_clock.now() + __import__("datetime").timedelta(seconds=5)
    saved = answer(player, session, after_s=4, frozen_clock=frozen_clock)
    assert saved.elapsed_ms == 19000  # the pause is not counted


def test_rejoin_keeps_the_points_and_a_late_joiner_starts_at_the_current_question(setup, frozen_clock):
    _quiz, _units, new_session = setup
    session = new_session()
    player = join(session, "Nguyễn Văn A", "0912 000 041")
    act(session, "start")
    answer(player, session, after_s=1, frozen_clock=frozen_clock)
    act(session, "reveal")
    again = join(session, "Nguyễn Văn A", "+84912000041")  # another phone, the same person
    assert again.id == player.id
    act(session, "next")
    late = join(session, "Đến muộn", "0912000042", "BVB")
    answer(late, session, after_s=2, frozen_clock=frozen_clock)
    answer(again, session, right=False, after_s=1, frozen_clock=frozen_clock)
    act(session, "reveal")
    rows = {r.full_name: r for r in live_board.player_standings(session)}
    assert (rows["Nguyễn Văn A"].correct, rows["Đến muộn"].correct) == (1, 1)
    assert rows["Nguyễn Văn A"].rank == 1  # same correct count, less total time (20 s counted for Q1 absent)
    assert rows["Đến muộn"].time_ms == 20000 + 2000


def test_end_finalises_attempts_as_normal_results(setup, frozen_clock):
    quiz, _units, new_session = setup
    session = new_session()
    player = join(session, "Cuối", "0912000051")
    idle = join(session, "Không trả lời", "0912000052")
    act(session, "start")
    answer(player, session, after_s=3, frozen_clock=frozen_clock)
    act(session, "reveal")
    act(session, "next")
    act(session, "skip")  # the second question scores nothing
    answer(player, session, right=False, after_s=1, frozen_clock=frozen_clock)
    act(session, "end")  # ends while the third question runs: it still counts
    for attempt in (player, idle):
        db.session.refresh(attempt)
        assert attempt.submitted_at is not None and attempt.finalised_by == "organizer"
        assert len(attempt.questions) == 2 and attempt.max_score == 2
    assert (player.correct_count, player.score, player.duration_ms) == (1, 1, 3000 + 1000)
    assert idle.duration_ms == 40000
    assert live.running_session(quiz) is None
    with pytest.raises(DeadlineError):
        join(session, "Sau cùng", "0912000053")


def test_state_document_hides_correct_answers_until_the_reveal(setup, frozen_clock):
    _quiz, _units, new_session = setup
    session = new_session()
    join(session, "Xem", "0912000061")
    act(session, "start")
    doc = live_board.build_state(session)
    assert "correct_option_ids" not in doc["question"] and "top" not in doc
    assert [o["shape"] for o in doc["question"]["options"]] == ["triangle", "diamond", "circle", "square"]
    act(session, "reveal")
    doc = live_board.build_state(session)
    assert doc["question"]["correct_option_ids"] == [options(session)[1]]
    assert doc["top"][0]["identity"] == "09xx xxx 061"
    assert isinstance(db.session.get(LiveSession, session.id), LiveSession)
    assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 1


def test_a_question_drawn_for_a_live_session_is_frozen_like_a_drawn_one(setup):
    """A live session draws its questions when it is created, before any phone joins. Editing one
    then (its options replaced) left the session's stored option order naming options that were
    gone: the phones were shown a question without options. An edit of its content is refused, as
    for a question an attempt drew, and the organizer is offered a copy."""
    from quiz.services import bank
    from quiz.models import Question
    _quiz, _units, new_session = setup
    session = new_session()
    question = db.session.get(Question, session.questions[0].question_id)
    data = bank.question_to_data(question)
    data.options[0].text = "Phương án A sửa sau khi đã bốc vào phiên thi"
    with pytest.raises(ConflictError):
        bank.update_question(question, question.question_set, data)
    db.session.rollback()
    assert bank.remove_question(db.session.get(Question, question.id)) == "archived"


def _correct_key_to_a(quiz, session, make_organizer):
    """The organizer corrects the current question's key: A (the option at place 0) is right, not B."""
    from quiz.models import Question
    from quiz.services.corrections import Change, apply_correction
    question = db.session.get(Question, session.questions[session.current_index].question_id)
    apply_correction(quiz, question, Change(kind="key", reason="Đáp án đúng là A", mask=0b1),
                     make_organizer(role="admin"))
    db.session.commit()


def test_a_key_correction_during_a_live_session_rescores_its_phones(setup, frozen_clock, make_organizer):
    """The projector showed the wrong key at the reveal and the organizer corrects it: the phones'
    answers to that question are re-scored — right or wrong, and their speed points — the
    standings follow at once (the session's version moves), and a phone answering the question
    after the correction is scored by the new key although this process kept the old one."""
    quiz, _units, new_session = setup
    session = new_session(scoring="speed")
    an, binh, chi = (join(session, "An", "0912000001"), join(session, "Bình", "0912000002"),
                     join(session, "Chi", "0912000003"))
    act(session, "start")
    answer(an, session, right=True, after_s=1, frozen_clock=frozen_clock)    # B: right under the old key
    answer(binh, session, right=False, after_s=1, frozen_clock=frozen_clock)  # A
    version = session.version
    _correct_key_to_a(quiz, session, make_organizer)
    answer(chi, session, right=False, after_s=1, frozen_clock=frozen_clock)  # A, after the correction
    assert session.version > version
    act(session, "reveal")
    players = {p.full_name: (p.correct, p.speed) for p in live_board.player_standings(session)}
    assert players["An"] == (0, 0)
    assert players["Bình"][0] == 1 and players["Bình"][1] > 0
    assert players["Chi"][0] == 1 and players["Chi"][1] > 0
    doc = live_board.build_state(session)
    qid, _good, wrong = options(session)
    assert doc["question"]["correct_option_ids"] == [wrong]  # the projector shows A now


def test_a_join_racing_the_end_does_not_add_a_player_to_an_ended_session(app, setup, monkeypatch):
    """A phone's join read the session as running, then the host ended it (its players finalised)
    before the join wrote: the join added an unfinished attempt to the ended session — a player
    with nothing counted, finalised only at its far deadline. The join now takes the session's lock
    before writing the attempt, and refuses once it has ended."""
    import threading

    from quiz.services.live_session import phone
    from tests.threads import in_app_thread

    _quiz, _units, new_session = setup
    session = new_session()
    join(session, "An", "0912000001")
    act(session, "start")
    session_id = session.id
    paused, resume, errors = threading.Event(), threading.Event(), []
    write = phone._join

    def writing(*args, **kwargs):  # after join_session read the state, before anything is written
        paused.set()
        resume.wait(10)
        return write(*args, **kwargs)

    monkeypatch.setattr(phone, "_join", writing)

    def late_join():
        live_play.join_session(db.session.get(LiveSession, session_id), {
            "full_name": "Bình", "identity": "0912000002", "unit_code": "BVA", "consent": True})

    joiner = in_app_thread(app, "join", errors, late_join)
    assert paused.wait(15)
    act(db.session.get(LiveSession, session_id), "end")
    resume.set()
    joiner.join(30)
    assert not joiner.is_alive()
    assert [(label, type(error).__name__) for label, error in errors] == [("join", "LiveClosedError")]
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)
                             .where(Attempt.live_session_id == session_id, Attempt.submitted_at.is_(None))) == 0
