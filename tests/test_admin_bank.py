"""Question bank screens: search without accents, filters, create/edit with field errors,
frozen content once drawn, archive vs delete, answer statistics, exports, import wizard."""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from quiz import clock
from quiz.extensions import db
from quiz.models import Answer, Attempt, AttemptQuestion, AuditEntry, Participant, Question, QuestionSet
from tests.bank_files import BAD_CSV, DUPLICATE_CSV, GOOD_CSV


def _form(text="Câu hỏi mới?", kind="single", options=(("Có", True), ("Không", False)), **extra):
    data = {"set_id": extra.pop("set_id", 0), "new_set": extra.pop("new_set", ""), "text": text, "kind": kind,
            "explanation": "", "topic": "Chung", "difficulty": "1", "source": "", "points": "1"}
    for i, (option, correct) in enumerate(options):
        data[f"options-{i}-text"] = option
        if correct:
            data[f"options-{i}-is_correct"] = "y"
    data.update(extra)
    return data


@pytest.fixture
def draw(make_quiz, make_unit):
    """`draw(question, correct)`: a finished attempt that drew `question` and answered it."""
    quiz = make_quiz(questions=1)
    unit = make_unit()
    seq = iter(range(1, 1000))

    def make(question: Question, correct: bool | None) -> None:
        n = next(seq)
        now = clock.utcnow()
        person = Participant(contest_id=quiz.contest_id, identity=f"09{n:08d}", identity_kind="phone",
                             full_name="Người thi", unit=unit, consent_at=now)
        attempt = Attempt(token=f"tok{question.id}-{n}", quiz=quiz, participant=person, started_at=now,
                          deadline=now + timedelta(minutes=10), submitted_at=now, max_score=1)
        attempt.questions.append(AttemptQuestion(question_id=question.id, position=0, option_order="1,2"))
        if correct is not None:
            attempt.answers.append(Answer(question_id=question.id, choice_mask=1, is_correct=correct))
        db.session.add(attempt)
        db.session.commit()
    return make


def test_search_ignores_accents_and_case(client, login_as, make_question):
    login_as("admin")
    make_question(text="Chuyển đổi số là gì?")
    make_question(text="Mật khẩu mạnh gồm những gì?")
    page = client.get("/admin/bank?q=CHUYEN+doi+so").get_data(as_text=True)
    assert "Chuyển đổi số là gì?" in page and "Mật khẩu mạnh" not in page
    page = client.get("/admin/bank?q=mật+khẩu").get_data(as_text=True)
    assert "Mật khẩu mạnh" in page and "Chuyển đổi số là gì?" not in page
    assert "%" not in client.get("/admin/bank?q=%25").get_data(as_text=True).split("câu hỏi</p>")[0][-3:]


def test_filters_and_pagination(client, login_as, make_question):
    login_as("admin")
    other = QuestionSet(name="Bộ khác")
    make_question(other, text="Câu khó về an toàn?", topic="An toàn thông tin", difficulty=3, kind="true_false")
    for i in range(30):
        make_question(text=f"Câu dễ số {i}?")
    page = client.get(f"/admin/bank?set_id={other.id}").get_data(as_text=True)
    assert "Câu khó về an toàn?" in page and "Câu dễ số" not in page
    assert "Câu khó" in client.get("/admin/bank?difficulty=3&kind=true_false&topic=An+to%C3%A0n+th%C3%B4ng+tin").get_data(as_text=True)
    assert "Câu khó" not in client.get("/admin/bank?difficulty=2").get_data(as_text=True)
    first = client.get("/admin/bank").get_data(as_text=True)
    assert "31 câu hỏi" in first and "Trang 1 / 2" in first
    second = client.get("/admin/bank?page=2").get_data(as_text=True)
    assert "Trang 2 / 2" in second and len(re.findall(r'class="q-text"', second)) == 6


def test_create_question_in_a_new_set(client, login_as, ctx):
    login_as("admin")
    response = client.post("/admin/bank/questions/new", data=_form(text="Chữ ký số dùng để làm gì?", new_set="Tuần 2"))
    assert response.status_code == 302
    question = db.session.scalar(db.select(Question))
    assert question.question_set.name == "Tuần 2"
    assert [(o.text, o.is_correct) for o in question.options] == [("Có", True), ("Không", False)]
    assert question.search_text.startswith("chu ky so")
    assert db.session.scalar(db.select(AuditEntry.action)) == "question.create"


def test_create_shows_field_level_errors(client, login_as, make_question, ctx):
    login_as("admin")
    question_set = make_question(text="đã có sẵn").question_set  # the fixture keys by lower()
    response = client.post("/admin/bank/questions/new", data=_form(
        set_id=question_set.id, options=(("Có", True), ("Không", True))))
    assert response.status_code == 422
    assert "câu hỏi một đáp án nhưng có 2 đáp án đúng" in response.get_data(as_text=True).lower()
    response = client.post("/admin/bank/questions/new", data=_form(set_id=question_set.id, options=(("Chỉ một", True),)))
    assert "Cần ít nhất 2 phương án" in response.get_data(as_text=True)
    response = client.post("/admin/bank/questions/new", data=_form(set_id=question_set.id, text="Đã có  sẵn?"))
    assert "đã có câu hỏi giống hệt" in response.get_data(as_text=True)
    response = client.post("/admin/bank/questions/new", data=_form(text="", points="0"))
    page = response.get_data(as_text=True)
    assert "Vui lòng nhập nội dung câu hỏi." in page and "Điểm từ 1 đến 100." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 1


def test_true_false_needs_no_option_text(client, login_as, ctx):
    login_as("admin")
    data = _form(text="VNeID là ứng dụng của Bộ Công an?", kind="true_false", options=(("", True), ("", False)),
                 new_set="Đúng sai")
    assert client.post("/admin/bank/questions/new", data=data).status_code == 302
    question = db.session.scalar(db.select(Question))
    assert [(o.text, o.is_correct) for o in question.options] == [("Đúng", True), ("Sai", False)]


def test_edit_undrawn_question_changes_its_options(client, login_as, make_question, ctx):
    login_as("admin")
    question = make_question(text="Câu gốc?")
    data = _form(text="Câu đã sửa?", set_id=question.set_id, options=(("X", False), ("Y", True), ("Z", False)))
    assert client.post(f"/admin/bank/questions/{question.id}", data=data).status_code == 302
    db.session.expire_all()
    assert question.text == "Câu đã sửa?" and [o.text for o in question.options] == ["X", "Y", "Z"]
    assert question.correct_mask == 0b010


def test_drawn_question_keeps_what_attempts_saw(client, login_as, make_question, draw, ctx):
    login_as("admin")
    question = make_question(text="Câu đã thi?")
    draw(question, True)
    original = [(o.text, o.is_correct) for o in question.options]
    data = _form(text="Câu đã thi, sửa chữ?", set_id=question.set_id,
                 options=[(t, c) for t, c in original])
    response = client.post(f"/admin/bank/questions/{question.id}", data=data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "không thể sửa nội dung" in page and "Tạo bản sao với nội dung này" in page
    db.session.expire_all()
    assert question.text == "Câu đã thi?"
    # Metadata stays editable.
    meta = _form(text="Câu đã thi?", set_id=question.set_id, options=original, topic="Chủ đề mới", difficulty="2")
    assert client.post(f"/admin/bank/questions/{question.id}", data=meta).status_code == 302
    db.session.expire_all()
    assert (question.topic, question.difficulty) == ("Chủ đề mới", 2)
    # "Tạo bản sao": the edit becomes a new question and the drawn one is archived.
    data["save_copy"] = "1"
    assert client.post(f"/admin/bank/questions/{question.id}", data=data).status_code == 302
    db.session.expire_all()
    copy = db.session.scalar(db.select(Question).filter_by(text="Câu đã thi, sửa chữ?"))
    assert copy.set_id == question.set_id
    assert question.is_archived and question.text == "Câu đã thi?"
    assert copy.text == "Câu đã thi, sửa chữ?" and not copy.is_archived


def test_remove_archives_drawn_and_deletes_undrawn(client, login_as, make_question, draw, ctx):
    login_as("admin")
    drawn, fresh = make_question(text="Đã thi?"), make_question(text="Chưa thi?")
    draw(drawn, False)
    client.post(f"/admin/bank/questions/{drawn.id}/remove")
    client.post(f"/admin/bank/questions/{fresh.id}/remove")
    db.session.expire_all()
    assert db.session.get(Question, drawn.id).is_archived
    assert db.session.get(Question, fresh.id) is None
    assert "Đã thi?" not in client.get("/admin/bank").get_data(as_text=True)
    assert "Đã thi?" in client.get("/admin/bank?archived=y").get_data(as_text=True)


def test_list_shows_how_often_answered_correctly(client, login_as, make_question, draw):
    login_as("admin")
    asked, never = make_question(text="Câu được hỏi?"), make_question(text="Câu chưa hỏi?")
    for correct in (True, True, False, None):
        draw(asked, correct)
    page = client.get("/admin/bank").get_data(as_text=True)
    row = page.split("Câu được hỏi?")[1].split("</tr>")[0]
    assert "50%" in row and "2/4 lượt" in row
    row = page.split("Câu chưa hỏi?")[1].split("</tr>")[0]
    assert "—" in row
    assert never.id


def test_export_each_writable_format_and_template(client, login_as, make_question):
    login_as("admin")
    question = make_question(text="Xuất ra tệp?")
    for fmt in ("xlsx", "csv", "gift", "aiken", "json"):
        response = client.get(f"/admin/bank/sets/{question.set_id}/export/{fmt}")
        assert response.status_code == 200, fmt
        assert "attachment" in response.headers["Content-Disposition"]
        if fmt != "xlsx":
            assert "Xuất ra tệp" in response.get_data(as_text=True)
    assert client.get(f"/admin/bank/sets/{question.set_id}/export/pdf").status_code == 404
    response = client.get("/admin/bank/template.xlsx")
    assert load_workbook(io.BytesIO(response.data)).worksheets[0].max_row > 1


def _upload(client, content: bytes, name: str, **extra):
    return client.post("/admin/bank/import", data={"file": (io.BytesIO(content), name), "set_id": "0", **extra},
                       content_type="multipart/form-data")


def test_import_with_error_lists_the_row_and_writes_nothing(client, login_as, ctx):
    login_as("admin")
    response = _upload(client, BAD_CSV, "loi.csv")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "có 1 lỗi" in page and "dòng 3" in page and "loi.csv" in page
    assert "Xác nhận nhập 0" not in page and "import/confirm" not in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0


def test_import_preview_then_confirm(client, login_as, app, ctx):
    login_as("admin")
    response = _upload(client, GOOD_CSV, "tuan1.csv", new_set="Tuần 1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Xác nhận nhập 3 câu" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0  # preview writes nothing
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/admin/bank/import/confirm", data={"token": token, "set_name": "Tuần 1"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 3
    # The kept file is gone: confirming twice cannot import twice.
    client.post("/admin/bank/import/confirm", data={"token": token, "set_name": "Tuần 1"})
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 3
    assert "không còn" in client.get("/admin/bank/import").get_data(as_text=True)


def test_import_marks_duplicates_in_file_and_in_set(client, login_as, make_question):
    login_as("admin")
    question_set = make_question(text="câu mới hoàn toàn").question_set  # the fixture keys by lower()
    page = _upload(client, DUPLICATE_CSV, "trung.csv", set_id=str(question_set.id)).get_data(as_text=True)
    assert "trùng trong tệp" in page and "đã có trong bộ" in page
    assert "Xác nhận nhập 1 câu" in page


def test_confirm_refuses_a_forged_token(client, login_as, ctx):
    login_as("admin")
    response = client.post("/admin/bank/import/confirm", data={"token": "../../etc/passwd", "set_name": "X"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(QuestionSet)) == 0
