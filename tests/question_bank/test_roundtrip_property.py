"""Any valid question survives write -> read in every format that can hold it."""
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank import (OptionData, QuestionData, duplicate_key, normalise_text, read_bytes, validate_question,
                           write_questions)

ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ0123456789 ,.?!;'\"()[]/%&<>*_=~#{}:\\+-@"


def line(min_size=1, max_size=30):
    return st.text(ALPHABET, min_size=min_size, max_size=max_size).map(normalise_text).filter(bool)


@st.composite
def questions(draw, multiline=True):
    kind = draw(st.sampled_from(["single", "multiple", "true_false"]))
    if kind == "true_false":
        truth = draw(st.booleans())
        options = [OptionData("Đúng", truth), OptionData("Sai", not truth)]
    else:
        texts = draw(st.lists(line(), min_size=2, max_size=6, unique_by=duplicate_key))
        if kind == "single":
            pick = draw(st.integers(0, len(texts) - 1))
            options = [OptionData(t, i == pick) for i, t in enumerate(texts)]
        else:
            flags = draw(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts)).filter(any))
            options = [OptionData(t, f) for t, f in zip(texts, flags)]
    text = draw(line(max_size=60))
    if multiline and draw(st.booleans()):
        text = normalise_text(text + "\n" + draw(line()))
    q = QuestionData(text=text, kind=kind, options=options,
                     explanation=normalise_text(draw(st.text(ALPHABET + "\n", max_size=40))),
                     topic=draw(st.one_of(st.just(""), line())), difficulty=draw(st.integers(1, 3)),
                     source=draw(st.one_of(st.just(""), line())), points=draw(st.integers(1, 5)),
                     time_limit_s=draw(st.one_of(st.none(), st.integers(5, 240))))
    assert validate_question(q) == []
    return q


SETTINGS = settings(max_examples=int(os.environ.get("QB_FUZZ_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("fmt", ["json", "xlsx", "csv"])
def test_lossless_formats(fmt):
    @SETTINGS
    @given(st.lists(questions(), min_size=1, max_size=5, unique_by=lambda q: duplicate_key(q.text)))
    def check(qs):
        assert read_bytes(write_questions(qs, fmt), f"x.{fmt}").questions == qs
    check()


def _gift_safe(q):
    # GIFT cannot tell an option starting "%50%" from a weight, nor a text
    # starting with a format tag like "[html]"; Moodle has the same limits.
    return not any(o.text.startswith("%") for o in q.options) and not q.text.startswith("[")


@SETTINGS
@given(st.lists(questions().filter(_gift_safe), min_size=1, max_size=5, unique_by=lambda q: duplicate_key(q.text)))
def test_gift_keeps_text_options_explanation_topic(qs):
    back = read_bytes(write_questions(qs, "gift"), "x.gift").questions
    keep = ("text", "kind", "options", "explanation", "topic")
    assert [[getattr(q, k) for k in keep] for q in back] == [[getattr(q, k) for k in keep] for q in qs]


def _aiken_safe(q):
    import re
    lines = [q.text] + [o.text for o in q.options]
    return q.kind != "multiple" and not any(re.match(r"^([A-Z][.)]\s|ANSWER\s*:)", t, re.I) for t in lines)


@SETTINGS
@given(st.lists(questions(multiline=False).filter(_aiken_safe), min_size=1, max_size=5,
                unique_by=lambda q: duplicate_key(q.text)))
def test_aiken_keeps_text_options(qs):
    back = read_bytes(write_questions(qs, "aiken"), "x.txt").questions
    assert [(q.text, q.kind, q.options) for q in back] == [(q.text, q.kind, q.options) for q in qs]
