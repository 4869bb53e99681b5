"""Issue 14, the parts a client can hold: the organizer's landing page, number formatting by
locale, export file names, the board before publishing, the English labels."""
from __future__ import annotations


def test_organizer_login_lands_on_the_console(client, make_organizer):
    make_organizer(email="btc@syt.vn")
    response = client.post("/login", data={"email": "btc@syt.vn", "password": "mat-khau-123"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_login_still_follows_a_local_next(client, make_organizer):
    make_organizer(email="btc@syt.vn")
    response = client.post("/login?next=/admin/units", data={"email": "btc@syt.vn", "password": "mat-khau-123"})
    assert response.headers["Location"] == "/admin/units"


# --- Board, public pages, exports (items 11, 13, 14, 16) ---

from datetime import timedelta  # noqa: E402

import pytest  # noqa: E402
from flask_babel import refresh  # noqa: E402

from quiz.extensions import db  # noqa: E402
from quiz.services.rankings import published as publishing  # noqa: E402


@pytest.fixture
def ranked(make_quiz, make_unit, make_attempt, frozen_clock):
    root = make_unit(code="SYT", name="Sở Y tế", headcount=None)
    cdc = make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật", headcount=31, parent=root)
    quiz = make_quiz(questions=3, code="TUAN1", title="Tuần 1", prediction="count",
                     closes_at=frozen_clock.now() + timedelta(hours=1))
    make_attempt(quiz, cdc, full_name="Nguyễn Thị Lan", correct_count=1, max_score=3, prediction=12,
                 duration_ms=435_460)
    return quiz


def test_board_before_publishing_says_not_published_everywhere(client, ranked):
    page = client.get("/board/TUAN1?source=published").get_data(as_text=True)
    assert "KẾT QUẢ ĐÃ CÔNG BỐ" not in page
    assert "CHƯA CÔNG BỐ" in page and "Chưa công bố kết quả" in page
    assert 'data-field="finished"' not in page  # no 0 / 0 / — counters


def test_numbers_follow_the_locale(client, ranked):
    page = client.get("/board/TUAN1").get_data(as_text=True)
    assert ">3,2%<" in page and ">3.2%<" not in page  # 1 of 31, Vietnamese decimal comma
    refresh()  # the fixture's app context (and Flask-Babel's cached locale in it) spans the requests
    page = client.get("/board/TUAN1?lang=en").get_data(as_text=True)
    assert ">3.2%<" in page


def test_result_page_percent_and_time_taken(client, make_quiz, frozen_clock):
    quiz = make_quiz(questions=3, code="TUAN2")
    data = {"full_name": "Lò Thị Mai", "unit_code": "__other__", "other_unit": "Xã", "identity": "0912345678",
            "consent": "y"}
    quiz.allow_other_unit = True
    db.session.commit()
    token = client.post("/j/TUAN2", data=data).headers["Location"].rsplit("/", 1)[1]
    frozen_clock.advance(seconds=75)
    client.post(f"/a/{token}/submit")
    page = client.get(f"/a/{token}/result").get_data(as_text=True)
    assert "(0%)" in page and "1:15" in page
    refresh()
    page = client.get(f"/a/{token}/result?lang=en").get_data(as_text=True)
    assert "Time taken" in page and "Time limit" not in page and "(0%)" in page


def test_csv_exports_are_named_by_their_table(client, ranked):
    publishing.publish_ranking(quiz=ranked)
    db.session.commit()
    names = {client.get(f"/r/TUAN1/export.csv{q}").headers["Content-Disposition"] for q in ("", "?table=units")}
    assert names == {'attachment; filename="ket-qua-TUAN1-ca-nhan.csv"',
                     'attachment; filename="ket-qua-TUAN1-don-vi.csv"'}


def test_csv_prediction_has_no_padding_zeros(client, ranked):
    publishing.publish_ranking(quiz=ranked)
    db.session.commit()
    text = client.get("/r/TUAN1/export.csv").get_data(as_text=True)
    assert ",12," in text and "12.00000" not in text


def test_long_review_ends_with_a_way_back(client, make_quiz, frozen_clock):
    quiz = make_quiz(questions=3, code="TUAN3", show_review=True, allow_other_unit=True)
    data = {"full_name": "Lò Thị Mai", "unit_code": "__other__", "other_unit": "Xã", "identity": "0912345678",
            "consent": "y"}
    token = client.post(f"/j/{quiz.code}", data=data).headers["Location"].rsplit("/", 1)[1]
    client.post(f"/a/{token}/submit")
    frozen_clock.advance(days=2)  # the review comes with the close
    page = client.get(f"/a/{token}/result").get_data(as_text=True)
    tail = page[page.index('class="review-list"'):]
    assert 'href="#main"' in tail and f'href="/r/{quiz.code}"' in tail


def test_share_cards_and_the_share_button(client, ranked):
    publishing.publish_ranking(quiz=ranked)
    db.session.commit()
    for url in ("/j/TUAN1", "/r/TUAN1", "/board/TUAN1"):
        page = client.get(url).get_data(as_text=True)
        assert '<meta property="og:title"' in page and 'property="og:image" content="http://quiz.test/j/TUAN1/card.png"' in page, url
    assert "data-share" in client.get("/r/TUAN1").get_data(as_text=True)


def test_result_page_shares_the_join_link_not_its_token(client, make_quiz):
    quiz = make_quiz(questions=2, code="TUAN4", allow_other_unit=True)
    data = {"full_name": "Lò Thị Mai", "unit_code": "__other__", "other_unit": "Xã", "identity": "0912345678",
            "consent": "y"}
    token = client.post(f"/j/{quiz.code}", data=data).headers["Location"].rsplit("/", 1)[1]
    client.post(f"/a/{token}/submit")
    page = client.get(f"/a/{token}/result").get_data(as_text=True)
    assert 'data-share data-url="http://quiz.test/j/TUAN4"' in page
    assert page.count(token) == page.count(f"/a/{token}")  # the token only in the page's own links
    assert f'data-url="http://quiz.test/a/{token}' not in page
