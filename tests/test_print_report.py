"""The A4 print pages (ranking report, QR posters): fonts the app serves itself, and a report
that says what it prints — the published version, or live figures (issue 14 item 15)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quiz.extensions import db
from quiz.fonts import font_files
from quiz.services.rankings import published as publishing


@pytest.fixture
def seeded(make_quiz, make_unit, make_attempt, frozen_clock):
    unit = make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật", headcount=4)
    quiz = make_quiz(questions=3, code="TUAN3", title="Tuần 3 — Kỹ năng số",
                     closes_at=frozen_clock.now() + timedelta(hours=1))
    make_attempt(quiz, unit, full_name="Nguyễn Thị Lan", identity="0912345678", score=3, duration_ms=95_500)
    make_attempt(quiz, unit, full_name="Trần Văn Bình", identity="0987654321", score=2, duration_ms=120_000)
    return quiz


def _print(client, query: str = "") -> str:
    response = client.get(f"/admin/quizzes/TUAN3/rankings/export.print{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_served_font_comes_from_its_package_with_long_caching(client):
    for name, path in font_files().items():
        response = client.get(f"/fonts/{name}")
        assert response.status_code == 200, name
        assert response.mimetype == "font/ttf"
        assert response.data == path.read_bytes()
        assert response.cache_control.max_age >= 30 * 86400 and response.cache_control.public
        assert response.headers.get("ETag")
        response.close()  # a file response: the test client leaves it open
        again = client.get(f"/fonts/{name}", headers={"If-None-Match": response.headers["ETag"]})
        again.close()
        assert again.status_code == 304


@pytest.mark.parametrize("name", ["DejaVuSans.ttf", "..%2F..%2Fquiz%2Fconfig.py", "SourceSansPro-It.ttf",
                                  "%2Fetc%2Fpasswd", "SourceSansPro-Regular.otf"])
def test_only_the_listed_fonts_are_served(client, name):
    assert client.get(f"/fonts/{name}").status_code == 404


def test_print_pages_name_only_the_fonts_the_app_serves(client, login_as, seeded):
    login_as("admin")
    for page in (_print(client), client.get("/admin/quizzes/TUAN3/posters").get_data(as_text=True)):
        served = set(re.findall(r'url\("/fonts/([^"]+)"\)', page))
        assert served == set(font_files())
        for name in served:
            response = client.get(f"/fonts/{name}")
            response.close()
            assert response.status_code == 200
    css = ""
    for sheet in ("app.css", "admin.css"):
        with client.get(f"/static/css/{sheet}") as response:
            css += response.get_data(as_text=True)
    for absent in ("Times New Roman", "Noto Serif", "Liberation"):
        assert absent not in css
    report_rule = re.search(r"\.report \{[^}]*\}", css).group(0)
    assert '"Source Serif Pro"' in report_rule


def test_before_any_publish_the_report_says_it_is_live_and_unpublished(client, login_as, seeded):
    login_as("admin")
    page = _print(client)
    assert "Kết quả trực tiếp (chưa công bố)" in page and "KẾT QUẢ TẠM THỜI" in page


def test_right_after_a_publish_the_report_prints_the_published_version(client, login_as, seeded, make_attempt,
                                                                      frozen_clock):
    login_as("admin")
    publishing.publish_ranking(quiz=seeded)
    db.session.commit()
    make_attempt(seeded, None, full_name="Đến Sau Công Bố", score=3, duration_ms=10_000)
    page = _print(client)
    assert "chưa công bố" not in page
    assert "Công bố lần 1 lúc" in page and "KẾT QUẢ TẠM THỜI" in page
    assert "Nguyễn Thị Lan" in page and "Đến Sau Công Bố" not in page  # as frozen
    live = _print(client, "?source=current")
    assert "Đến Sau Công Bố" in live and "chưa công bố" not in live
    assert "Số liệu trực tiếp" in live and "lần 1" in live  # says which publication it may differ from

    frozen_clock.advance(hours=2)  # closed: the official ranking, published as version 2
    publishing.publish_ranking(quiz=seeded)
    db.session.commit()
    page = _print(client)
    assert "Công bố lần 2 lúc" in page and "KẾT QUẢ CHÍNH THỨC" in page and "KẾT QUẢ TẠM THỜI" not in page
    assert "Công bố lần 1 lúc" in _print(client, "?v=1")
    assert client.get("/admin/quizzes/TUAN3/rankings/export.print?v=9").status_code == 404
    assert client.get("/admin/quizzes/TUAN3/rankings/export.print?source=nope").status_code == 400


def test_a_question_with_an_image_shows_it_small_in_the_report(client, login_as, seeded):
    """Issue 15: the print report's question section shows a question's picture as a thumbnail
    (with its alt text), and names the options that carry one."""
    from quiz.services import media as media_service
    from tests import media_files
    login_as("admin")
    questions = sorted(seeded.draw_rules[0].question_set.questions, key=lambda q: q.id)
    media = media_service.store_image(media_files.png(900, 600), "vneid.png")
    questions[0].image_sha256, questions[0].image_alt = media.sha256, "Biểu tượng ứng dụng VNeID"
    option = media_service.store_image(media_files.small_png(), "a.png", slot="option")
    questions[1].options[0].image_sha256, questions[1].options[0].image_alt = option.sha256, "Ổ khoá"
    db.session.commit()
    page = _print(client)
    assert "III. Thống kê câu hỏi" in page
    thumbs = re.findall(r'<img class="report-thumb" src="([^"]+)" alt="([^"]*)"', page)
    assert thumbs == [(f"/m/{media.sha256}.webp", "Biểu tượng ứng dụng VNeID")]
    assert "Ảnh ở phương án A" in page
    with client.get(thumbs[0][0]) as image:
        assert image.status_code == 200
