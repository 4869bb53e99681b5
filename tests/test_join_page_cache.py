"""The join page is rendered once for a crowd of first-time visitors; each still gets a working
CSRF token of their own, and anyone with a cookie gets a page rendered for them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quiz.views.play import join as join_view

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def crowd_app(app, make_app, make_quiz, make_unit):
    make_unit(code="K1", name="Khoa Một")
    make_unit(code="K2", name="Khoa Hai")
    quiz = make_quiz(questions=3, code="DONG")
    assert quiz.state == "open"
    return make_app({**app.config, "WTF_CSRF_ENABLED": True, "JOIN_PAGE_CACHE_S": 60}, name="crowd")


def registration(token: str, n: int) -> dict:
    return {"csrf_token": token, "full_name": f"Người thi {n}", "unit_code": "K1",
            "identity": f"09123456{n:02d}", "consent": "y"}


def test_first_visitors_share_one_rendering_with_their_own_csrf_tokens(crowd_app, monkeypatch):
    renders = []
    original = join_view.render_template
    monkeypatch.setattr(join_view, "render_template", lambda *a, **k: renders.append(1) or original(*a, **k))
    phones = [crowd_app.test_client() for _ in range(3)]
    pages = [phone.get("/j/DONG") for phone in phones]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert len(renders) == 1
    tokens = [TOKEN.search(p.get_data(as_text=True)).group(1) for p in pages]
    assert len(set(tokens)) == 3
    assert pages[1].get_data(as_text=True).replace(tokens[1], tokens[0]) == pages[0].get_data(as_text=True)
    for n, (phone, token) in enumerate(zip(phones, tokens)):
        started = phone.post("/j/DONG", data=registration(token, n))
        assert started.status_code == 302, started.get_data(as_text=True)[:300]  # the token was accepted


def test_unit_link_and_returning_visitors_are_rendered_for_them(crowd_app, monkeypatch):
    renders = []
    original = join_view.render_template
    monkeypatch.setattr(join_view, "render_template", lambda *a, **k: renders.append(1) or original(*a, **k))
    phone = crowd_app.test_client()
    plain = phone.get("/j/DONG").get_data(as_text=True)
    k2 = crowd_app.test_client().get("/j/DONG?u=k2").get_data(as_text=True)  # poster link, any case
    assert len(renders) == 1 and 'selected value="K2"' in k2 and 'selected value="K2"' not in plain
    assert k2.count("<option selected") == 1
    token = TOKEN.search(plain).group(1)
    assert phone.post("/j/DONG", data=registration(token, 7)).status_code == 302
    again = phone.get("/j/DONG").get_data(as_text=True)  # has the attempt cookie now
    assert len(renders) == 2 and "Bạn đang làm dở bài thi." in again
    assert crowd_app.test_client().get("/j/DONG?lang=en").status_code == 200 and len(renders) == 3


def test_a_poster_link_on_the_first_render_is_selected_but_not_kept(crowd_app):
    first = crowd_app.test_client().get("/j/DONG?u=K1").get_data(as_text=True)
    second = crowd_app.test_client().get("/j/DONG").get_data(as_text=True)
    assert 'selected value="K1"' in first and "<option selected" not in second


def test_a_kept_page_is_not_served_once_the_quiz_closes(app, make_app, make_quiz, make_unit, frozen_clock):
    from datetime import timedelta

    make_unit(code="K1")
    make_quiz(questions=3, code="SAPHET", closes_at=frozen_clock.now() + timedelta(minutes=5))
    crowd = make_app({**app.config, "WTF_CSRF_ENABLED": True, "JOIN_PAGE_CACHE_S": 3600}, name="closing")
    assert "Đăng ký dự thi" in crowd.test_client().get("/j/SAPHET").get_data(as_text=True)
    frozen_clock.advance(minutes=6)
    page = crowd.test_client().get("/j/saphet").get_data(as_text=True)
    assert "Đợt thi đã kết thúc, không nhận thêm bài thi." in page and "Đăng ký dự thi" not in page


def test_a_close_on_another_server_reaches_the_kept_page_at_once(crowd_app, app):
    """Two servers on one database: the page this one keeps must not outlive a close made on the other."""
    from quiz import clock
    from quiz.extensions import db
    from quiz.models import Quiz

    phone = crowd_app.test_client()
    assert "full_name" in phone.get("/j/DONG").get_data(as_text=True)  # kept, form open
    with app.app_context():  # the other server: the console's "close now"
        quiz = db.session.scalar(db.select(Quiz).filter_by(code="DONG"))
        quiz.closes_at = clock.utcnow() - timedelta(seconds=1)
        db.session.commit()
    page = crowd_app.test_client().get("/j/DONG").get_data(as_text=True)
    assert "full_name" not in page
