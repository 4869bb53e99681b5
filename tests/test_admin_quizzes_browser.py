"""A new organizer's first event, in headless Chromium: contest, quiz, posters, live monitor."""
import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from quiz import clock
from quiz.extensions import db
from quiz.models import Attempt, Option, Organizer, Participant, Question, QuestionSet, Quiz, Unit
from quiz.services.units import refresh_paths

pytestmark = pytest.mark.browser
UNITS = [("SYT", "Đảng bộ Sở Y tế", None, None), ("CDC", "Trung tâm Kiểm soát bệnh tật", "SYT", 124),
         ("BVDK", "Bệnh viện Đa khoa tỉnh", "SYT", 186), ("TTYT-TD", "Trung tâm Y tế Tam Đường", "SYT", 142)]


def _seed(live_app):
    with live_app.app_context():
        by_code = {}
        for code, name, parent, headcount in UNITS:
            by_code[code] = Unit(code=code, name=name, headcount=headcount, parent=by_code.get(parent))
            db.session.add(by_code[code])
        db.session.flush()
        refresh_paths()
        for name in ("Kỹ năng số cơ bản", "An toàn thông tin"):
            question_set = QuestionSet(name=name)
            for i in range(12):
                db.session.add(Question(question_set=question_set, text=f"{name} — câu {i + 1}?", text_key=f"{name} {i}",
                                        kind="single", topic=name, difficulty=1 + i % 3,
                                        options=[Option(position=j, text=f"Phương án {j}", is_correct=j == 1) for j in range(4)]))
        organizer = Organizer(email="btc@syt.gov.vn", role="organizer", full_name="Ban tổ chức Sở Y tế")
        organizer.set_password("mat-khau-123")
        db.session.add(organizer)
        db.session.commit()


def _finish_attempt(live_app, quiz_code: str, unit_code: str, name: str, score: int):
    with live_app.app_context():
        quiz = db.session.scalar(db.select(Quiz).filter_by(code=quiz_code))
        unit = db.session.scalar(db.select(Unit).filter_by(code=unit_code))
        now = clock.utcnow()
        participant = Participant(contest_id=quiz.contest_id, identity=f"09123{score:05d}", identity_kind="phone",
                                  full_name=name, unit_id=unit.id, consent_at=now)
        db.session.add(Attempt(token=f"tok-{name}", quiz_id=quiz.id, participant=participant,
                               started_at=now - timedelta(minutes=9), deadline=now + timedelta(minutes=6),
                               submitted_at=now, finalised_by="participant", score=score, correct_count=score,
                               max_score=15, score_pct=100 * score / 15, duration_ms=540_000))
        db.session.commit()


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def _login(page, base):
    page.goto(f"{base}/login?next=/admin/")
    page.fill("#email", "btc@syt.gov.vn")
    page.fill("#password", "mat-khau-123")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_new_organizer_runs_a_first_quiz(live_server, live_app, desktop, phone, screenshot, tmp_path):
    _seed(live_app)
    base = live_server
    page = desktop.new_page()
    _login(page, base)

    # A contest: weights shown as 50 % / 50 %.
    page.click("text=Tạo cuộc thi")
    assert page.input_value("#w_rate") == "50" and page.input_value("#w_score") == "50"
    page.fill("#code", "BDHVS-2025")
    page.fill("#title", "Cuộc thi trực tuyến Bình dân học vụ số ngành Y tế 2025")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/admin/quizzes/new?contest=*")

    # A quiz whose draw rule the bank cannot satisfy: the message sits on the rule's row.
    code = page.input_value("#code")
    assert len(code) == 6
    page.fill("#title", "Tuần 1 — Tìm hiểu chuyển đổi số")
    page.fill("#opens_at", "2030-10-13T08:00")
    page.fill("#closes_at", "2030-10-19T22:00")
    page.select_option("#draw-0-set", "An toàn thông tin")
    page.fill("#draw-0-count", "15")
    assert page.text_content("[data-draw-total]") == "15"
    page.click("button:has-text('Lưu đợt thi')")
    error = page.locator(".draw-row.has-error .error")
    assert "Dòng 1: Bộ 'An toàn thông tin' chỉ có 12 câu, cần 15." in error.inner_text()
    page.locator("#draw-rules").scroll_into_view_if_needed()
    screenshot(page, "admin-quiz-form", full_page=False)

    # Fix it: 10 from this set, and a second row (added with the button) for 5 more; the total follows.
    page.fill("#draw-0-count", "10")
    rows = page.locator("[data-draw-row]")
    blank = rows.nth(rows.count() - 1)
    blank.locator("select").first.select_option("Kỹ năng số cơ bản")
    blank.locator("[data-draw-count]").fill("5")
    page.click("[data-draw-add]")
    assert page.locator("[data-draw-row]").count() == rows.count()
    assert page.text_content("[data-draw-total]") == "15"
    page.click("button:has-text('Lưu đợt thi')")
    page.wait_for_url(f"{base}/admin/quizzes/{code}")
    assert "Sắp mở" in page.inner_text("h1")

    # Open it now.
    page.click("button:has-text('Mở ngay')")
    page.wait_for_url(f"{base}/admin/quizzes/{code}")
    assert "Đang mở" in page.inner_text("h1")

    # Posters: the QR drawn by Chromium from the inline SVG decodes to the join URL.
    page.click("text=Áp phích QR")
    page.wait_for_url(f"**/admin/quizzes/{code}/posters")
    assert "Làm bài trong 15 phút" in page.inner_text(".poster-steps")
    screenshot(page, "admin-posters", full_page=False)
    if shutil.which("zbarimg"):
        qr_png = tmp_path / "poster-qr.png"
        page.locator(".poster-qr svg").screenshot(path=str(qr_png))
        decoded = subprocess.run(["zbarimg", "--raw", "-q", str(qr_png)], capture_output=True, text=True).stdout.strip()
        assert decoded == f"{base}/j/{code}"
    pdf = tmp_path / "posters.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "poster-page")], check=True)
        assert list(tmp_path.glob("poster-page*.png"))
    page.emulate_media(media="screen")

    units_pdf = tmp_path / "unit-posters.pdf"
    page.goto(f"{base}/admin/quizzes/{code}/posters/units")
    assert page.locator("article.poster").count() == len(UNITS)
    page.emulate_media(media="print")
    page.pdf(path=str(units_pdf), format="A4", prefer_css_page_size=True)
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(units_pdf)], capture_output=True, text=True).stdout
        assert re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1) == str(len(UNITS))  # one A4 page per poster
    page.emulate_media(media="screen")

    # The monitor refreshes by itself when a participant finishes.
    page.goto(f"{base}/admin/quizzes/{code}/monitor")
    assert page.text_content('[data-count="finished"]') == "0"
    _finish_attempt(live_app, code, "CDC", "Nguyễn Thị Lan", 13)
    _finish_attempt(live_app, code, "BVDK", "Trần Văn Minh", 11)
    page.wait_for_function("document.querySelector('[data-count=\"finished\"]').textContent === '2'", timeout=12_000)
    assert "Nguyễn Thị Lan" in page.inner_text("[data-latest]")
    screenshot(page, "admin-monitor", full_page=False)

    page.goto(f"{base}/admin/")
    assert "Đang mở" in page.inner_text(".quiz-table")
    screenshot(page, "admin-dashboard", full_page=False)

    # The same screens on a 360 px phone: readable, no sideways scrolling.
    mobile = phone.new_page()
    _login(mobile, base)
    for path, name in [(f"/admin/quizzes/{code}/edit", "admin-quiz-form-phone"), (f"/admin/quizzes/{code}/monitor", "admin-monitor-phone"),
                       ("/admin/", "admin-dashboard-phone"), (f"/admin/quizzes/{code}/posters", "admin-posters-phone")]:
        mobile.goto(base + path)
        _no_sideways_scroll(mobile)
        screenshot(mobile, name, full_page=False)
