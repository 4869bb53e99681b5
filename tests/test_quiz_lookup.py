"""One `get_quiz_or_404(code)` with one normalisation (issue 13).

A quiz was looked up by its code in four places, each normalising differently: the API's quiz
info stripped spaces and capped the length, the boards and pages only upper-cased, so the same
link worked on one endpoint and was a 404 on the next. Now every public and console route finds
a quiz the same way (`quizzes.normalise_code`), and an unknown code is a 404 that says which
code was not found — a page, or JSON under /api/.
"""
from __future__ import annotations

import pytest

PUBLIC = [
    "/j/{code}", "/j/{code}/qr.svg", "/board/{code}", "/board/{code}/data.json", "/r/{code}",
    "/api/v1/quizzes/{code}", "/api/v1/quizzes/{code}/leaderboard", "/api/v1/quizzes/{code}/unit-ranking",
]


@pytest.mark.parametrize("url", PUBLIC)
@pytest.mark.parametrize("typed", ["{code}", "{lower}", "%20{lower}%20"])
def test_every_route_finds_a_quiz_by_its_code_the_same_way(client, make_quiz, url, typed):
    code = make_quiz(questions=1).code
    asked = typed.format(code=code, lower=code.lower())
    assert client.get(url.format(code=asked)).status_code == 200, asked


@pytest.mark.parametrize("url", PUBLIC)
def test_an_unknown_code_is_a_404_that_names_it(client, url):
    response = client.get(url.format(code="khongco"))
    assert response.status_code == 404
    if url.startswith("/api/"):
        error = response.get_json()["error"]
        assert error["code"] == "not_found" and "KHONGCO" not in error["message"] and "khongco" in error["message"]
    else:
        assert "Không tìm thấy đợt thi mã khongco." in response.get_data(as_text=True)


def test_a_code_longer_than_any_is_not_even_looked_up(client, app):
    from quiz.services.quizzes import find_quiz, normalise_code

    assert normalise_code("  bdhvs ") == "BDHVS" and normalise_code("x" * 17) == "" and normalise_code(None) == ""
    with app.app_context():
        assert find_quiz("x" * 5000) is None
    assert client.get("/api/v1/quizzes/" + "x" * 5000).status_code == 404
