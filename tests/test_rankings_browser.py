"""The results page, the big-screen board and the A4 report in Chromium (and their screenshots)."""
from __future__ import annotations

import random
import secrets
from datetime import timedelta

import pytest

from quiz import clock
from quiz.extensions import db
from quiz.models import (Attempt, Contest, DrawRule, Option, Organizer, Participant, Question, QuestionSet,
                         Quiz, Unit)
from quiz.services.rankings import published as publishing
from quiz.services.units import refresh_paths

pytestmark = pytest.mark.browser

UNITS = [("SYT", "Đảng bộ Sở Y tế tỉnh", None, None), ("CDC", "Trung tâm Kiểm soát bệnh tật tỉnh", "SYT", 24),
         ("BVDK", "Bệnh viện Đa khoa tỉnh", "SYT", None), ("BVDK-NOI", "Khối Nội", "BVDK", 30),
         ("BVDK-NGOAI", "Khối Ngoại", "BVDK", 26), ("BVYHCT", "Bệnh viện Y dược cổ truyền tỉnh", "SYT", 18),
         ("TTYT-TD", "Trung tâm Y tế Tam Đường", "SYT", 22), ("TTYT-PT", "Trung tâm Y tế Phong Thổ", "SYT", 28),
         ("CCDS", "Chi cục Dân số", "SYT", None), ("TTKN", "Trung tâm Kiểm nghiệm", "SYT", 9)]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Thị", "Văn", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Hải"]
GIVEN = ["Lan", "Hùng", "Mai", "Tuấn", "Hương", "Dũng", "Trang", "Nam", "Hà", "Long", "Yến", "Sơn"]


def seed(app, attempts: int = 60) -> str:
    rng = random.Random(7)
    with app.app_context():
        units = {}
        for code, name, parent, headcount in UNITS:
            units[code] = Unit(code=code, name=name, headcount=headcount, parent=units.get(parent))
            db.session.add(units[code])
        db.session.flush()
        refresh_paths()
        qset = QuestionSet(name="Chuyển đổi số")
        for n in range(10):
            db.session.add(Question(question_set=qset, text=f"Câu {n}?", text_key=f"cau {n}", kind="single",
                                    options=[Option(position=i, text=t, is_correct=i == 1) for i, t in enumerate("ABCD")]))
        now = clock.utcnow()
        quiz = Quiz(code="TUAN1", title="Tuần 1 — Tìm hiểu chuyển đổi số", contest=Contest(code="BDHVS", title="Bình dân học vụ số"),
                    opens_at=now - timedelta(hours=2), closes_at=now + timedelta(days=2), duration_s=900,
                    prediction="count", draw_rules=[DrawRule(position=0, question_set=qset, count=10)])
        db.session.add(quiz)
        db.session.add(Organizer(email="admin@example.vn", role="admin", full_name="Quản trị",
                                 password_hash=__import__("werkzeug.security").security.generate_password_hash("mat-khau-123")))
        db.session.flush()
        leaves = [u for c, u in units.items() if c not in ("SYT", "BVDK")]
        for n in range(attempts):
            person = Participant(contest_id=quiz.contest_id, identity=f"09{rng.randrange(10**8):08d}",
                                 identity_kind="phone", unit=rng.choice(leaves), consent_at=now,
                                 full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}")
            correct = rng.choice([6, 7, 8, 8, 9, 9, 10, 10])
            duration = rng.randrange(120_000, 840_000)
            finished = now - timedelta(minutes=attempts - n)
            db.session.add(Attempt(token=secrets.token_urlsafe(12), quiz=quiz, participant=person,
                                   started_at=finished - timedelta(milliseconds=duration),
                                   deadline=finished + timedelta(minutes=10), submitted_at=finished,
                                   finalised_by="participant", correct_count=correct, score=correct, max_score=10,
                                   score_pct=correct * 10.0, duration_ms=duration, prediction=rng.randrange(5, 40)))
        db.session.flush()
        publishing.publish_ranking(quiz=quiz, note="Kết quả tạm thời sau buổi sáng")
        db.session.commit()
    return "TUAN1"


def test_results_page_on_a_phone_and_a_desktop(live_app, live_server, phone, desktop, screenshot):
    code = seed(live_app)
    page = phone.new_page()
    page.goto(f"{live_server}/r/{code}")
    assert page.locator(".result-banner").inner_text().startswith("KẾT QUẢ TẠM THỜI")
    assert page.locator(".unit-bar").count() == 7  # the children of the single root
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing overflows the phone
    screenshot(page, "rankings-phone", full_page=False)
    page.locator(".ranking-table").scroll_into_view_if_needed()
    screenshot(page, "rankings-phone-people", full_page=False)
    page.select_option("#parent", "BVDK")
    page.click(".parent-filter button")
    assert page.locator(".unit-bar").count() == 2
    big = desktop.new_page()
    big.goto(f"{live_server}/r/{code}")
    screenshot(big, "rankings-desktop", full_page=False)


def test_board_refreshes_without_reload(live_app, live_server, browser, screenshot):
    code = seed(live_app)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server}/board/{code}")
    page.evaluate("window.__same_page = true")
    assert page.locator('[data-field="finished"]').inner_text() == "60"
    with live_app.app_context():
        quiz = db.session.scalar(db.select(Quiz).filter_by(code=code))
        unit = db.session.scalar(db.select(Unit).filter_by(code="TTKN"))
        now = clock.utcnow()
        db.session.add(Attempt(token="late-one", quiz=quiz, started_at=now - timedelta(minutes=3),
                               participant=Participant(contest_id=quiz.contest_id, identity="0911222333",
                                                       identity_kind="phone", full_name="Mai Thị Hoa", unit=unit,
                                                       consent_at=now),
                               deadline=now + timedelta(minutes=10), submitted_at=now, finalised_by="participant",
                               correct_count=10, score=10, max_score=10, score_pct=100.0, duration_ms=61_000))
        db.session.commit()
    page.wait_for_function("document.querySelector('[data-field=finished]').textContent === '61'", timeout=9000)
    assert page.evaluate("window.__same_page") is True  # updated in place, not reloaded
    assert "Hoa" in page.locator('[data-list="latest"]').inner_text()
    assert "0911222333" not in page.content()
    page.wait_for_timeout(1500)  # let the bars finish sliding
    screenshot(page, "board-1080p", full_page=False)
    context.close()


def test_print_report(live_app, live_server, browser, screenshot):
    code = seed(live_app, attempts=25)
    context = browser.new_context(viewport={"width": 900, "height": 1270}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "admin@example.vn")
    page.fill("input[name=password]", "mat-khau-123")
    page.click("button[type=submit]")
    page.goto(f"{live_server}/admin/quizzes/{code}/rankings")
    assert "KẾT QUẢ TẠM THỜI" in page.content()
    screenshot(page, "rankings-admin", full_page=False)
    page.goto(f"{live_server}/admin/quizzes/{code}/rankings/export.print")
    assert "T/M BAN TỔ CHỨC" in page.content()
    screenshot(page, "report-a4", full_page=False)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    context.close()
