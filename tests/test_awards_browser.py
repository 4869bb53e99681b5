"""The award screens in Chromium with CSRF on, on the demo's unit tree: prize settings, the
proposal with a disqualification and a verification done through the forms, publishing, the
public list and the certificate check (and their screenshots)."""
from __future__ import annotations

import pytest

from quiz import clock
from quiz.extensions import db
from quiz.models import Certificate, Contest
from quiz.services import demo
from quiz.services.awards.demo import load_award_demo

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-demo-123"


@pytest.fixture
def demo_contest(live_app):
    with live_app.app_context():
        demo.load_demo(clock.utcnow(), PASSWORD, timezone="Asia/Ho_Chi_Minh")
        load_award_demo(clock.utcnow(), timezone="Asia/Ho_Chi_Minh")
        db.session.commit()
        return db.session.scalar(db.select(Contest.id).filter_by(code=demo.DEMO_CONTEST_CODE))


def log_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", demo.DEMO_ADMIN_EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/**")


def test_disqualify_verify_publish_and_check_in_the_browser(live_server, live_app, demo_contest, desktop, phone,
                                                            screenshot):
    page = desktop.new_page()
    log_in(page, live_server)
    page.goto(f"{live_server}/admin/contests/{demo_contest}/awards/settings")
    assert page.locator("text=Nhất × 1, Nhì × 2, Ba × 3, Khuyến khích × 5").is_visible()
    screenshot(page, "prize-settings")

    page.goto(f"{live_server}/admin/contests/{demo_contest}/awards")
    section = page.locator(".award-section", has=page.locator("code", has_text="BDHVS0"))
    first = section.locator("tbody tr:not(.check-row)").first.locator("strong").nth(1).inner_text()
    second_row = section.locator("tr.check-row").nth(1)
    second_row.locator("button", has_text="Bỏ").click()  # undo the demo's check: forms carry their token
    page.wait_for_load_state()
    unchecked = section.locator("tr.check-row.is-unchecked").first
    unchecked.locator("input[name=note]").nth(1).fill("Thi hộ: người nhà làm bài thay")
    unchecked.locator("button", has_text="Loại").click()
    page.wait_for_load_state()
    assert "người kế tiếp được đưa lên" in page.locator(".flash").first.inner_text()
    assert section.locator("text=được đưa lên").count() >= 1
    assert page.locator("button", has_text="Công bố danh sách khen thưởng").is_disabled()
    page.evaluate("window.scrollTo(0, 0)")  # the redirect lands on the table's anchor
    screenshot(page, "award-proposal")
    moved_in = section.locator("tr.check-row.is-unchecked").first
    moved_in.locator("input[name=note]").first.fill("đã gọi điện xác nhận")
    moved_in.locator("button", has_text="Xác minh").click()
    page.wait_for_load_state()
    page.fill("#note", "Sau khi loại một trường hợp thi hộ")
    page.click("button:has-text('Công bố danh sách khen thưởng')")
    page.wait_for_load_state()
    assert "Đã công bố danh sách khen thưởng lần 2" in page.locator(".flash").first.inner_text()

    mobile = phone.new_page()
    mobile.goto(f"{live_server}/r/contest/{demo.DEMO_CONTEST_CODE}/awards")
    assert first in mobile.content() and "Công bố lần 2" in mobile.content()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(mobile, "awards-public-phone")
    with live_app.app_context():
        code = db.session.scalar(db.select(Certificate.code).where(Certificate.revoked_at.is_(None)))
    mobile.goto(f"{live_server}/c/{code}")
    assert mobile.locator("text=Giấy chứng nhận hợp lệ").is_visible()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 360
