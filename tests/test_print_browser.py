"""The A4 report in Chromium: it renders in the font the app serves (never a machine's fallback),
prints the latest publication, shows a question's picture small; and the share card as a chat app
fetches it. Screenshots: print-report.png (the PDF's first page), share-card.png."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from quiz.extensions import db
from quiz.models import Attempt, AttemptQuestion, Question, Quiz
from quiz.services import media as media_service
from quiz.services.rankings import published as publishing

from . import media_files
from .test_rankings_browser import seed

pytestmark = pytest.mark.browser


def _with_questions_and_a_picture(app) -> None:
    """The seeded attempts drew the ten questions (the seed stores only their totals); the first
    question gets a picture, the second a picture on option A; then publication 2."""
    with app.app_context():
        quiz = db.session.scalar(db.select(Quiz).filter_by(code="TUAN1"))
        questions = list(db.session.scalars(db.select(Question).order_by(Question.id)))
        shield = media_service.store_image(media_files.picture(720, 420, (31, 95, 174), "VNeID"), "vneid.png")
        questions[0].text = "Biểu tượng trong ảnh là của ứng dụng nào?"
        questions[0].image_sha256, questions[0].image_alt = shield.sha256, "Biểu tượng khiên xanh có chữ VNeID"
        lock = media_service.store_image(media_files.small_png((0, 128, 0)), "o-khoa.png", slot="option")
        questions[1].options[0].image_sha256, questions[1].options[0].image_alt = lock.sha256, "Ổ khoá xanh"
        for attempt in db.session.scalars(db.select(Attempt).where(Attempt.quiz_id == quiz.id)):
            for position, question in enumerate(questions):
                db.session.add(AttemptQuestion(attempt=attempt, question=question, position=position,
                                               option_order=",".join(str(o.id) for o in question.options)))
        db.session.flush()
        publishing.publish_ranking(quiz=quiz, note="Kết quả cả ngày")
        db.session.commit()


def test_the_report_prints_in_the_served_font_with_its_thumbnails(live_app, live_server, browser, tmp_path):
    code = seed(live_app, attempts=25)
    _with_questions_and_a_picture(live_app)
    context = browser.new_context(viewport={"width": 794, "height": 1123}, locale="vi-VN")
    page = context.new_page()
    fonts = []
    page.on("response", lambda r: fonts.append((r.url.rsplit("/", 1)[1], r.status)) if "/fonts/" in r.url else None)
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "admin@example.vn")
    page.fill("input[name=password]", "mat-khau-123")
    page.click("button[type=submit]")
    page.goto(f"{live_server}/admin/quizzes/{code}/rankings/export.print")
    page.evaluate("document.fonts.ready")
    assert page.evaluate("""() => [...document.fonts].filter(f => f.family.includes('Source Serif Pro'))
        .map(f => f.status)""") == ["loaded", "loaded"]
    assert sorted(fonts) == [("SourceSerifPro-Bold.ttf", 200), ("SourceSerifPro-Regular.ttf", 200)]
    status = page.locator(".report-status").inner_text()
    assert status == "KẾT QUẢ TẠM THỜI" and "Công bố lần 2 lúc" in page.locator(".report-line").last.inner_text()
    thumb = page.locator("img.report-thumb")
    assert thumb.count() == 1 and thumb.get_attribute("alt") == "Biểu tượng khiên xanh có chữ VNeID"
    assert page.evaluate("document.querySelector('img.report-thumb').naturalWidth") > 0
    box = thumb.bounding_box()
    assert box["width"] <= 28 / 25.4 * 96 + 1 and box["height"] <= 20 / 25.4 * 96 + 1  # small: 28 × 20 mm at most

    pdf = page.pdf(format="A4", print_background=True)
    folder = Path(os.environ.get("QUIZ_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("pdftoppm"):
        (tmp_path / "report.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "2", str(tmp_path / "report.pdf"),
                        str(tmp_path / "page")], check=True, timeout=60)
        shutil.copy(tmp_path / "page-1.png", folder / "print-report.png")
        fonts_in_pdf = subprocess.run(["pdffonts", str(tmp_path / "report.pdf")], capture_output=True, text=True).stdout
        assert "SourceSerifPro" in fonts_in_pdf and "Liberation" not in fonts_in_pdf and "Times" not in fonts_in_pdf

    live_app.config["QUIZ_BASE_URL"] = "https://thiduaso.syt.laichau.gov.vn"  # what a real card shows
    card = page.request.get(f"{live_server}/j/{code}/card.png?u=TTYT-TD")
    assert card.status == 200 and card.headers["content-type"] == "image/png"
    (folder / "share-card.png").write_bytes(card.body())
    context.close()
