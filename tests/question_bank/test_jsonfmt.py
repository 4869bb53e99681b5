import json

import pytest

from question_bank import QuestionBankError, read_bytes, write_questions


def test_round_trip_is_lossless(sample_questions):
    sample_questions[1].time_limit_s = 45
    data = write_questions(sample_questions, "json", "Bộ thử")
    doc = json.loads(data)
    assert doc["version"] == 1 and doc["set"] == {"name": "Bộ thử", "description": ""}
    result = read_bytes(data, "bo.json")
    assert result.questions == sample_questions and result.set_name == "Bộ thử"


def test_unknown_version():
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(b'{"version": 2, "questions": []}', "x.json")
    assert "phiên bản tệp JSON '2' không được hỗ trợ" in str(exc.value)


def test_bad_questions_are_numbered():
    doc = {"version": 1, "questions": [
        {"text": "Tốt?", "kind": "single", "options": [{"text": "a", "correct": True}, {"text": "b", "correct": False}]},
        {"text": "Sai kiểu", "kind": "single", "options": "a,b", "difficulty": "khó"},
        {"text": "", "kind": "multiple", "options": [{"text": "a", "correct": False}, {"text": "b", "correct": False}]},
        "không phải đối tượng",
    ]}
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(json.dumps(doc).encode(), "x.json")
    assert [str(p) for p in exc.value.problems][:2] == [
        "x.json, câu 2, phương án: thiếu \"options\" (danh sách {\"text\", \"correct\"})",
        "x.json, câu 2, mức độ: \"difficulty\" phải là số nguyên"]
    assert [(p.line, p.field) for p in exc.value.problems][2:] == [(3, "câu hỏi"), (3, "đáp án đúng"), (4, None)]


def test_syntax_error():
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(b'{"version": 1,\n "questions": [}', "x.json")
    assert exc.value.problems[0].line == 2 and "sai cú pháp" in str(exc.value)
