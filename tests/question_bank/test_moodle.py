import pytest

from question_bank import QuestionBankError, read_bytes, read_file


def test_reads_export(data_dir):
    result = read_file(data_dir / "moodle_export.xml")
    assert result.format == "moodle_xml"
    q1, q2, q3 = result.questions
    assert q1.text == "Trình duyệt web dùng để làm gì?\nChọn một đáp án."
    assert "color" not in q1.text
    assert q1.kind == "single" and q1.points == 2 and q1.topic == "Kỹ năng số cơ bản"
    assert q1.options[0].text == "Truy cập trang web" and q1.options[0].is_correct
    assert q1.explanation == "Trình duyệt mở các trang web."
    assert q2.kind == "multiple" and [o.is_correct for o in q2.options] == [True, True, False]
    assert q3.kind == "true_false" and q3.options[0].is_correct
    assert [(p.line, "shortanswer" in p.message or "essay" in p.message) for p in result.skipped] == [(35, True), (40, True)]


def test_doctype_and_entities_are_refused(data_dir):
    with pytest.raises(QuestionBankError) as exc:
        read_file(data_dir / "moodle_xxe.xml")
    assert "DOCTYPE/ENTITY" in str(exc.value)
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
              '<quiz>&lol2;</quiz>').encode("utf-16")
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(laughs, "lol.xml")
    assert "DOCTYPE/ENTITY" in str(exc.value)


def test_broken_xml_and_wrong_root():
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(b"<quiz><question type='multichoice'>\n<oops></quiz>", "x.xml")
    assert exc.value.problems[0].line == 2 and "sai cú pháp" in str(exc.value)
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(b"<html/>", "x.xml")
    assert "<quiz>" in str(exc.value)


def test_invalid_questions_report_their_lines():
    xml = """<quiz>
<question type="multichoice"><questiontext><text>Một đáp án?</text></questiontext>
<single>true</single><answer fraction="100"><text>A</text></answer><answer fraction="100"><text>B</text></answer>
</question>
<question type="truefalse"><questiontext><text>Đ/S</text></questiontext>
<answer fraction="0"><text>true</text></answer></question>
</quiz>"""
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(xml.encode(), "x.xml")
    assert [(p.line, p.field) for p in exc.value.problems] == [(2, "đáp án đúng"), (5, "đáp án đúng")]
