"""The participant pages without JavaScript: join, one form post per question, submit, result."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quiz.extensions import db
from quiz.models import Answer, Attempt


@pytest.fixture
def quiz(make_quiz, make_unit, frozen_clock):
    parent = make_unit(code="SYT", name="Đảng bộ Sở Y tế", headcount=None)
    make_unit(code="TTYT-TD", name="Trung tâm Y tế Tam Đường", parent=parent)
    return make_quiz(questions=3, code="TUAN1", title="Tuần 1 — Tìm hiểu chuyển đổi số", prediction="count")


def form_data(**overrides):
    data = {"full_name": "Lò Văn Minh", "unit_code": "TTYT-TD", "identity": "0912 345 678",
            "prediction": "42", "consent": "y"}
    data.update(overrides)
    return data


def test_join_page_shows_rules_and_the_indented_unit_tree(client, quiz):
    response = client.get("/j/tuan1?u=ttyt-td")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tuần 1 — Tìm hiểu chuyển đổi số" in html and "Đang mở" in html
    assert re.search(r"<strong>3</strong>\s*câu hỏi", html) and re.search(r"<strong>10</strong>\s*phút", html)
    assert '<option value="SYT">Đảng bộ Sở Y tế</option>' in html
    assert '<option selected value="TTYT-TD">\u00a0\u00a0\u00a0Trung tâm Y tế Tam Đường</option>' in html
    assert 'name="prediction"' in html and "bao nhiêu người trả lời đúng tất cả" in html
    assert 'name="consent"' in html and 'name="other_unit"' not in html


def test_other_unit_only_when_allowed(client, make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC")
    make_quiz(code="KHAC", allow_other_unit=True)
    html = client.get("/j/KHAC").get_data(as_text=True)
    assert 'name="other_unit"' in html and 'value="__other__"' in html
    response = client.post("/j/KHAC", data=form_data(unit_code="__other__", other_unit="UBND xã Bản Bo", prediction=""))
    assert response.status_code == 302
    attempt = db.session.scalar(db.select(Attempt))
    assert attempt.participant.other_unit == "UBND xã Bản Bo" and attempt.participant.unit is None


def test_states_upcoming_and_closed(client, make_quiz, make_unit, frozen_clock):
    make_quiz(code="SOON", opens_at=frozen_clock.at + timedelta(hours=2), closes_at=frozen_clock.at + timedelta(days=1))
    make_quiz(code="PAST", opens_at=frozen_clock.at - timedelta(days=2), closes_at=frozen_clock.at - timedelta(days=1))
    soon = client.get("/j/SOON").get_data(as_text=True)
    assert "Sắp mở" in soon and 'data-countdown="7200"' in soon and 'name="full_name"' not in soon
    past = client.get("/j/PAST").get_data(as_text=True)
    assert "Đã kết thúc" in past and 'href="/r/PAST"' in past and 'name="full_name"' not in past
    assert client.get("/j/NOPE").status_code == 404


def test_registration_errors_are_shown_per_field(client, quiz):
    response = client.post("/j/TUAN1", data=form_data(full_name="", identity="123", consent="", prediction="x"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Bắt buộc nhập." in html and "Số điện thoại không hợp lệ." in html
    assert "Bạn cần đồng ý" in html and "Câu trả lời dự đoán phải là một số." in html
    assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 0


def test_whole_journey_without_javascript(client, quiz, frozen_clock):
    response = client.post("/j/TUAN1", data=form_data())
    assert response.status_code == 302
    attempt_url = response.headers["Location"]
    token = attempt_url.rsplit("/", 1)[1]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get(attempt_url).get_data(as_text=True)
    assert page.count('<form class="q"') == 3 and page.count(" hidden>") >= 2
    attempt = db.session.scalar(db.select(Attempt).filter_by(token=token))
    first = attempt.questions[0]
    correct = next(o.id for o in first.question.options if o.is_correct)
    response = client.post(f"/a/{token}/q/1", data={"option": str(correct), "nav": "next"})
    assert response.headers["Location"].endswith(f"/a/{token}?q=2")
    assert "✓ Đã lưu" in client.get(f"/a/{token}?q=1").get_data(as_text=True)
    response = client.post(f"/a/{token}/q/3", data={"nav": "next"})
    assert response.headers["Location"].endswith(f"/a/{token}/submit")
    confirm = client.get(f"/a/{token}/submit").get_data(as_text=True)
    assert "Còn câu 2, 3 chưa trả lời." in confirm
    frozen_clock.advance(seconds=95)
    response = client.post(f"/a/{token}/submit")
    assert response.headers["Location"].endswith(f"/a/{token}/result")
    result = client.get(f"/a/{token}/result").get_data(as_text=True)
    assert re.search(r"<strong>1</strong>/3", result)
    assert "1:35" in result and "Dự đoán của bạn" in result and ">42<" in result
    assert "Xem lại bài làm" not in result and "sau khi đợt thi kết thúc" in result  # not while open
    frozen_clock.advance(days=2)
    result = client.get(f"/a/{token}/result").get_data(as_text=True)
    assert "Xem lại bài làm" in result and "đáp án đúng" in result
    # a finished attempt sends the attempt page to the result
    assert client.get(f"/a/{token}").headers["Location"].endswith(f"/a/{token}/result")


def test_same_phone_cookie_resumes(client, app, quiz):
    token = client.post("/j/TUAN1", data=form_data()).headers["Location"].rsplit("/", 1)[1]
    html = client.get("/j/TUAN1").get_data(as_text=True)
    assert "Bạn đang làm dở bài thi." in html and f"/a/{token}" in html
    assert 'name="full_name"' not in html
    other_phone = app.test_client()
    assert "Bạn đang làm dở" not in other_phone.get("/j/TUAN1").get_data(as_text=True)
    response = other_phone.post("/j/TUAN1", data=form_data(identity="+84 912 345 678"))
    assert response.headers["Location"].endswith(f"/a/{token}")


def test_answers_after_deadline_redirect_to_result(client, quiz, frozen_clock):
    token = client.post("/j/TUAN1", data=form_data()).headers["Location"].rsplit("/", 1)[1]
    frozen_clock.advance(seconds=600 + 11)
    response = client.post(f"/a/{token}/q/1", data={"option": "1", "nav": "next"})
    assert response.headers["Location"].endswith(f"/a/{token}/result")
    assert db.session.scalar(db.select(Attempt.finalised_by)) == "deadline"
    assert db.session.scalar(db.select(db.func.count(Answer.id))) == 0


def test_a_submit_after_the_grace_says_time_was_up_and_shows_the_saved_answers_scored(client, quiz, frozen_clock):
    token = client.post("/j/TUAN1", data=form_data()).headers["Location"].rsplit("/", 1)[1]
    option = re.search(r'name="option" value="(\d+)"', client.get(f"/a/{token}").get_data(as_text=True)).group(1)
    client.post(f"/a/{token}/q/1", data={"option": option, "nav": "next"})
    frozen_clock.advance(seconds=600 + 11)
    response = client.post(f"/a/{token}/submit", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.request.path == f"/a/{token}/result"
    assert "Đã hết giờ làm bài nên không thể nộp nữa" in html
    attempt = db.session.scalar(db.select(Attempt))
    assert attempt.finalised_by == "deadline" and len(attempt.answers) == 1


def test_a_submit_in_time_has_no_time_up_message(client, quiz):
    token = client.post("/j/TUAN1", data=form_data()).headers["Location"].rsplit("/", 1)[1]
    html = client.post(f"/a/{token}/submit", follow_redirects=True).get_data(as_text=True)
    assert "Đã hết giờ làm bài" not in html and "tự nộp khi hết giờ" not in html


def test_csrf_is_required_on_participant_forms(app, quiz):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert client.post("/j/TUAN1", data=form_data()).status_code == 400
    html = client.get("/j/TUAN1").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/j/TUAN1", data={**form_data(), "csrf_token": csrf})
    token = response.headers["Location"].rsplit("/", 1)[1]
    assert client.post(f"/a/{token}/q/1", data={"option": "1"}).status_code == 400
    assert client.post(f"/a/{token}/submit").status_code == 400
    assert db.session.scalar(db.select(Attempt.submitted_at)) is None


def test_join_page_weight_and_no_other_host(client, quiz):
    """First screen under 60 KB: the HTML plus every stylesheet, script and icon it loads."""
    html = client.get("/j/TUAN1").get_data(as_text=True)
    assets = re.findall(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"', html)
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))], assets
    assert "/static/js/play.js" in assets and "/static/css/app.css" in assets
    total = len(html.encode())
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        total += len(response.get_data())
        response.close()
    assert total < 60 * 1024, total
