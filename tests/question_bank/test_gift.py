import unicodedata

import pytest

from question_bank import QuestionBankError, read_bytes, read_file, write_questions


@pytest.fixture
def full(data_dir):
    return read_file(data_dir / "full.gift")


def test_every_supported_feature(full):
    qs = full.questions
    assert full.format == "gift"
    assert [q.kind for q in qs] == ["single", "multiple", "true_false", "true_false", "true_false", "single"]
    first = qs[0]
    assert first.text == "Chuyển đổi số gồm những trụ cột nào theo Chương trình quốc gia?"  # title dropped
    assert first.topic == "Chuyển đổi số"  # last segment of $course$/top/…
    assert first.explanation.splitlines() == [
        "Chương trình chuyển đổi số quốc gia có ba trụ cột.",
        "Chính quyền số, kinh tế số, xã hội số: Đúng, ba trụ cột.",
        "Chỉ chính quyền số: Thiếu kinh tế số và xã hội số."]
    assert [o.is_correct for o in qs[1].options] == [True, True, False, False]
    assert qs[2].text == "Công thức =SUM(A1:A3) cộng các ô từ A1 đến A3."
    assert qs[3].options[1].is_correct and qs[3].explanation == "Ngân hàng không bao giờ hỏi OTP."
    assert qs[4].text == "Ký hiệu { và } cùng dấu ~ và # là ký tự đặc biệt?"
    assert qs[5].text == "Phần mềm độc hại thường lây qua đâu?"  # [html], script dropped
    assert qs[5].topic == "An toàn thông tin"
    assert all(unicodedata.is_normalized("NFC", q.text) for q in qs)


def test_unsupported_types_are_listed_with_lines(full):
    assert [(p.line, p.message.split(":")[1].strip().split(" (")[0]) for p in full.skipped] == [
        (33, "câu tự luận"), (35, "câu ghép đôi"), (40, "câu trả lời số"), (42, "câu trả lời ngắn")]


def test_malformed_lists_every_problem(data_dir):
    with pytest.raises(QuestionBankError) as exc:
        read_file(data_dir / "bad.gift")
    assert [(p.line, p.field) for p in exc.value.problems] == [(1, "đáp án đúng"), (5, "đáp án đúng"),
                                                               (16, "phương án")]
    assert "thiếu dấu '}'" in exc.value.problems[0].message


def test_round_trip_escapes_specials(sample_questions):
    data = write_questions(sample_questions, "gift", "Bộ thử")
    text = data.decode()
    assert "\\=" in text and "\\{" in text and "\\:" in text and "\\n" in text
    assert text.startswith("// Bộ câu hỏi: Bộ thử")
    back = read_bytes(data, "x.gift").questions
    keep = ("text", "kind", "options", "explanation", "topic")
    assert [[getattr(q, k) for k in keep] for q in back] == [[getattr(q, k) for k in keep] for q in sample_questions]


def test_multiple_weights_for_three_correct(make_question):
    from question_bank import OptionData
    q = make_question(kind="multiple", options=[OptionData(c, c != "D") for c in "ABCD"])
    text = write_questions([q], "gift").decode()
    assert text.count("~%33.33333%") == 3 and "~%-100%D" in text
    assert read_bytes(text.encode(), "x.gift").questions[0].options == q.options


def test_single_with_all_equals_in_txt_is_detected_as_gift():
    result = read_bytes("Câu hỏi? {=Có ~Không}\n".encode(), "cau.txt")
    assert result.format == "gift" and result.questions[0].options[0].is_correct
