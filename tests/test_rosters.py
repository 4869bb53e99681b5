"""Rosters: import all or nothing (every bad row listed), CLI with --dry-run, a roster's size as the
unit's headcount in the ranking API, and matching participants by phone and by staff code."""
import io

import pytest
from openpyxl import Workbook

from quiz.extensions import db
from quiz.models import AuditEntry, Participant, RosterEntry
from quiz.services.rankings.scope import Scope
from quiz.services.rosters import matching
from quiz.services.rosters.importing import import_roster_file

HEADER = "unit_code,full_name,staff_code,phone,position,sub_unit\n"


def _entries(unit=None):
    db.session.expire_all()
    query = db.select(RosterEntry).order_by(RosterEntry.id)
    if unit is not None:
        query = query.where(RosterEntry.unit_id == unit.id)
    return list(db.session.scalars(query))


@pytest.fixture
def tree(make_unit):
    root = make_unit(code="SYT", name="Sở Y tế", headcount=None)
    hospital = make_unit(code="BV", name="Bệnh viện", parent=root, headcount=None)
    ward = make_unit(code="KN", name="Khoa Nội", parent=hospital, headcount=30)
    cdc = make_unit(code="CDC", name="CDC tỉnh", parent=root, headcount=50)
    return {"root": root, "hospital": hospital, "ward": ward, "cdc": cdc}


def test_import_normalises_identities_and_replaces_each_named_roster(ctx, tree):
    data = (HEADER + "KN,Nguyễn Thị Hoà,bv-0123,+84 912 345 678,Điều dưỡng,Tim mạch\n"
            "KN,Lò Văn Páo,,912345679,Bác sĩ,\n"          # Excel dropped the leading 0
            "CDC,Trần Minh Đức,CDC-7,,Kỹ thuật viên,Xét nghiệm\n").encode()
    result = import_roster_file(data, "ds.csv")
    db.session.commit()
    assert [(c.code, c.before, c.after) for c in result.units] == [("KN", 0, 2), ("CDC", 0, 1)]  # tree order
    hoa, pao = _entries(tree["ward"])
    assert (hoa.staff_code, hoa.phone, hoa.sub_unit) == ("BV-0123", "0912345678", "Tim mạch")
    assert pao.phone == "0912345679" and pao.staff_code is None
    # Re-importing a unit replaces its roster; units not in the file keep theirs.
    import_roster_file((HEADER + "KN,Phạm Thu Trang,,0988000111,,\n").encode(), "lan2.csv")
    db.session.commit()
    assert [e.full_name for e in _entries(tree["ward"])] == ["Phạm Thu Trang"]
    assert [e.full_name for e in _entries(tree["cdc"])] == ["Trần Minh Đức"]
    assert db.session.scalar(db.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "roster.import"


def test_vietnamese_headers_and_xlsx(ctx, tree):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Họ và tên", "Mã cán bộ", "Số điện thoại", "Chức vụ", "Khoa/Phòng"])
    sheet.append(["CDC", "Vàng Thị Mai", "CDC-01", 987654321, "Trưởng khoa", "Dịch tễ"])
    buffer = io.BytesIO()
    book.save(buffer)
    import_roster_file(buffer.getvalue(), "ds.xlsx")
    db.session.commit()
    (mai,) = _entries(tree["cdc"])
    assert (mai.full_name, mai.staff_code, mai.phone, mai.position, mai.sub_unit) == \
        ("Vàng Thị Mai", "CDC-01", "0987654321", "Trưởng khoa", "Dịch tễ")


def test_import_is_all_or_nothing_and_lists_every_bad_row(ctx, tree):
    from quiz.errors import ValidationError
    import_roster_file((HEADER + "KN,Cũ,,0911111111,,\n").encode(), "cu.csv")
    db.session.commit()
    data = (HEADER +
            "KN,Người tốt,,0912000001,,\n"            # row 2: fine
            "KHONG-CO,Ai đó,,0912000002,,\n"          # row 3: unknown unit
            ",Không mã,,0912000003,,\n"               # row 4: no unit code
            "KN,,,0912000004,,\n"                     # row 5: no name
            "KN,Không số,,,,\n"                       # row 6: neither phone nor staff code
            "KN,Số sai,,12345,,\n"                    # row 7: bad phone
            "KN,Mã toàn số,12345,,,\n"                # row 8: a staff code without a letter
            "KN,Trùng số,,0912 000 001,,\n"           # row 9: same phone as row 2 in the same unit
            "CDC,Khác đơn vị,,0912000001,,\n").encode()  # row 10: the same phone in another unit is fine
    with pytest.raises(ValidationError) as raised:
        import_roster_file(data, "ds.csv")
    problems = "\n".join(raised.value.problems)
    for row in (3, 4, 5, 6, 7, 8, 9):
        assert f"dòng {row}" in problems, (row, problems)
    assert "dòng 2:" not in problems and "dòng 10" not in problems
    assert "trùng với dòng 2" in problems and "KHONG-CO" in problems
    db.session.rollback()
    assert [e.full_name for e in _entries()] == ["Cũ"]


def test_missing_columns_are_named(ctx, tree):
    from quiz.errors import ValidationError
    with pytest.raises(ValidationError) as raised:
        import_roster_file("unit_code,position\nKN,Bác sĩ\n".encode(), "x.csv")
    assert "full_name" in raised.value.message and "phone / staff_code" in raised.value.message


def test_cli_import_and_dry_run(app, runner, tree, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text(HEADER + "KN,Nguyễn Thị Hoà,BV-1,0912345678,,\nKN,Lò Văn Páo,,0912345679,,\n", encoding="utf-8")
    result = runner.invoke(args=["rosters", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Sẽ nhập 2 người" in result.output
    with app.app_context():
        assert _entries() == []
    result = runner.invoke(args=["rosters", "import", str(path)])
    assert result.exit_code == 0 and "Đã nhập 2 người" in result.output
    with app.app_context():
        assert len(_entries()) == 2
    path.write_text(HEADER + "KN,Ai,,0912,,\nNOPE,B,,0912345670,,\n", encoding="utf-8")
    result = runner.invoke(args=["rosters", "import", str(path)])
    assert result.exit_code == 1
    assert "dòng 2" in result.output and "dòng 3" in result.output
    with app.app_context():
        assert len(_entries()) == 2
    assert runner.invoke(args=["rosters", "import", str(tmp_path / "none.csv")]).exit_code == 1


def test_headcount_is_the_roster_size_in_the_unit_ranking_api(client, ctx, tree, make_quiz):
    quiz = make_quiz()
    rows = {r["code"]: r for r in client.get(f"/api/v1/quizzes/{quiz.code}/unit-ranking").get_json()["rows"]}
    assert rows["CDC"]["headcount"] == 50 and rows["BV"]["headcount"] == 30
    import_roster_file((HEADER + "".join(f"CDC,Người {i},,09120000{i:02d},,\n" for i in range(3))
                        + "BV,Giám đốc,GD-1,,,\n").encode(), "ds.csv")
    db.session.commit()
    rows = {r["code"]: r for r in client.get(f"/api/v1/quizzes/{quiz.code}/unit-ranking").get_json()["rows"]}
    assert rows["CDC"]["headcount"] == 3    # the roster, not the typed 50
    assert rows["BV"]["headcount"] == 1     # its own roster outweighs its children's, as a typed one would
    level = client.get(f"/api/v1/quizzes/{quiz.code}/unit-ranking?parent=BV").get_json()["rows"]
    assert level[0]["code"] == "KN" and level[0]["headcount"] == 30  # no roster: the typed headcount


def test_a_roster_ranks_a_unit_without_a_typed_headcount_and_feeds_the_monitor(ctx, tree, make_quiz, make_attempt):
    from quiz.services.monitor import quiz_progress
    from quiz.services.rankings.units import unit_ranking
    quiz = make_quiz()
    tree["cdc"].headcount = None
    db.session.commit()
    make_attempt(quiz, tree["cdc"])
    row = next(r for r in unit_ranking(quiz) if r.code == "CDC")
    assert row.is_flagged and row.rank is None
    import_roster_file((HEADER + "CDC,A,,0912000001,,\nCDC,B,,0912000002,,\n").encode(), "ds.csv")
    row = next(r for r in unit_ranking(quiz) if r.code == "CDC")
    assert not row.is_flagged and row.headcount == 2 and row.participation_rate == 0.5
    progress = {u.code: u for u in quiz_progress(quiz).units}
    assert progress["CDC"].headcount == 2 and progress["KN"].headcount == 30


def _participant(quiz, unit, identity, kind="phone", name="Người thi"):
    return Participant(contest_id=quiz.contest_id, identity=identity, identity_kind=kind, full_name=name,
                       unit=unit, other_unit=None if unit else "Khác", consent_at=quiz.opens_at)


def test_matching_by_phone_and_staff_code_unmatched_and_wrong_unit(ctx, tree, make_quiz, make_attempt):
    import_roster_file((HEADER + "KN,Nguyễn Thị Hoà,,0912345678,,Tim mạch\n"
                        "KN,Lò Văn Páo,BV-0124,,,Tiêu hoá\n"
                        "KN,Chưa Thi,,0912000999,,Tim mạch\n"
                        "CDC,Trần Minh Đức,,0987654321,,\n").encode(), "ds.csv")
    quiz = make_quiz()
    by_phone = make_attempt(quiz, _participant(quiz, tree["ward"], "0912345678", name="Nguyen thi hoa"))
    by_code = make_attempt(quiz, _participant(quiz, tree["hospital"], "BV-0124", "staff"))  # a parent of KN
    wrong = make_attempt(quiz, _participant(quiz, tree["ward"], "0987654321", name="Đức chọn nhầm"))
    stranger = make_attempt(quiz, _participant(quiz, tree["ward"], "0900000001", name="Người lạ"))
    result = matching.participation(Scope(quiz=quiz), None)
    status = {s.entry.full_name: s for s in result.entries}
    assert status["Nguyễn Thị Hoà"].taker.id == by_phone.participant_id
    assert status["Lò Văn Páo"].taker.id == by_code.participant_id
    assert status["Lò Văn Páo"].registered_unit.code == "BV"  # chose the hospital, listed in its ward
    assert not status["Chưa Thi"].has_taken_part
    # The CDC entry is taken part though its owner picked KN: shown to the CDC contact...
    assert status["Trần Minh Đức"].taker.id == wrong.participant_id
    assert status["Trần Minh Đức"].registered_unit.code == "KN"
    unlisted = {u.taker.id: u for u in result.unlisted}
    # ...and to KN's, as a wrong unit; the stranger is outside the list; the hospital's Páo is
    # flagged too (the entry that matches is in a child unit, not above the unit chosen).
    assert unlisted[wrong.participant_id].status == matching.WRONG_UNIT
    assert [u.code for u in unlisted[wrong.participant_id].matched_units] == ["CDC"]
    assert unlisted[stranger.participant_id].status == matching.OUTSIDE
    assert unlisted[by_code.participant_id].status == matching.WRONG_UNIT
    assert by_phone.participant_id not in unlisted
    # Sub-unit filter.
    narrowed = matching.participation(Scope(quiz=quiz), None, sub_unit="Tim mạch")
    assert sorted(s.entry.full_name for s in narrowed.entries) == ["Chưa Thi", "Nguyễn Thị Hoà"]
    assert narrowed.sub_units == ["Tiêu hoá", "Tim mạch"]


def test_matching_stays_right_when_the_roster_is_reimported(ctx, tree, make_quiz, make_attempt):
    quiz = make_quiz()
    person = make_attempt(quiz, _participant(quiz, tree["cdc"], "0987654321"))
    scope = Scope(quiz=quiz)
    assert matching.participation(scope, None).unrostered[0][0].id == person.participant_id
    import_roster_file((HEADER + "CDC,Khác,,0911111111,,\n").encode(), "a.csv")
    result = matching.participation(scope, None)
    assert [u.status for u in result.unlisted] == [matching.OUTSIDE] and not result.taken
    import_roster_file((HEADER + "CDC,Trần Minh Đức,,0987 654 321,,\n").encode(), "b.csv")
    result = matching.participation(scope, None)
    assert result.unlisted == [] and result.taken[0].taker.id == person.participant_id


def test_two_imports_of_one_roster_at_once_run_one_after_the_other(app, tree, monkeypatch):
    """The race: both imports delete the old roster, then both insert theirs — without the unit
    row's lock the roster became the union of the two files (or one failed on a unique key)."""
    import threading

    from quiz.services import audit
    first_inside, release, second_done = threading.Event(), threading.Event(), threading.Event()
    record = audit.record

    def held_record(*args, **kwargs):  # the first import stops after its writes, before its commit
        if threading.current_thread().name == "first":
            first_inside.set()
            release.wait(10)
        return record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", held_record)
    errors = []

    def run(name: str, phones: range, done: threading.Event | None = None):
        with app.app_context():
            try:
                import_roster_file((HEADER + "".join(f"KN,{name} {i},,09120000{i:02d},,\n" for i in phones)).encode(),
                                   f"{name}.csv")
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))
                db.session.rollback()
            finally:
                db.session.remove()
                if done is not None:
                    done.set()

    first = threading.Thread(target=run, args=("A", range(0, 3)), name="first")
    second = threading.Thread(target=run, args=("B", range(3, 5), second_done), name="second")
    first.start()
    assert first_inside.wait(10)
    second.start()
    assert not second_done.wait(1.0)  # waits for the first import's lock
    release.set()
    first.join(20)
    second.join(20)
    assert errors == []
    with app.app_context():
        names = sorted(e.full_name for e in _entries())
    assert names == ["B 3", "B 4"]
