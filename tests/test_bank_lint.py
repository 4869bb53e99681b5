"""The question linter in the console (editor check as you type, set page, import preview) and `bank lint`."""
import io
import json
import re

from quiz.extensions import db
from quiz.models import Question, QuestionSet
from tests.test_admin_bank import _form as bank_form

LONG = "Dữ liệu được công khai cho mọi tổ chức, cá nhân khai thác, sử dụng lại một cách tự do"


def _form(text="Dữ liệu mở là gì?", options=((LONG, True), ("Dữ liệu mật", False), ("Dữ liệu nội bộ", False)),
          **extra):
    return bank_form(text=text, options=options, **extra)


def test_editor_check_returns_the_warnings_as_json(client, login_as, make_question):
    login_as("admin")
    question_set = QuestionSet(name="Bộ thử")
    make_question(question_set, text="Nghị quyết số 57-NQ/TW được ban hành ngày nào?",
                  options=[("22/12/2024", True), ("09/01/2025", False)])
    response = client.post("/admin/bank/questions/lint", data=_form(set_id=question_set.id))
    assert response.status_code == 200 and response.is_json
    codes = [w["code"] for w in response.get_json()["warnings"]]
    assert codes == ["longest_correct", "explanation_missing", "source_missing"]
    first = response.get_json()["warnings"][0]
    assert first["label"] == "đáp án đúng dài nhất" and first["field"] == "options" and "rút gọn" in first["message"]
    # compared with the rest of the set: a stem that gives away a stored question's answer
    giveaway = _form(text="Nghị quyết số 57-NQ/TW ngày 22/12/2024 bàn về nội dung nào?",
                     options=(("Chuyển đổi số", True), ("Kinh tế tư nhân", False)), set_id=question_set.id,
                     explanation="Nghị quyết bàn về đột phá khoa học, công nghệ và đổi mới sáng tạo.", source="NQ 57")
    data = client.post("/admin/bank/questions/lint", data=giveaway).get_json()
    assert [w["code"] for w in data["warnings"]] == ["answer_in_other_stem"]
    assert "câu số" in data["warnings"][0]["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 1  # nothing saved


def test_editor_check_of_a_stored_question_leaves_it_out_of_its_own_set(client, login_as, make_question):
    login_as("admin")
    question = make_question(text="Phong trào “Bình dân học vụ số” nhằm mục đích gì?",
                             explanation="Để phổ cập kỹ năng số cho toàn dân.", source="Kế hoạch")
    data = client.post(f"/admin/bank/questions/{question.id}/lint",
                       data=_form(text=question.text, options=(("Phổ cập", True), ("Bán máy", False)),
                                  set_id=question.set_id, explanation=question.explanation, source="Kế hoạch")).get_json()
    assert data == {"count": 0, "empty": False, "warnings": []}  # not a near-duplicate of itself


def test_editor_check_with_garbage_is_not_a_500(client, login_as):
    login_as("admin")
    for body in ({}, {"text": "x" * 5000, "kind": "khác", "difficulty": "abc", "points": "-3", "set_id": "zz"}):
        response = client.post("/admin/bank/questions/lint", data=body)
        assert response.status_code == 200 and response.is_json
    assert client.post("/admin/bank/questions/lint", data={}).get_json()["empty"] is True
    assert client.post("/admin/bank/questions/999999/lint", data=_form()).status_code == 404


def test_editor_check_is_for_bank_editors_only(client, login_as):
    assert client.post("/admin/bank/questions/lint", data=_form()).status_code == 302  # to the login page
    login_as("organizer")
    assert client.post("/admin/bank/questions/lint", data=_form()).status_code == 403


def test_editor_check_needs_the_csrf_token(app_config, make_app):
    from quiz.models import Organizer
    app_config["WTF_CSRF_ENABLED"] = True
    app = make_app(app_config)
    with app.app_context():
        db.create_all()
        organizer = Organizer(email="qt@syt.vn", role="admin")
        organizer.set_password("mat-khau-123")
        db.session.add(organizer)
        db.session.commit()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "qt@syt.vn", "password": "mat-khau-123", "csrf_token": token})
    assert client.post("/admin/bank/questions/lint", data=_form()).status_code == 400
    editor = client.get("/admin/bank/questions/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', editor).group(1)
    assert 'data-lint-url="/admin/bank/questions/lint"' in editor and "question_lint.js" in editor
    response = client.post("/admin/bank/questions/lint", data=_form(csrf_token=token))
    assert response.status_code == 200 and response.get_json()["count"] == 3


def test_warnings_never_block_saving_and_show_after_save(client, login_as, ctx):
    login_as("admin")
    response = client.post("/admin/bank/questions/new", data=_form(new_set="Tuần 3"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Đã lưu câu hỏi số" in page
    assert "3 cảnh báo về cách ra đề" in page and "flash-warning" in page
    question = db.session.scalar(db.select(Question))
    editor = client.get(f"/admin/bank/questions/{question.id}").get_data(as_text=True)
    assert "Kiểm tra cách ra đề" in editor and 'data-code="longest_correct"' in editor


def test_a_clean_question_saves_without_a_warning(client, login_as, ctx):
    login_as("admin")
    clean = _form(text="Nghị quyết số 57-NQ/TW do cơ quan nào ban hành?",
                  options=(("Bộ Chính trị", True), ("Chính phủ", False), ("Quốc hội", False)), new_set="Tuần 4",
                  explanation="Nghị quyết mang ký hiệu -NQ/TW do Bộ Chính trị thông qua, không phải Chính phủ hay Quốc hội.",
                  source="Nghị quyết 57-NQ/TW")
    page = client.post("/admin/bank/questions/new", data=clean, follow_redirects=True).get_data(as_text=True)
    assert "Đã lưu câu hỏi số" in page and "cảnh báo về cách ra đề" not in page
    assert "Không thấy dấu hiệu" in client.get(f"/admin/bank/questions/{db.session.scalar(db.select(Question.id))}")\
        .get_data(as_text=True)


def test_the_set_page_shows_the_summary_and_each_questions_warnings(client, login_as, make_question):
    login_as("admin")
    question_set = QuestionSet(name="Bộ kiểm tra")
    flagged = make_question(question_set, text="Chỉ thị nào đúng?", kind="true_false",
                            options=[("Đúng", False), ("Sai", True)], explanation="", source="")
    make_question(question_set, text="Câu tốt?", explanation="Giải thích có lý do rõ ràng.", source="Kế hoạch")
    page = client.get(f"/admin/bank?set_id={question_set.id}").get_data(as_text=True)
    assert "Kiểm tra cách ra đề: bộ “Bộ kiểm tra”" in page
    assert "<strong>1/2</strong>" in page and "thiếu giải thích: 1" in page and "thiếu nguồn: 1" in page
    assert page.count('data-code="explanation_missing"') == 1
    assert f'href="/admin/bank/questions/{flagged.id}"' in page
    # no set chosen: the list as before, no summary
    assert "Kiểm tra cách ra đề" not in client.get("/admin/bank").get_data(as_text=True)


def test_the_import_preview_shows_the_warnings(client, login_as, ctx):
    login_as("admin")
    rows = ("câu hỏi,loại,phương án A,phương án B,phương án C,đáp án đúng,giải thích,chủ đề,mức độ,nguồn,điểm\n"
            "Mật khẩu mạnh cần gì?,một đáp án,Có chữ hoa,Có chữ số,Tất cả các đáp án trên,C,"
            "Mật khẩu mạnh kết hợp nhiều loại ký tự khác nhau,An toàn,1,Sổ tay,1\n")
    response = client.post("/admin/bank/import", data={"file": (io.BytesIO(rows.encode()), "mk.csv"), "set_id": "0",
                                                      "new_set": "Tuần 5"}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Xác nhận nhập 1 câu" in page  # a warning does not block
    assert 'data-code="refers_to_others"' in page and "<strong>1/1</strong>" in page


def test_cli_bank_lint(runner, app, make_question):
    question_set = QuestionSet(name="Bộ CLI")
    make_question(question_set, text="Mọi câu đều sai?", kind="true_false", options=[("Đúng", False), ("Sai", True)],
                  explanation="Có câu đúng, có câu sai tùy nội dung.", source="Sách")
    make_question(QuestionSet(name="Bộ sạch"), text="Câu sạch?", explanation="Lý do rõ ràng ở đây.", source="Sách")
    result = runner.invoke(args=["bank", "lint"])
    assert result.exit_code == 0, result.output
    assert "Bộ “Bộ CLI”: 1/1 câu có cảnh báo (100,0 %)" in result.output
    assert "[absolute_false_statement]" in result.output and "Tổng: 1/2 câu có cảnh báo" in result.output
    assert runner.invoke(args=["bank", "lint", "--fail-on", "warning"]).exit_code == 1
    assert runner.invoke(args=["bank", "lint", "--set", "Bộ sạch", "--fail-on", "warning"]).exit_code == 0
    data = json.loads(runner.invoke(args=["bank", "lint", "--set", "Bộ CLI", "--format", "json"]).output)
    only = data["sets"][0]
    assert only["set"] == "Bộ CLI" and only["flagged"] == 1 and only["counts"] == {"absolute_false_statement": 1}
    assert only["questions"][0]["warnings"][0]["code"] == "absolute_false_statement"
    missing = runner.invoke(args=["bank", "lint", "--set", "Không có"])
    assert missing.exit_code == 1 and "Không có bộ câu hỏi" in missing.output


def test_organizers_who_may_not_see_answers_get_no_lint(client, login_as, make_question):
    """The warnings quote correct answers; an organizer sees the bank list without answers."""
    question_set = QuestionSet(name="Bộ có đáp án")
    make_question(question_set, text="Nghị quyết số 57-NQ/TW được ban hành ngày nào?",
                  options=[("22/12/2024", True), ("09/01/2025", False)])
    make_question(question_set, text="Nghị quyết số 57-NQ/TW ngày 22/12/2024 bàn về nội dung nào?")
    login_as("organizer")
    page = client.get(f"/admin/bank?set_id={question_set.id}").get_data(as_text=True)
    assert "Nghị quyết số 57-NQ/TW được ban hành ngày nào?" in page
    assert "Kiểm tra cách ra đề" not in page and "là đáp án đúng" not in page


def test_warnings_quoting_an_option_are_escaped(client, login_as, make_question):
    login_as("admin")
    question_set = QuestionSet(name="Bộ thoát ký tự")
    make_question(question_set, text="Câu có phương án lạ?", explanation="Giải thích có lý do rõ ràng.", source="Sách",
                  options=[("Có", False), ("<b>x</b> tất cả các đáp án trên", True)])
    page = client.get(f"/admin/bank?set_id={question_set.id}").get_data(as_text=True)
    assert 'data-code="refers_to_others"' in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page


def test_editor_check_compares_with_the_set_named_in_new_set(client, login_as, make_question):
    login_as("admin")
    chosen, named = QuestionSet(name="Bộ đang chọn"), QuestionSet(name="Tuần 6")
    db.session.add(named)
    make_question(chosen, text="Nghị quyết số 57-NQ/TW được ban hành ngày nào?",
                  options=[("22/12/2024", True), ("09/01/2025", False)])
    giveaway = dict(text="Nghị quyết số 57-NQ/TW ngày 22/12/2024 bàn về nội dung nào?",
                    options=(("Chuyển đổi số", True), ("Kinh tế tư nhân", False)),
                    explanation="Nghị quyết bàn về đột phá khoa học, công nghệ và đổi mới sáng tạo.", source="NQ 57")
    codes = lambda data: [w["code"] for w in client.post("/admin/bank/questions/lint", data=data).get_json()["warnings"]]
    assert codes(_form(set_id=chosen.id, **giveaway)) == ["answer_in_other_stem"]
    assert codes(_form(set_id=chosen.id, new_set=" Tuần 6 ", **giveaway)) == []  # saved into "Tuần 6", not compared
    assert codes(_form(set_id=named.id, new_set="Bộ mới tinh", **giveaway)) == []
