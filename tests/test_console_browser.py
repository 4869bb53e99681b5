"""Issue 14, console items, in headless Chromium: the monitor's unit panel reads at 1280 and 1920
wide (one row per unit, sortable by participation), a failed save shows its summary and moves the
focus to the first error, and small layout faults stay fixed."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quiz import clock
from quiz.extensions import db
from quiz.models import Contest, DrawRule, Organizer, QuestionSet, Quiz, Unit
from quiz.services.units import refresh_paths

from .test_admin_quizzes_browser import _finish_attempt, _login, _seed
from .conftest import fill_join_form

pytestmark = pytest.mark.browser
WARDS = [("BVDK-NOI", "Khối Nội — Bệnh viện Đa khoa tỉnh", 186), ("BVDK-NGOAI", "Khối Ngoại — Bệnh viện Đa khoa tỉnh", 162),
         ("BVDK-CLS", "Khối Cận lâm sàng — Bệnh viện Đa khoa tỉnh", 74)]


def _quiz(live_app) -> str:
    with live_app.app_context():
        bvdk = db.session.scalar(db.select(Unit).filter_by(code="BVDK"))
        for code, name, headcount in WARDS:
            db.session.add(Unit(code=code, name=name, headcount=headcount, parent=bvdk))
        db.session.flush()
        refresh_paths()
        now = clock.utcnow()
        question_set = db.session.scalar(db.select(QuestionSet).filter_by(name="Kỹ năng số cơ bản"))
        db.session.add(Quiz(code="TUAN1", title="Tuần 1 — Tìm hiểu chuyển đổi số",
                            contest=Contest(code="BDHVS", title="Bình dân học vụ số ngành Y tế",
                                            created_by_id=db.session.scalar(db.select(Organizer.id))),
                            opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=3), duration_s=900,
                            draw_rules=[DrawRule(position=0, question_set=question_set, count=10)]))
        db.session.commit()
    return "TUAN1"


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_monitor_unit_panel_reads_one_row_per_unit(live_server, live_app, browser, screenshot, size):
    _seed(live_app)
    code = _quiz(live_app)
    for i, (unit, score) in enumerate([("CDC", 12), ("CDC", 11), ("BVDK-NOI", 9), ("TTYT-TD", 14)]):
        _finish_attempt(live_app, code, unit, f"Người thi {i}", score)
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="vi-VN")
    page = context.new_page()
    _login(page, live_server)
    page.goto(f"{live_server}/admin/quizzes/{code}/monitor")
    rows = page.locator("[data-units] tr")
    assert rows.count() == 4 + len(WARDS)
    for i in range(rows.count()):
        name = rows.nth(i).locator(".unit-name")
        figure = rows.nth(i).locator(".unit-figure").bounding_box()
        bar = rows.nth(i).locator(".bar").bounding_box()
        assert name.bounding_box()["width"] >= 220
        screenshot(page, f"admin-monitor-{size[0]}", full_page=False)
        assert name.bounding_box()["height"] < 50, name.inner_text()  # one line, not one word per line
        assert figure["x"] + figure["width"] <= bar["x"] or bar["x"] + bar["width"] <= figure["x"]  # never over the bar
    # the parents carry their subtree's subtotal
    top = page.locator("[data-units] tr").first
    assert "is-group" in top.get_attribute("class") and "4 / 452" in top.inner_text()
    screenshot(page, f"admin-monitor-{size[0]}", full_page=False)

    page.click("text=Tỉ lệ thấp trước")
    page.wait_for_url("**sort=low")
    names = page.locator("[data-units] .unit-name").all_inner_texts()
    assert names[0].strip() in {"Khối Ngoại — Bệnh viện Đa khoa tỉnh", "Khối Cận lâm sàng — Bệnh viện Đa khoa tỉnh"}
    # the refresh keeps the chosen order
    _finish_attempt(live_app, code, "BVDK-CLS", "Người thi mới", 10)
    page.wait_for_function("document.querySelector('[data-count=\"finished\"]').textContent === '5'", timeout=12_000)
    names = page.locator("[data-units] .unit-name").all_inner_texts()
    assert names[0].strip() == "Khối Ngoại — Bệnh viện Đa khoa tỉnh"
    context.close()


def _red(page, selector: str) -> bool:
    color = page.eval_on_selector(selector, "e => getComputedStyle(e).borderTopColor")
    return color == "rgb(179, 38, 30)"  # --err


def test_failed_quiz_save_shows_summary_focuses_first_error(live_server, live_app, desktop, screenshot):
    _seed(live_app)
    _quiz(live_app)
    page = desktop.new_page()
    _login(page, live_server)
    page.goto(f"{live_server}/admin/quizzes/new")
    page.fill("#title", "Tuần 2 — An toàn thông tin")
    page.fill("#opens_at", "2030-10-13T08:00")
    page.fill("#closes_at", "2030-10-19T22:00")
    page.select_option("#draw-0-set", "An toàn thông tin")
    page.fill("#draw-0-count", "15")
    page.fill("#draw-0-topic", "Chủ đề không có")
    with page.expect_navigation():
        page.click("button:has-text('Lưu đợt thi')")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "Vui lòng sửa" in summary.inner_text() and "cần 15" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "draw-0-count"
    assert page.get_attribute("#draw-0-count", "aria-invalid") == "true"
    assert _red(page, "#draw-0-count")
    top = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert 0 <= top <= page.viewport_size["height"]
    screenshot(page, "admin-quiz-form-error", full_page=False)
    # a plain field error (no title) is marked too, and the summary links to it
    page.fill("#title", "")
    page.fill("#draw-0-count", "5")
    page.fill("#draw-0-topic", "")
    with page.expect_navigation():
        page.click("button:has-text('Lưu đợt thi')")
    assert page.evaluate("document.activeElement.id") == "title"
    assert _red(page, "#title")
    assert page.locator('.error-summary a[href="#title"]').count() == 1


def test_join_text_inputs_with_errors_turn_red(live_server, live_app, phone):
    from .test_play_browser import seed
    seed(live_app)
    page = phone.new_page()
    page.goto(f"{live_server}/j/TUAN1?u=CDC")
    fill_join_form(page, identity="12")
    page.wait_for_load_state()
    assert page.get_attribute("#identity", "aria-invalid") == "true"
    assert _red(page, "#identity")
    assert not _red(page, "#full_name")


def test_quiz_form_fields_align_and_unit_codes_do_not_wrap(live_server, live_app, desktop):
    _seed(live_app)
    _quiz(live_app)
    page = desktop.new_page()
    _login(page, live_server)
    page.goto(f"{live_server}/admin/quizzes/new")
    code, contest = page.locator("#code").bounding_box(), page.locator("#contest").bounding_box()
    assert abs(code["y"] - contest["y"]) <= 2 and abs(code["height"] - contest["height"]) <= 4
    page.goto(f"{live_server}/admin/units")
    cell = page.locator("td code", has_text="BVDK-NGOAI").bounding_box()
    assert cell["height"] < 30  # one line
