import unicodedata

import pytest

from question_bank import (OptionData, Problem, QuestionBankError, duplicate_key, find_duplicates,
                           normalise_text, strip_diacritics, validate_question)


def test_normalise_text_makes_nfc_and_collapses_spaces():
    nfd = unicodedata.normalize("NFD", "  Chuyển   đổi\tsố \r\n\r\n\r\n dòng hai  ")
    assert normalise_text(nfd) == "Chuyển đổi số\n\ndòng hai"
    assert unicodedata.is_normalized("NFC", normalise_text(nfd))
    assert normalise_text("a\x00b\u200bc") == "abc"


def test_duplicate_key_ignores_case_spacing_and_end_punctuation():
    assert duplicate_key("Chuyển đổi số là gì?") == duplicate_key(unicodedata.normalize("NFD", "chuyển  ĐỔI số là gì"))
    assert duplicate_key("A.") == duplicate_key("a ?!")
    assert duplicate_key("Câu 1") != duplicate_key("Câu 2")


def test_strip_diacritics():
    assert strip_diacritics("Chuyển đổi số") == "chuyen doi so"
    assert strip_diacritics("ĐƯỜNG Đi") == "duong di"


def test_problem_str():
    p = Problem("cau-hoi.xlsx", 14, "đáp án đúng", "câu hỏi một đáp án nhưng có 2 đáp án đúng")
    assert str(p) == "cau-hoi.xlsx, dòng 14, đáp án đúng: câu hỏi một đáp án nhưng có 2 đáp án đúng"
    assert str(Problem("x.json", 3, None, "sai", "câu")) == "x.json, câu 3: sai"
    assert str(Problem("", None, None, "lỗi")) == "lỗi"
    err = QuestionBankError([p, Problem("f", 2, None, "m")])
    assert len(err.problems) == 2 and "dòng 14" in str(err)


def fields(q):
    return sorted(f for f, _ in validate_question(q))


def test_valid_questions_pass(sample_questions):
    for q in sample_questions:
        assert validate_question(q) == []


@pytest.mark.parametrize("overrides, expected", [
    (dict(text="  "), ["text"]),
    (dict(text="x" * 2001), ["text"]),
    (dict(kind="essay"), ["kind"]),
    (dict(options=[OptionData("Một", True)]), ["options"]),
    (dict(options=[OptionData(c, c == "A") for c in "ABCDEFG"]), ["options"]),
    (dict(options=[OptionData("Một", True), OptionData(" ", False)]), ["options"]),
    (dict(options=[OptionData("Một", True), OptionData("một", False)]), ["options"]),
    (dict(options=[OptionData("Một", True), OptionData("Hai", True)]), ["correct"]),
    (dict(options=[OptionData("Một", False), OptionData("Hai", False)]), ["correct"]),
    (dict(kind="multiple", options=[OptionData("Một", False), OptionData("Hai", False)]), ["correct"]),
    (dict(kind="true_false", options=[OptionData("Có", True), OptionData("Không", False)]), ["options"]),
    (dict(kind="true_false", options=[OptionData("Sai", True), OptionData("Đúng", False)]), ["options"]),
    (dict(kind="true_false", options=[OptionData("Đúng", True), OptionData("Sai", True)]), ["correct"]),
    (dict(difficulty=0), ["difficulty"]),
    (dict(difficulty=4), ["difficulty"]),
    (dict(difficulty=True), ["difficulty"]),
    (dict(points=0), ["points"]),
    (dict(time_limit_s=0), ["time_limit_s"]),
])
def test_validation_rules(make_question, overrides, expected):
    errors = validate_question(make_question(**overrides))
    assert sorted(f for f, _ in errors) == expected
    assert all(msg and msg[0].islower() or msg[0] == "'" for _, msg in errors)


def test_multiple_may_have_all_options_correct(make_question):
    q = make_question(kind="multiple", options=[OptionData("Một", True), OptionData("Hai", True)])
    assert validate_question(q) == []


def test_validation_message_is_vietnamese(make_question):
    errors = validate_question(make_question(options=[OptionData("Một", True), OptionData("Hai", True)]))
    assert errors == [("correct", "câu hỏi một đáp án nhưng có 2 đáp án đúng — chỉ chọn một, hoặc đổi loại thành 'nhiều đáp án'")]


def test_find_duplicates_within_list_and_against_existing(make_question):
    qs = [make_question(text="Câu A?"), make_question(text="Câu B"), make_question(text="câu a"),
          make_question(text="Câu C")]
    dups = find_duplicates(qs, existing_keys={duplicate_key("CÂU C.")}, file="f.xlsx")
    assert [(d.line, d.line_label) for d in dups] == [(3, "câu"), (4, "câu")]
    assert "câu 1" in dups[0].message
    assert "đã có" in dups[1].message
    with_lines = find_duplicates(qs[:3], lines=[2, 3, 9])
    assert [str(d) for d in with_lines] == ["dòng 9, câu hỏi: trùng với câu hỏi ở dòng 2"]
