"""Issue 14, the phone's rough edges, in headless Chromium at 360 × 740."""
from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.models import Unit
from quiz.services.units import refresh_paths

from .test_play_browser import seed
from .conftest import fill_join_form, join_in_browser

pytestmark = pytest.mark.browser


def _wards(live_app) -> None:
    with live_app.app_context():
        bvdk = db.session.scalar(db.select(Unit).filter_by(code="BVDK"))
        for code, name in [("BVDK-NOI", "Khối Nội — Bệnh viện Đa khoa tỉnh"),
                           ("BVDK-NGOAI", "Khối Ngoại — Bệnh viện Đa khoa tỉnh")]:
            db.session.add(Unit(code=code, name=name, headcount=150, parent=bvdk, path="/"))
        db.session.flush()
        refresh_paths()
        db.session.commit()


def test_unit_picker_shows_the_chosen_unit_plainly(live_server, live_app, phone, screenshot):
    seed(live_app)
    _wards(live_app)
    page = phone.new_page()
    page.goto(f"{live_server}/j/TUAN1")
    page.fill("#unit-search", "khoi noi")
    page.locator("button.unit-match", has_text="Khối Nội").click()
    assert page.locator("#unit_code").input_value() == "BVDK-NOI"
    chosen = page.locator("#unit-chosen")
    assert chosen.is_visible()
    text = chosen.inner_text()
    assert "Khối Nội — Bệnh viện Đa khoa tỉnh" in text and "Đảng bộ Sở Y tế tỉnh Lai Châu" in text
    assert "\u00a0\u00a0" not in text
    box = chosen.bounding_box()
    assert box["x"] + box["width"] <= 360  # the whole name, wrapped, not cut
    screenshot(page, "play-join-unit-chosen", full_page=False)
    # picking in the select itself says the same
    page.select_option("#unit_code", "BVDK-NGOAI")
    assert "Khối Ngoại — Bệnh viện Đa khoa tỉnh" in chosen.inner_text()
    # a poster's unit (?u=) is shown at once
    page.goto(f"{live_server}/j/TUAN1?u=BVDK-NOI")
    assert "Khối Nội — Bệnh viện Đa khoa tỉnh" in page.locator("#unit-chosen").inner_text()


def test_long_unbroken_text_and_the_last_button_stay_inside_360px(live_server, live_app, phone, screenshot):
    seed(live_app)
    with live_app.app_context():
        from quiz.models import Question
        last = db.session.scalars(db.select(Question).order_by(Question.id)).all()[-1]
        last.text = ("Trang web chính thức để tra cứu và cảnh báo lừa đảo trực tuyến của Cục An toàn thông tin là "
                     "canhbao.khonggianmang.gov.vn.")
        last.options[0].text = "https://canhbao.khonggianmang.gov.vn/tra-cuu-website-lua-dao-chinh-thuc"
        db.session.commit()
    page = phone.new_page()
    join_in_browser(page, f"{live_server}/j/TUAN1?u=CDC")
    page.click('.q-grid a.cell[data-number="5"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for selector in ('form.q[data-number="5"] .q-text', 'form.q[data-number="5"] .opt',
                     'form.q[data-number="5"] button[value="next"]'):
        box = page.locator(selector).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360 - 8, selector
    screenshot(page, "play-question-long", full_page=False)


SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll("a[href], button, select, input:not([type=hidden]), summary")) {
    if (!el.offsetParent && getComputedStyle(el).position !== "fixed") continue;  // not shown
    let box = el.getBoundingClientRect();
    if (box.right < 0) continue;  // the skip link waits off screen until focused
    if (el.matches("input[type=radio], input[type=checkbox]")) {
      const label = el.closest("label") || document.querySelector(`label[for="${el.id}"]`);
      const field = el.closest(".field-check");
      box = (field || label || el).getBoundingClientRect();
    }
    if (box.width < 44 || box.height < 44) small.push(`${el.outerHTML.slice(0, 80)} ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  return small;
}"""


def test_every_tap_target_on_participant_pages_is_44px(live_server, live_app, phone):
    seed(live_app)
    page = phone.new_page()
    page.goto(f"{live_server}/j/TUAN1?u=CDC")
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], "\n".join(small)
    fill_join_form(page)
    page.wait_for_url("**/a/*")
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], "\n".join(small)
    page.locator('form.q[data-number="1"] label.opt').first.click()
    page.click("#submit-link")
    page.click("#submit-form button")
    page.wait_for_url("**/result")
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], "\n".join(small)
