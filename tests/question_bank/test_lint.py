"""The question linter on crafted questions: each rule catches its bad case and stays quiet on good
questions that come close to it (a false alarm is as much a defect as a miss)."""
import json

import pytest

from question_bank import OptionData, QuestionData
from question_bank.lint import absolute_words, lint_question, lint_set, refers_to_others, tokens
from question_bank.starter import starter_sets

EXPLAIN = "Theo văn bản gốc, cơ quan ban hành được ghi ở phần thể thức, dưới quốc hiệu."
SOURCE = "Nghị quyết 57-NQ/TW"


def single(text, options, correct=0, explanation=EXPLAIN, source=SOURCE, kind="single"):
    return QuestionData(text=text, kind=kind, options=[OptionData(o, i == correct if isinstance(correct, int)
                                                                  else i in correct) for i, o in enumerate(options)],
                        explanation=explanation, source=source)


def true_false(text, is_true, explanation=EXPLAIN, source=SOURCE):
    return QuestionData(text=text, kind="true_false", options=[OptionData("Đúng", is_true), OptionData("Sai", not is_true)],
                        explanation=explanation, source=source)


def codes(q):
    return [w.code for w in lint_question(q)]


GOOD = single("Nghị quyết số 57-NQ/TW do cơ quan nào ban hành?",
              ["Bộ Chính trị", "Chính phủ", "Quốc hội", "Ban Bí thư"])


def test_a_good_question_has_no_warning():
    assert codes(GOOD) == []


# --- words ------------------------------------------------------------------------------------------

def test_tokens_keep_dates_and_document_codes_whole():
    assert tokens("Nghị quyết 57-NQ/TW ngày 22/12/2024.") == ["nghị", "quyết", "57-nq/tw", "ngày", "22/12/2024"]


@pytest.mark.parametrize("text, found", [
    ("Chỉ dùng mật khẩu", ["chỉ"]),
    ("Luôn luôn bật Wi-Fi", ["luôn luôn"]),
    ("KHÔNG BAO GIỜ đổi mật khẩu", ["không bao giờ"]),
    ("Tất cả mọi người", ["tất cả", "mọi"]),
    ("Miễn phí hoàn toàn", ["hoàn toàn"]),
    ("Cách duy nhất", ["duy nhất"]),
    ("Chắc chắn an toàn", ["chắc chắn"]),
    # ordinary words that contain "chỉ", and "không chỉ … mà còn"
    ("Theo chỉ thị của Ban Bí thư", []),
    ("Sở Y tế chỉ đạo các đơn vị", []),
    ("Ghi địa chỉ trang web", []),
    ("Các chỉ số sức khỏe", []),
    ("Không chỉ học mà còn thực hành", []),
    ("Chỉ ra lỗi trong đoạn văn", []),
    ("Chỉ thực hiện đến hết năm 2025", ["chỉ"]),
    ("Chỉ báo cáo khi được yêu cầu", ["chỉ"]),
    ("Luôn", ["luôn"]),
    ("Phương châm “không ai bị bỏ lại phía sau” nêu cho kỹ sư", []),  # a quoted slogan claims nothing
    ('Khẩu hiệu "Tất cả vì người bệnh" và luôn tươi cười', ["luôn"]),
    ("Mọi", ["mọi"]),
    ("Ông Mọ đi chợ", []),
])
def test_absolute_words_are_whole_words(text, found):
    assert absolute_words(text) == found


@pytest.mark.parametrize("text", [
    "Tất cả các đáp án trên", "Tất cả các phương án trên đều đúng", "Cả A và B", "Cả A, B và C", "A và B đều đúng",
    "Cả ba phương án trên", "Các đáp án trên đều sai", "Không có đáp án nào đúng", "Đáp án A và B", "A, B và C",
])
def test_options_pointing_at_other_options(text):
    assert refers_to_others(text)


@pytest.mark.parametrize("text", [
    "Cả cán bộ và người dân", "Tất cả cán bộ, công chức", "Cả nước thi đua xây dựng xã hội học tập",
    "Không có hóa đơn nào được in", "Cả hai bên cùng có lợi", "Vitamin A và B1", "Bảo hiểm y tế",
])
def test_options_that_only_look_like_all_of_the_above(text):
    assert not refers_to_others(text)


# --- one question -----------------------------------------------------------------------------------

def test_longest_correct_option():
    bad = single("Dữ liệu mở là gì?", ["Dữ liệu được công khai cho mọi tổ chức, cá nhân khai thác, sử dụng lại tự do",
                                      "Dữ liệu mật", "Dữ liệu nội bộ", "Dữ liệu cá nhân"])
    assert "longest_correct" in codes(bad)
    msg = next(w for w in lint_question(bad) if w.code == "longest_correct").message
    assert "A" in msg and "rút gọn" in msg


@pytest.mark.parametrize("options", [
    ["Bộ Chính trị", "Chính phủ", "Quốc hội", "Ban Bí thư"],        # longest by 2 characters: no cue
    ["22/12/2024", "09/01/2025", "27/02/2025", "05/5/2025"],
    ["Dữ liệu được công khai cho tổ chức, cá nhân sử dụng lại", "Dữ liệu chỉ lưu trong cơ quan nhà nước, không công bố",
     "Dữ liệu mua bán trên sàn giao dịch dữ liệu có thu phí", "Dữ liệu cá nhân được mã hóa trước khi gửi đi"],
])
def test_correct_option_a_little_longer_is_fine(options):
    assert "longest_correct" not in codes(single("Câu hỏi về văn bản?", options))


def test_longest_rule_is_for_single_answer_only():
    q = single("Những việc nào giúp tài khoản an toàn?",
               ["Bật xác thực hai yếu tố cho mọi tài khoản quan trọng", "Chia sẻ OTP", "Dùng một mật khẩu"],
               correct=[0], kind="multiple")
    assert "longest_correct" not in codes(q)


def test_absolute_word_only_in_wrong_options():
    bad = single("Tổ Công nghệ số cộng đồng được tổ chức ở đâu?",
                 ["Ở xã, phường, thôn, bản", "Chỉ tại các doanh nghiệp viễn thông", "Chỉ ở cấp tỉnh", "Tại trường học"])
    warning = next(w for w in lint_question(bad) if w.code == "absolute_wrong_only")
    assert "«chỉ»" in warning.message and "(B, C)" in warning.message and warning.field == "options"


def test_absolute_word_in_the_correct_option_too_is_no_cue():
    ok = single("Nên chia sẻ mã OTP cho ai?", ["Không ai, kể cả người xưng là nhân viên ngân hàng",
                                               "Chỉ người thân trong gia đình", "Nhân viên ngân hàng", "Công an"])
    assert "absolute_wrong_only" not in codes(ok)


def test_compound_words_with_chi_in_wrong_options_are_not_absolute():
    ok = single("Văn bản nào của Đảng ủy Sở Y tế?", ["Kế hoạch tuyên truyền", "Chỉ thị của Ban Bí thư",
                                                     "Địa chỉ trang thông tin", "Chỉ số hài lòng"])
    assert codes(ok) == []


def test_absolute_word_in_a_false_statement():
    bad = true_false("Chỉ Facebook được dùng để tuyên truyền.", is_true=False)
    assert codes(bad) == ["absolute_false_statement"]


@pytest.mark.parametrize("q", [
    true_false("Nghị quyết 57-NQ/TW do Chính phủ ban hành.", is_true=False),  # false by a wrong issuer
    true_false("Không bao giờ chia sẻ mã OTP cho người khác.", is_true=True),  # absolute but true: no cue
    true_false("Sở Y tế chỉ đạo đẩy mạnh tuyên truyền trên mạng xã hội.", is_true=False),
])
def test_true_false_statements_without_the_cue(q):
    assert "absolute_false_statement" not in codes(q)


def test_correct_option_echoing_the_stem():
    bad = single("Ngày hội toàn dân học tập số nhằm mục đích gì?",
                 ["Lan tỏa việc học tập kỹ năng số trong toàn dân", "Tổng kết Phong trào",
                  "Bán thiết bị giảm giá", "Thi tuyển lập trình viên"])
    warning = next(w for w in lint_question(bad) if w.code == "overlap_with_stem")
    assert "«học»" in warning.message and "phương án sai nhiều nhất chỉ 0" in warning.message


@pytest.mark.parametrize("options", [
    # every option echoes the stem as much: no cue
    ["Học tập kỹ năng số trong toàn dân", "Học tập ngoại ngữ trong toàn dân", "Thi học sinh giỏi toàn dân",
     "Học tập lý luận chính trị"],
    # one shared word more than the best wrong option is not "clearly more"
    ["Lan tỏa việc học tập", "Tổ chức học bổng", "Bán thiết bị", "Thi tuyển"],
])
def test_overlap_that_is_not_clearly_more(options):
    assert "overlap_with_stem" not in codes(single("Ngày hội toàn dân học tập số nhằm mục đích gì?", options))


def test_all_of_the_above_option():
    bad = single("Mật khẩu mạnh cần gì?", ["Có chữ hoa", "Có chữ số", "Có ký tự đặc biệt", "Tất cả các đáp án trên"], correct=3)
    assert codes(bad) == ["refers_to_others"]


def test_explanation_missing_or_restating():
    assert "explanation_missing" in codes(single("Câu hỏi?", ["Một", "Hai"], explanation=""))
    restates = single("Nghị quyết số 57-NQ/TW ngày 22/12/2024 do cơ quan nào ban hành?",
                      ["Bộ Chính trị", "Chính phủ", "Quốc hội", "Ban Bí thư"],
                      explanation="Nghị quyết 57-NQ/TW ngày 22/12/2024 là nghị quyết của Bộ Chính trị.")
    assert codes(restates) == ["explanation_restates"]
    assert codes(true_false("Nghị quyết 57-NQ/TW do Chính phủ ban hành.", False, explanation="Sai.")) \
        == ["explanation_restates"]


def test_a_short_explanation_that_corrects_a_false_statement_explains():
    q = true_false("Nghị quyết 57-NQ/TW do Chính phủ ban hành.", False,
                   explanation="Sai: Nghị quyết 57-NQ/TW là của Bộ Chính trị.")
    assert codes(q) == []


def test_source_missing():
    assert codes(single("Câu hỏi?", ["Một", "Hai"], source=" ")) == ["source_missing"]


# --- a set ------------------------------------------------------------------------------------------

DATE_Q = single("Nghị quyết số 57-NQ/TW được ban hành ngày nào?", ["22/12/2024", "09/01/2025", "27/02/2025", "05/5/2025"])


def test_a_stem_giving_away_another_questions_answer():
    giveaway = single("Nghị quyết số 57-NQ/TW ngày 22/12/2024 bàn về nội dung nào?",
                      ["Chuyển đổi số quốc gia", "Kinh tế tư nhân", "Hội nhập quốc tế", "Pháp luật"])
    report = lint_set([DATE_Q, giveaway])
    assert report.warnings[0] == []
    warning = report.warnings[1][0]
    assert warning.code == "answer_in_other_stem" and "«22/12/2024»" in warning.message and "câu 1" in warning.message


def test_an_answer_mentioned_in_an_unrelated_stem_is_fine():
    issuer = single("Nghị quyết số 03/NQ-CP do cơ quan nào ban hành?", ["Chính phủ", "Quốc hội", "Bộ Chính trị", "Ban Bí thư"])
    other = single("Chính phủ số khác chính phủ điện tử ở điểm nào?",
                   ["Dựa trên dữ liệu", "Dùng máy tính", "Có trang web", "Có thư điện tử"])
    assert lint_set([issuer, other]).flagged == 0
    # a short answer ("Có") is not a give-away either
    yes = single("Có nên bật xác thực hai yếu tố?", ["Có", "Không"])
    assert lint_set([yes, single("Có nên dùng chung mật khẩu?", ["Không", "Có"])]).flagged == 0


def test_near_duplicate_stems():
    a = single("Phong trào “Bình dân học vụ số” được phát động nhằm mục đích gì?", ["Một", "Hai", "Ba"])
    b = single("Phong trào “Bình dân học vụ số” phát động nhằm mục đích gì?", ["Bốn", "Năm", "Sáu"])
    c = single("Phong trào “Bình dân học vụ số” gắn với ngày hội nào?", ["Bảy", "Tám", "Chín"])
    report = lint_set([a, b, c])
    assert report.warnings[0] == [] and report.warnings[2] == []
    assert [w.code for w in report.warnings[1]] == ["near_duplicate"] and "câu 1" in report.warnings[1][0].message


def test_context_questions_are_compared_but_not_reported():
    edited = single("Nghị quyết số 57-NQ/TW ngày 22/12/2024 bàn về nội dung nào?",
                    ["Chuyển đổi số quốc gia", "Kinh tế tư nhân", "Hội nhập quốc tế", "Pháp luật"])
    report = lint_set([edited], context=[DATE_Q], context_labels=["câu số 7"])
    assert report.total == 1 and "câu số 7" in report.warnings[0][0].message
    # and the other way round: the edited question's answer already sits in a stored stem
    report = lint_set([DATE_Q], context=[edited], context_labels=["câu số 8"])
    assert report.warnings[0][0].code == "answer_in_other_stem" and "câu số 8" in report.warnings[0][0].message


def test_set_figures():
    qs = [true_false(f"Phát biểu số {i} về kế hoạch tuyên truyền.", i < 5) for i in range(6)]
    qs += [single(f"Câu hỏi số {i} về văn bản?", ["Một", "Hai", "Ba", "Bốn"], correct=0) for i in range(8)]
    report = lint_set(qs)
    assert (report.tf_true, report.tf_total) == (5, 6)
    assert report.letters == {"A": 8}
    assert len(report.notes) == 2 and "5/6" in report.notes[0] and "8/8" in report.notes[1]
    data = json.loads(json.dumps(report.as_dict()))
    assert data["total"] == 14 and data["true_false"] == {"total": 6, "true": 5}


def test_counts_per_warning_code():
    report = lint_set([single("Câu một?", ["A1", "B1"], source=""), single("Câu hai khác hẳn?", ["A2", "B2"], source="")])
    assert report.counts == {"source_missing": 2} and report.flagged == 2 and report.flagged_share == 1.0


def test_the_bundled_starter_sets_lint_at_five_percent_at_most():
    flagged = total = 0
    for name, questions in starter_sets():
        report = lint_set(questions)
        flagged, total = flagged + report.flagged, total + report.total
        details = [(name, i + 1, w.code) for i, ws in enumerate(report.warnings) for w in ws]
        assert report.flagged <= 0.05 * report.total + 1, details
    assert flagged <= 0.05 * total


def test_instructions_in_stems_are_not_shared_context():
    """"(chọn tất cả đáp án đúng)" in two stems does not make them about the same thing."""
    concepts = single("Theo Kế hoạch, những khái niệm nào cần được phổ biến? (chọn tất cả đáp án đúng)",
                      ["Dữ liệu số", "Công nghệ số", "Tiền ảo"], correct=[0, 1], kind="multiple")
    team = single("Tổ Công nghệ số cộng đồng hỗ trợ người dân những việc nào? (chọn tất cả đáp án đúng)",
                  ["Hướng dẫn dịch vụ công", "Giữ hộ mật khẩu"], correct=[0], kind="multiple")
    assert lint_set([concepts, team]).flagged == 0


def test_pairwise_checks_are_bounded_and_say_so(monkeypatch):
    from question_bank import lint_rules
    look_alikes = [single(f"Phong trào “Bình dân học vụ số” đợt số {i} nhằm mục đích gì?", ["Một", "Hai"])
                   for i in range(40)]
    assert lint_set(look_alikes).counts.get("near_duplicate", 0) >= 39
    monkeypatch.setattr(lint_rules, "MAX_PAIRWISE_WORK", 2000)
    report = lint_set(look_alikes)
    assert report.pairwise_skipped and "chưa so hết" in report.notes[0]
    monkeypatch.setattr(lint_rules, "MAX_PAIRWISE", 10)
    report = lint_set(look_alikes)
    assert report.pairwise_skipped and "quá 10" in report.notes[0] and "near_duplicate" not in report.counts
