import json
from importlib import resources

import pytest

from question_bank import duplicate_key, find_duplicates, starter_sets, validate_question
from question_bank.formats import jsonfmt


@pytest.fixture(scope="module")
def sets():
    return starter_sets()


def test_six_sets_sorted_by_file_name(sets):
    files = sorted(e.name for e in (resources.files("question_bank") / "starter").iterdir() if e.name.endswith(".json"))
    assert len(files) == 6 == len(sets)
    names = [json.loads((resources.files("question_bank") / "starter" / f).read_text("utf-8"))["set"]["name"]
             for f in files]
    assert [name for name, _ in sets] == names
    assert all(name for name in names)


def test_every_question_validates(sets):
    bad = [(name, n, err) for name, qs in sets for n, q in enumerate(qs, 1) for err in validate_question(q)]
    assert bad == []


def test_at_least_240_questions_in_six_topics(sets):
    questions = [q for _, qs in sets for q in qs]
    assert len(questions) >= 240
    assert len({q.topic for q in questions}) == 6
    assert all(q.topic for q in questions)


@pytest.mark.parametrize("index", range(6))
def test_each_set_has_every_difficulty_and_kind(sets, index):
    _name, qs = sets[index]
    assert {q.difficulty for q in qs} == {1, 2, 3}
    assert {q.kind for q in qs} == {"single", "multiple", "true_false"}


def test_every_question_has_explanation_and_source(sets):
    missing = [(name, q.text[:50]) for name, qs in sets for q in qs if not q.explanation or not q.source]
    assert missing == []


def test_no_duplicates_across_sets(sets):
    questions = [q for _, qs in sets for q in qs]
    assert find_duplicates(questions) == []
    assert len({duplicate_key(q.text) for q in questions}) == len(questions)


def test_files_are_stored_normalised(sets):
    """What is bundled is exactly what an import would store (NFC, trimmed)."""
    folder = resources.files("question_bank") / "starter"
    for entry in sorted(e for e in folder.iterdir() if e.name.endswith(".json")):
        raw = json.loads(entry.read_text("utf-8"))["questions"]
        loaded = dict(sets)[json.loads(entry.read_text("utf-8"))["set"]["name"]]
        for item, q in zip(raw, loaded):
            expected = jsonfmt.to_dict(q)
            item.setdefault("time_limit_s", None)
            assert item == expected, entry.name
