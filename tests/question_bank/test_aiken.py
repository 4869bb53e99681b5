import unicodedata

import pytest

from question_bank import OptionData, QuestionBankError, read_bytes, read_file, write_questions


def test_reads_both_option_styles_and_nfd(data_dir):
    raw = (data_dir / "aiken_nfd.txt").read_bytes()
    assert unicodedata.normalize("NFD", "Chuyển").encode() in raw
    result = read_bytes(raw, "de.txt")
    assert result.format == "aiken"
    qs = result.questions
    assert [q.text for q in qs] == ["Chuyển đổi số quốc gia gồm mấy trụ cột?", "Mật khẩu nào an toàn nhất?",
                                    "Không nên bấm vào đường link lạ."]
    assert [o.is_correct for o in qs[0].options] == [False, True, False, False]
    assert qs[1].options[2] == OptionData("T@iKh0an#Manh2025", True)
    assert qs[2].kind == "true_false"


def test_utf16_file_reads_the_same(data_dir):
    assert (data_dir / "aiken_utf16.txt").read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert read_file(data_dir / "aiken_utf16.txt").questions == read_file(data_dir / "aiken_nfd.txt").questions


def _cp1258(ch):
    """cp1258 has letters like ô, ơ, ư precomposed but the five tones as combining marks."""
    try:
        return ch.encode("cp1258")
    except UnicodeEncodeError:
        base, *marks = unicodedata.normalize("NFD", ch)
        shape = [m for m in marks if m in "\u0302\u0306\u031b"]
        tones = [m for m in marks if m not in shape]
        return (unicodedata.normalize("NFC", base + "".join(shape)) + "".join(tones)).encode("cp1258")


def test_cp1258_fallback():
    text = "Thủ đô Việt Nam?\nA. Hà Nội\nB. Huế\nANSWER: A\n"
    raw = b"".join(_cp1258(ch) for ch in text)
    assert raw.decode("utf-8", errors="replace") != text
    assert read_bytes(raw, "x.txt").questions[0].options[0].text == "Hà Nội"


def test_malformed_lists_every_question(data_dir):
    with pytest.raises(QuestionBankError) as exc:
        read_file(data_dir / "aiken_bad.txt")
    assert [(p.line, p.field) for p in exc.value.problems] == [(1, "đáp án đúng"), (8, "đáp án đúng"),
                                                               (15, "đáp án đúng")]
    assert "thiếu dòng 'ANSWER" in exc.value.problems[0].message
    assert "'E' không phải phương án nào (chỉ có A–B)" == exc.value.problems[1].message


def test_round_trip_single_and_true_false(sample_questions):
    qs = [q for q in sample_questions if q.kind != "multiple"]
    back = read_bytes(write_questions(qs, "aiken"), "x.txt").questions
    assert [(q.text, q.kind, q.options) for q in back] == [(q.text, q.kind, q.options) for q in qs]
    text = write_questions(qs, "aiken").decode()
    assert "A. Đúng\nB. Sai\nANSWER: A" in text


def test_multiple_cannot_be_written(sample_questions):
    with pytest.raises(QuestionBankError) as exc:
        write_questions(sample_questions, "aiken")
    assert [p.line for p in exc.value.problems] == [2]
    assert "Aiken không ghi được câu nhiều đáp án" in str(exc.value)
    assert "Những việc nào giúp bảo vệ tài khoản?" in str(exc.value)
