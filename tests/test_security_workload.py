"""Uploads that would tie up a worker are refused fast, with a message (issue 12, item 12).

Found: a 1 MB GIFT of `~%` repeated took 13 s and built a 99 MB preview page (half a million
options, one error each); a units CSV with a 6,000-level parent chain took 19.5 s (every unit
walked to the root, twice). The work is bounded now: options per question, questions per file and
errors listed (question_bank), rows shown in the preview, depth of the unit tree.
"""
from __future__ import annotations

import json
import time

import pytest

from question_bank import QuestionBankError, read_bytes
from question_bank.schema import MAX_OPTIONS_READ, MAX_PROBLEMS
from quiz.extensions import db
from quiz.models import Question, Unit
from quiz.services.units import MAX_DEPTH
from tests.test_security_uploads import upload

GIFT_BOMB = b"Q? {" + b"~%" * 500_000 + b"}"  # 1 MB: half a million options
FAST = 2.0  # seconds; the attack took 13 s and 19.5 s


def _timed(call):
    """The call's result and the CPU seconds this process spent on it (the test client runs the
    app in-process): what a worker gives to the request, steady on a machine shared by others."""
    started = time.process_time()
    result = call()
    return result, time.process_time() - started


def _refused(data: bytes, name: str) -> QuestionBankError:
    with pytest.raises(QuestionBankError) as caught:
        read_bytes(data, name)
    return caught.value


def test_gift_with_half_a_million_options_is_refused_fast():
    error, elapsed = _timed(lambda: _refused(GIFT_BOMB, "bom.gift"))
    assert elapsed < FAST
    assert len(error.problems) == 1 and "500000 phương án" in str(error)
    assert len(str(error)) < 1000


def test_json_question_with_too_many_options_is_refused_fast():
    question = {"text": "Câu?", "kind": "single", "options": [{"text": f"p{i}", "correct": i == 0}
                                                              for i in range(40_000)]}  # ~1 MB
    data = json.dumps({"version": 1, "questions": [question]}).encode()
    error, elapsed = _timed(lambda: _refused(data, "bom.json"))
    assert elapsed < FAST and len(error.problems) == 1 and "phương án" in str(error)


def test_errors_listed_are_bounded():
    """20,000 broken questions: the first MAX_PROBLEMS errors and one line saying how many more."""
    blocks = "\n\n".join(f"Câu {i}? {{=a ~a ~a ~a ~a}}" for i in range(20_000))  # options all the same
    error = _refused(blocks.encode(), "lap.gift")
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert "lỗi khác" in error.problems[-1].message


def test_console_preview_of_the_gift_bomb_is_small_and_fast(client, login_as):
    login_as("admin")
    response, elapsed = _timed(lambda: upload(client, "/admin/bank/import", "bom.gift", GIFT_BOMB))
    assert response.status_code == 422 and elapsed < FAST
    assert len(response.data) < 100_000 and "phương án" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0


def test_preview_of_a_large_valid_file_shows_a_bounded_number_of_rows(client, login_as):
    login_as("admin")
    aiken = "\n\n".join(f"Câu hỏi số {i} về chuyển đổi số?\nA. Có\nB. Không\nANSWER: A" for i in range(3_000))
    response = upload(client, "/admin/bank/import", "nhieu.txt", aiken.encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Câu hỏi số 2999" not in page and "Câu hỏi số 0" in page
    assert "2.800" in page or "2800" in page  # "… and 2,800 more questions, not shown"


def _chain_csv(levels: int) -> bytes:
    rows = ["code,name,parent_code,headcount"] + [
        f"U{i},Đơn vị {i},{f'U{i - 1}' if i else ''},1" for i in range(levels)]
    return "\n".join(rows).encode()


def test_units_csv_with_a_6000_level_chain_is_refused_fast(client, login_as):
    login_as("admin")
    response, elapsed = _timed(lambda: upload(client, "/admin/units/import", "chuoi.csv", _chain_csv(6000)))
    assert response.status_code == 422 and elapsed < FAST
    assert f"{MAX_DEPTH} cấp" in response.get_data(as_text=True) and len(response.data) < 200_000
    assert db.session.scalar(db.select(db.func.count()).select_from(Unit)) == 0


def test_units_cli_refuses_a_deep_chain_fast(runner, app, tmp_path):
    path = tmp_path / "chuoi.csv"
    path.write_bytes(_chain_csv(6000))
    result, elapsed = _timed(lambda: runner.invoke(args=["units", "import", str(path)]))
    assert result.exit_code != 0 and elapsed < FAST and f"{MAX_DEPTH} cấp" in result.output


def test_units_csv_at_the_depth_limit_is_accepted(client, login_as):
    login_as("admin")
    response = upload(client, "/admin/units/import", "chuoi.csv", _chain_csv(MAX_DEPTH))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    too_deep = upload(client, "/admin/units/import", "chuoi.csv", _chain_csv(MAX_DEPTH + 1))
    assert too_deep.status_code == 422


def test_unit_form_cannot_make_the_tree_deeper_than_the_limit(client, login_as, make_unit):
    login_as("admin")
    parent = None
    for level in range(MAX_DEPTH):
        parent = make_unit(code=f"L{level}", parent=parent)
    response = client.post("/admin/units/new", data={"code": "SAUQUA", "name": "Sâu quá", "parent_id": str(parent.id)})
    assert response.status_code == 422 and f"{MAX_DEPTH} cấp" in response.get_data(as_text=True)
    other = make_unit(code="GOC")
    child = make_unit(code="CON", parent=other)
    make_unit(code="CHAU", parent=child)
    moved = client.post(f"/admin/units/{other.id}", data={"code": "GOC", "name": other.name,
                                                           "parent_id": str(parent.id)})
    assert moved.status_code == 422 and f"{MAX_DEPTH} cấp" in moved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, other.id).parent_id is None
