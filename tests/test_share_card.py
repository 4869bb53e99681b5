"""The generated share card (issue 14 item 18): a 1200 × 630 PNG with the quiz title, the unit of
a poster's link and the QR of the join URL, for Zalo and Facebook previews. It shows only what
the join page shows anyone, is kept (bounded) rather than redrawn, and is rate-limited."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from PIL import Image

from quiz.extensions import db
from quiz.models import Unit
from quiz.services import share_card
from quiz.services.rankings import published as publishing

ZBARIMG = shutil.which("zbarimg")


@pytest.fixture
def quiz(make_quiz, make_unit, make_attempt, frozen_clock):
    make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật tỉnh Lai Châu", headcount=40)
    return make_quiz(questions=2, code="TUAN1", title="Tuần 1 — Tìm hiểu chuyển đổi số",
                     closes_at=frozen_clock.now() + timedelta(hours=1))


def _card(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "image/png"
    return response


def _decode(tmp_path, data: bytes) -> str:
    path = tmp_path / "card.png"
    path.write_bytes(data)
    return subprocess.run([ZBARIMG, "--raw", "-q", str(path)], capture_output=True, text=True,
                          timeout=30).stdout.strip()


def test_the_card_is_a_1200_by_630_png_whose_qr_opens_the_join_page(client, quiz, tmp_path):
    response = _card(client, "/j/TUAN1/card.png")
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)
    assert len(response.data) < 60_000  # a chat app fetches it over the same slow links
    assert response.cache_control.public and response.cache_control.max_age >= 600
    assert response.headers.get("ETag")
    again = client.get("/j/TUAN1/card.png", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    if ZBARIMG:
        assert _decode(tmp_path, response.data) == "http://quiz.test/j/TUAN1"
        assert _decode(tmp_path, _card(client, "/j/TUAN1/card.png?u=CDC").data) == "http://quiz.test/j/TUAN1?u=CDC"


def test_what_the_card_says(quiz, client, monkeypatch):
    drawn = []
    monkeypatch.setattr(share_card, "render_card", lambda card: drawn.append(card) or b"\x89PNG fake")
    client.get("/j/TUAN1/card.png?u=CDC")
    (card,) = drawn
    assert card.title == "Tuần 1 — Tìm hiểu chuyển đổi số" and card.kicker == quiz.contest.title
    assert card.unit == "Đơn vị: Trung tâm Kiểm soát bệnh tật tỉnh Lai Châu"
    assert card.code == "TUAN1" and card.url == "quiz.test/j/TUAN1?u=CDC"
    assert card.qr_data == "http://quiz.test/j/TUAN1?u=CDC"


@pytest.mark.parametrize("url", ["/j/KHONGCO/card.png", "/j/TUAN1/card.png?u=KHONGCO", "/r/contest/KHONGCO/card.png"])
def test_unknown_quiz_unit_or_contest_is_a_404(client, quiz, url):
    assert client.get(url).status_code == 404


def test_the_card_reveals_nothing_attempts_or_a_publish_would_change(client, quiz, make_attempt):
    """Same bytes before anyone took part and after attempts and a published ranking: no figure
    of the ranking, no answer, can be on it."""
    before = _card(client, "/j/TUAN1/card.png").data
    contest_before = _card(client, f"/r/contest/{quiz.contest.code}/card.png").data
    unit = db.session.scalar(db.select(Unit).filter_by(code="CDC"))
    for i in range(3):
        make_attempt(quiz, unit, full_name=f"Người {i}", score=i)
    publishing.publish_ranking(quiz=quiz)
    publishing.publish_ranking(contest=quiz.contest)
    db.session.commit()
    db.session.expire_all()
    assert _card(client, "/j/TUAN1/card.png").data == before
    assert _card(client, f"/r/contest/{quiz.contest.code}/card.png").data == contest_before


def test_cards_are_kept_not_redrawn_and_an_edit_makes_a_new_one(client, quiz, monkeypatch):
    calls = []
    real = share_card.render_card
    monkeypatch.setattr(share_card, "render_card", lambda card: calls.append(card) or real(card))
    first = _card(client, "/j/TUAN1/card.png").data
    for _ in range(5):
        assert _card(client, "/j/TUAN1/card.png").data == first
    assert len(calls) == 1
    quiz.title = "Tuần 1 — Tên mới"
    db.session.commit()
    assert _card(client, "/j/TUAN1/card.png").data != first and len(calls) == 2


def test_the_kept_cards_are_bounded(app, client, make_quiz, monkeypatch):
    from quiz.cache import Cache, get_cache
    from quiz.views import qr as qr_views
    assert get_cache(qr_views.CARDS, app=app).size == qr_views.CARD_CACHE_SIZE  # as create_app registers it
    monkeypatch.setitem(app.extensions["caches"], qr_views.CARDS, Cache(size=3, enabled=True))
    monkeypatch.setattr(share_card, "render_card", lambda card: card.code.encode())
    for n in range(6):
        quiz = make_quiz(questions=1, code=f"GIOIHAN{n}")
        client.get(f"/j/{quiz.code}/card.png")
    with app.app_context():
        assert len(get_cache(qr_views.CARDS)) == 3


@pytest.mark.parametrize("url, card", [("/j/TUAN1", "/j/TUAN1/card.png"), ("/j/TUAN1?u=CDC", "/j/TUAN1/card.png?u=CDC"),
                                       ("/r/TUAN1", "/j/TUAN1/card.png"), ("/board/TUAN1", "/j/TUAN1/card.png")])
def test_pages_point_their_open_graph_image_at_the_card(client, quiz, url, card):
    publishing.publish_ranking(quiz=quiz)
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert f'<meta property="og:image" content="http://quiz.test{card}">' in page
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta property="og:image:height" content="630">' in page
    assert '<meta property="og:image:type" content="image/png">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    image = re.search(r'property="og:image" content="http://quiz\.test([^"]+)"', page).group(1)
    _card(client, image.replace("&amp;", "&"))


def test_the_contest_page_has_its_own_card(client, quiz):
    code = quiz.contest.code
    publishing.publish_ranking(contest=quiz.contest)
    db.session.commit()
    page = client.get(f"/r/contest/{code}").get_data(as_text=True)
    assert f'<meta property="og:image" content="http://quiz.test/r/contest/{code}/card.png">' in page
    assert Image.open(io.BytesIO(_card(client, f"/r/contest/{code}/card.png").data)).size == (1200, 630)


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        app_config.update({"QUIZ_RATELIMIT_ENABLED": True, "QUIZ_RATELIMIT_CARD": "3 per minute"})
        return app_config

    def test_one_address_cannot_ask_for_cards_without_end(self, client, quiz):
        codes = [client.get("/j/TUAN1/card.png", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code
                 for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert client.get("/j/TUAN1/card.png", environ_base={"REMOTE_ADDR": "10.0.0.10"}).status_code == 200


class TestKeptJoinPage:
    @pytest.fixture
    def app_config(self, app_config):
        app_config.update({"JOIN_PAGE_CACHE_S": 60})
        return app_config

    def test_a_kept_join_page_carries_each_posters_unit_in_its_card(self, app, quiz):
        pages = [app.test_client().get(url).get_data(as_text=True) for url in ("/j/TUAN1", "/j/TUAN1?u=CDC", "/j/TUAN1")]
        assert 'content="http://quiz.test/j/TUAN1/card.png"' in pages[0]
        assert 'content="http://quiz.test/j/TUAN1/card.png?u=CDC"' in pages[1]
        assert 'property="og:url" content="http://quiz.test/j/TUAN1?u=CDC"' in pages[1]
        assert "?u=CDC" not in pages[2]
