"""Text typed by organizers and participants is shown as text on every page, never run as HTML."""
import pytest

from quiz.extensions import db
from quiz.models import Option, Question, Unit
from quiz.services.rankings.published import publish_ranking

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert("


@pytest.fixture
def hostile(client, make_quiz, make_unit, login_as, frozen_clock):
    """A quiz whose question, options, explanation, unit and participant name all carry a payload,
    with one submitted attempt, and an admin logged in."""
    make_unit(code="XSS", name="Đơn vị " + PAYLOAD)
    quiz = make_quiz(questions=1, code="XSS1", show_review=True, title="Đợt " + PAYLOAD)
    question = db.session.scalar(db.select(Question).where(Question.set_id == quiz.draw_rules[0].set_id))
    question.text = "Câu hỏi " + PAYLOAD
    question.explanation = "Giải thích " + PAYLOAD
    for option in question.options:
        option.text = f"{option.position} {PAYLOAD}"
    db.session.commit()
    started = client.post("/api/v1/quizzes/XSS1/attempts", json={
        "full_name": "Người " + PAYLOAD, "unit_code": "XSS", "identity": "0912345678", "consent": True})
    assert started.status_code == 201, started.get_json()
    token = started.get_json()["attempt_id"]
    first = started.get_json()["questions"][0]
    client.put(f"/api/v1/attempts/{token}/answers/{first['id']}", json={"option_ids": [first["options"][0]["id"]]})
    admin = login_as("admin")
    publish_ranking(quiz=quiz, actor=admin)
    db.session.commit()
    return quiz, token


def assert_escaped(page: str, url: str) -> None:
    assert "<script>alert" not in page, url
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", ""), url
    assert ESCAPED in page, f"{url} does not show the text at all, so this check proves nothing"


def test_payloads_are_escaped_on_participant_pages(client, hostile):
    quiz, token = hostile
    for url in (f"/j/{quiz.code}", f"/a/{token}"):
        assert_escaped(client.get(url).get_data(as_text=True), url)
    client.post(f"/api/v1/attempts/{token}/submit")
    assert_escaped(client.get(f"/a/{token}/result").get_data(as_text=True), "result")


def test_payloads_are_escaped_on_public_and_organizer_pages(client, hostile):
    quiz, token = hostile
    client.post(f"/api/v1/attempts/{token}/submit")
    for url in (f"/r/{quiz.code}", f"/board/{quiz.code}", "/", "/admin/bank", "/admin/units",
                f"/admin/quizzes/{quiz.code}", f"/admin/quizzes/{quiz.code}/rankings",
                f"/admin/quizzes/{quiz.code}/rankings/export.print", f"/admin/quizzes/{quiz.code}/monitor",
                f"/admin/quizzes/{quiz.code}/posters"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.get_data(as_text=True), url)


# --- Exports, the board's JSON, the console's JSON: the payload is data, never markup ----------

HTML_SINKS = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")


def test_board_json_carries_the_payload_as_inert_data(client, hostile):
    quiz, token = hostile
    client.post(f"/api/v1/attempts/{token}/submit")
    for url in (f"/board/{quiz.code}/data.json", f"/board/{quiz.code}/data.json?source=published",
                f"/admin/quizzes/{quiz.code}/monitor.json"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "application/json" and response.headers["X-Content-Type-Options"] == "nosniff"
        text = str(response.get_json())
        assert PAYLOAD in text, f"{url}: the payload must come back exactly as typed (text, not HTML)"


def test_the_scripts_that_render_json_use_text_nodes_only():
    """board.js, monitor.js and play.js put server text on the page with textContent; an HTML
    sink would turn a name from the JSON into markup."""
    from pathlib import Path
    folder = Path(__file__).resolve().parent.parent / "static" / "js"
    scripts = sorted(folder.glob("*.js"))
    assert any(p.name == "board.js" for p in scripts)
    for path in scripts:
        source = path.read_text(encoding="utf-8")
        for sink in HTML_SINKS:
            for line in source.splitlines():
                if sink in line:
                    assert sink == "innerHTML" and '.innerHTML = ""' in line, f"{path.name}: {line.strip()}"


def test_csv_and_xlsx_exports_hold_the_payload_as_plain_text(client, hostile):
    import csv
    import io

    from openpyxl import load_workbook

    quiz, token = hostile
    client.post(f"/api/v1/attempts/{token}/submit")
    assert client.post(f"/admin/quizzes/{quiz.code}/rankings/publish").status_code == 302  # public exports: published
    for url in (f"/admin/quizzes/{quiz.code}/rankings/export.csv", f"/r/{quiz.code}/export.csv",
                f"/admin/quizzes/{quiz.code}/rankings/export.csv?table=units",
                f"/admin/contests/{quiz.contest_id}/rankings/export.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "text/csv" and response.headers["Content-Disposition"].startswith("attachment")
        cells = {c for row in csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))) for c in row}
        assert any(PAYLOAD in c for c in cells), url
        assert not any(ESCAPED in c for c in cells), f"{url}: HTML-escaped text in a CSV would show as &lt;…"
    for url in (f"/admin/quizzes/{quiz.code}/rankings/export.xlsx", f"/r/{quiz.code}/export.xlsx",
                f"/admin/contests/{quiz.contest_id}/rankings/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
        workbook = load_workbook(io.BytesIO(response.data))
        texts = [c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str)]
        assert sum(PAYLOAD in t for t in texts) >= 3, url  # title, participant, unit
        assert not any(ESCAPED in t for t in texts), url


def test_bank_exports_hold_the_payload_as_plain_text(client, hostile):
    quiz, _token = hostile
    set_id = quiz.draw_rules[0].set_id
    for fmt in ("csv", "xlsx", "gift", "aiken", "json"):
        response = client.get(f"/admin/bank/sets/{set_id}/export/{fmt}")
        assert response.status_code == 200, fmt
        assert response.headers["Content-Disposition"].startswith("attachment"), fmt
        assert response.mimetype != "text/html" and response.headers["X-Content-Type-Options"] == "nosniff"
        if fmt != "xlsx":
            assert "<script>alert" in response.get_data(as_text=True) or "\\u003cscript" in response.get_data(as_text=True)


def test_every_page_forbids_inline_script(client, hostile):
    """The Content-Security-Policy makes an escaping mistake harmless: no inline script runs."""
    quiz, token = hostile
    for url in (f"/j/{quiz.code}", f"/a/{token}", f"/board/{quiz.code}", "/admin/bank",
                f"/admin/quizzes/{quiz.code}/rankings/export.print"):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
        page = response.get_data(as_text=True)
        assert " onclick=" not in page and "<script>" not in page, url


def test_hsts_only_when_the_site_runs_on_https(app_config, make_app, client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = make_app({**app_config, "SESSION_COOKIE_SECURE": True}, name="https").test_client()
    assert secure.get("/healthz").headers["Strict-Transport-Security"] == "max-age=31536000"
