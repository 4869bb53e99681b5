"""Every foundation command, with good and bad input, through Flask's CLI runner."""
import json

from openpyxl import Workbook

from quiz.extensions import db
from quiz.models import Attempt, AuditEntry, Contest, Organizer, Quiz, Unit


def write_csv(tmp_path, text, name="units.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return str(path)


def test_organizer_create_reads_the_password_from_stdin(runner, app):
    result = runner.invoke(args=["organizer", "create", "BTC@syt.vn", "--role", "admin", "--password-stdin"],
                           input="mat-khau-dai-123\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        organizer = db.session.scalar(db.select(Organizer))
        assert organizer.email == "btc@syt.vn" and organizer.role == "admin"
        assert organizer.check_password("mat-khau-dai-123")
        assert db.session.scalar(db.select(AuditEntry.action)) == "organizer.create"


def test_organizer_create_refuses_bad_input(runner, app):
    short = runner.invoke(args=["organizer", "create", "a@b.vn", "--role", "admin", "--password-stdin"], input="123\n")
    assert short.exit_code == 1 and "ít nhất 8 ký tự" in short.output
    no_unit = runner.invoke(args=["organizer", "create", "a@b.vn", "--role", "unit", "--password-stdin"],
                            input="mat-khau-dai\n")
    assert no_unit.exit_code == 1 and "mã đơn vị" in no_unit.output
    bad_unit = runner.invoke(args=["organizer", "create", "a@b.vn", "--role", "unit", "--unit", "KHONG",
                                   "--password-stdin"], input="mat-khau-dai\n")
    assert bad_unit.exit_code == 1 and "KHONG" in bad_unit.output
    no_stdin = runner.invoke(args=["organizer", "create", "a@b.vn", "--role", "admin"])
    assert no_stdin.exit_code == 1 and "--password-stdin" in no_stdin.output
    bad_role = runner.invoke(args=["organizer", "create", "a@b.vn", "--role", "boss", "--password-stdin"])
    assert bad_role.exit_code == 2
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Organizer.id))) == 0


def test_organizer_create_refuses_a_duplicate_email(runner):
    args = ["organizer", "create", "a@b.vn", "--role", "organizer", "--password-stdin"]
    assert runner.invoke(args=args, input="mat-khau-dai\n").exit_code == 0
    again = runner.invoke(args=args, input="mat-khau-khac\n")
    assert again.exit_code == 1 and "Đã có tài khoản" in again.output


def test_unit_contact_account_is_tied_to_its_unit(runner, app, make_unit):
    make_unit(code="CDC")
    result = runner.invoke(args=["organizer", "create", "dm@cdc.vn", "--role", "unit", "--unit", "CDC",
                                 "--password-stdin"], input="mat-khau-dai\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(db.select(Organizer)).unit.code == "CDC"


def test_units_import_csv_builds_the_tree_in_any_order(runner, app, tmp_path):
    path = write_csv(tmp_path, "code,name,parent_code,headcount\n"
                               "BVDK-NOI,Khối Nội,BVDK,186\n"
                               "SYT,Sở Y tế,,\n"
                               "BVDK,Bệnh viện Đa khoa tỉnh,SYT,\n")
    result = runner.invoke(args=["units", "import", path])
    assert result.exit_code == 0, result.output
    assert "thêm 3" in result.output
    with app.app_context():
        units = {u.code: u for u in db.session.scalars(db.select(Unit))}
        assert units["BVDK-NOI"].parent.code == "BVDK"
        assert units["BVDK"].parent.code == "SYT"
        assert units["BVDK-NOI"].headcount == 186 and units["SYT"].headcount is None
        assert units["BVDK-NOI"].path == f"/{units['SYT'].id}/{units['BVDK'].id}/{units['BVDK-NOI'].id}/"


def test_units_import_upserts_by_code(runner, app, tmp_path):
    runner.invoke(args=["units", "import", write_csv(tmp_path, "code,name,parent_code,headcount\nA,Cũ,,5\nB,Bê,,1\n")])
    result = runner.invoke(args=["units", "import", write_csv(tmp_path, "code,name,parent_code,headcount\nA,Mới,B,7\nB,Bê,,1\n", "v2.csv")])
    assert result.exit_code == 0, result.output
    assert "thêm 0, cập nhật 1, giữ nguyên 1" in result.output
    with app.app_context():
        unit = db.session.scalar(db.select(Unit).filter_by(code="A"))
        assert (unit.name, unit.headcount, unit.parent.code) == ("Mới", 7, "B")


def test_units_import_with_bad_rows_lists_every_one_and_writes_nothing(runner, app, tmp_path):
    path = write_csv(tmp_path, "code,name,parent_code,headcount\n"
                               "OK,Đơn vị tốt,,10\n"
                               ",Thiếu mã,,1\n"
                               "X1,,,1\n"
                               "X2,Âm,,-3\n"
                               "X3,Cha lạ,KHONGCO,1\n"
                               "OK,Trùng,,1\n")
    result = runner.invoke(args=["units", "import", path])
    assert result.exit_code == 1
    for line in ("dòng 3: thiếu mã đơn vị", "dòng 4: thiếu tên đơn vị", "dòng 5: số người",
                 "dòng 6: không có đơn vị cha mã 'KHONGCO'", "dòng 7: mã đơn vị 'OK' đã xuất hiện ở dòng 2"):
        assert line in result.output, line
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Unit.id))) == 0


def test_units_import_refuses_a_cycle(runner, app, tmp_path):
    path = write_csv(tmp_path, "code,name,parent_code,headcount\nA,A,B,1\nB,B,A,1\n")
    result = runner.invoke(args=["units", "import", path])
    assert result.exit_code == 1 and "vòng lặp" in result.output


def test_units_import_xlsx_with_vietnamese_headers(runner, app, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cha", "Số người"])
    sheet.append(["CDC", "Trung tâm Kiểm soát bệnh tật", None, 124])
    sheet.append(["CDC-CB", "Chi bộ CDC", "CDC", 30])
    path = tmp_path / "units.xlsx"
    book.save(path)
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(db.select(Unit).filter_by(code="CDC-CB")).parent.code == "CDC"


def test_units_import_refuses_a_corrupt_xlsx_and_a_missing_file(runner, tmp_path):
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 1 and "Không đọc được tệp Excel" in result.output
    missing = runner.invoke(args=["units", "import", str(tmp_path / "khong-co.csv")])
    assert missing.exit_code == 1 and "Không tìm thấy tệp" in missing.output


def test_units_import_dry_run_writes_nothing(runner, app, tmp_path):
    result = runner.invoke(args=["units", "import", "--dry-run", write_csv(tmp_path, "code,name\nA,Một\n")])
    assert result.exit_code == 0 and "Sẽ thêm 1" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Unit.id))) == 0


def quiz_file(tmp_path, **overrides):
    definition = {
        "code": "TUAN1", "title": "Tuần 1 — Tìm hiểu chuyển đổi số", "contest": "BDHVS-2025",
        "opens_at": "2025-10-06T08:00:00+07:00", "closes_at": "2025-10-12T22:00:00+07:00",
        "duration_s": 900, "draw": [{"set": "Bộ thử", "count": 3}],
        "shuffle_questions": True, "shuffle_options": True, "max_attempts": 1,
        "prediction": "count", "show_review": True, "allow_other_unit": False,
    }
    definition.update(overrides)
    path = tmp_path / "quiz.json"
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_quizzes_create_from_a_definition_file(runner, app, tmp_path, make_question):
    for _i in range(3):
        make_question()
    result = runner.invoke(args=["quizzes", "create", quiz_file(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Đã tạo đợt thi TUAN1" in result.output
    with app.app_context():
        quiz = db.session.scalar(db.select(Quiz))
        assert quiz.contest.code == "BDHVS-2025"
        assert quiz.opens_at.isoformat() == "2025-10-06T01:00:00+00:00"
        assert quiz.question_count == 3 and quiz.prediction == "count"
    again = runner.invoke(args=["quizzes", "create", quiz_file(tmp_path, title="Tuần 1 (sửa)")])
    assert again.exit_code == 0 and "Đã cập nhật" in again.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Quiz.id))) == 1
        assert db.session.scalar(db.select(Quiz.title)) == "Tuần 1 (sửa)"


def test_quizzes_create_accepts_yaml(runner, app, tmp_path, make_question):
    make_question()
    path = tmp_path / "quiz.yaml"
    path.write_text("code: YAML1\ntitle: Đợt YAML\ncontest: C-YAML\nopens_at: 2025-10-06T08:00:00+07:00\n"
                    "closes_at: 2025-10-07T08:00:00+07:00\ndraw:\n  - set: Bộ thử\n    count: 1\n", encoding="utf-8")
    result = runner.invoke(args=["quizzes", "create", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        quiz = db.session.scalar(db.select(Quiz))
        assert quiz.duration_s == 900 and quiz.max_attempts == 1  # defaults


def test_quizzes_create_reports_every_problem(runner, app, tmp_path, make_question):
    for _i in range(2):
        make_question(topic="An toàn thông tin", difficulty=2)
    path = quiz_file(tmp_path, code="x", closes_at="2025-10-01T08:00:00+07:00", duration_s=0,
                     prediction="maybe", colour="red",
                     draw=[{"set": "Không có", "count": 1}, {"topic": "An toàn thông tin", "difficulty": 2, "count": 15}])
    result = runner.invoke(args=["quizzes", "create", path])
    assert result.exit_code == 1
    for expected in ("Khóa không được hỗ trợ: colour", "code: mã đợt thi 'X'", "closes_at: thời điểm đóng",
                     "duration_s: phải là số nguyên", "prediction: phải là", "không có bộ câu hỏi 'Không có'",
                     "chủ đề 'An toàn thông tin', mức 2 chỉ có 2 câu, cần 15"):
        assert expected in result.output, expected
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Contest.id))) == 0


def test_quizzes_create_refuses_unreadable_json(runner, tmp_path):
    path = tmp_path / "hong.json"
    path.write_text("{code: ", encoding="utf-8")
    result = runner.invoke(args=["quizzes", "create", str(path)])
    assert result.exit_code == 1 and "Không đọc được tệp" in result.output


def test_demo_loads_units_starter_sets_and_an_open_quiz(runner, app, frozen_clock):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "http://quiz.test/j/BDHVS" in result.output
    assert "admin@thiduaso.local" in result.output
    with app.app_context():
        quiz = db.session.scalar(db.select(Quiz).filter_by(code="BDHVS"))
        assert quiz.state == "open" and quiz.question_count == 15
        assert db.session.scalar(db.select(db.func.count(Unit.id))) >= 15
        assert db.session.scalar(db.select(Unit).filter_by(code="CDC")).parent.code == "SYT"
        finished = db.session.scalars(db.select(Attempt).where(Attempt.submitted_at.is_not(None),
                                                               Attempt.quiz_id == quiz.id)).all()
        assert len(finished) == 60 and len({a.participant_id for a in finished}) == 60
        assert all(a.max_score == 15 and 0 <= a.score <= 15 for a in finished)
    password = result.output.split("admin@thiduaso.local / ")[1].split()[0]
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "đã có sẵn" in again.output and password in again.output
    client = app.test_client()
    assert client.post("/login", data={"email": "admin@thiduaso.local", "password": password}).status_code == 302
    assert "Tìm hiểu chuyển đổi số" in client.get("/").get_data(as_text=True)
    board = client.get("/api/v1/quizzes/BDHVS/unit-ranking").get_json()
    assert sum(row["participants"] for row in board["rows"]) == 60
    # the ended round's award list is published, so the award pages show something
    assert "http://quiz.test/r/contest/BDHVS-DEMO/awards" in result.output
    awards = client.get("/r/contest/BDHVS-DEMO/awards").get_data(as_text=True)
    assert "Nhất" in awards and "Tập thể xuất sắc" in awards


def test_cli_speaks_through_the_console_script(app):
    from click.testing import CliRunner

    from quiz.cli import main
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("organizer", "units", "quizzes", "demo", "db"):
        assert command in result.output
