"""Issue 14 item 19: accessibility checked, not hoped. axe-core (bundled by axe-playwright-python,
no network) runs on the participant's pages, the public rankings and the board; no serious or
critical violation is allowed."""
from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.services.rankings import published as publishing

from .test_play_browser import seed

pytestmark = pytest.mark.browser
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install -e '.[test]'")


def _serious(page) -> list[str]:
    response = axe_module.Axe().run(page).response
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in response["violations"] if v["impact"] in ("serious", "critical")]


def test_participant_and_public_pages_have_no_serious_violation(live_server, live_app, phone, desktop):
    seed(live_app)
    page = phone.new_page()
    found = {}
    page.goto(f"{live_server}/j/TUAN1?u=CDC")
    found["join"] = _serious(page)
    page.fill("#full_name", "Lò Thị Mai")
    page.fill("#identity", "12")
    page.check("#consent")
    page.click("button:has-text('Bắt đầu thi')")
    page.wait_for_load_state()
    found["join with errors"] = _serious(page)
    page.fill("#identity", "0912 345 678")
    page.fill("#prediction", "25")
    page.click("button:has-text('Bắt đầu thi')")
    page.wait_for_url("**/a/*")
    page.locator('form.q[data-number="1"] label.opt').first.click()
    page.locator('form.q[data-number="1"] .q-status', has_text="Đã lưu").wait_for()
    found["question"] = _serious(page)
    page.click("#submit-link")
    page.click("#submit-form button")
    page.wait_for_url("**/result")
    found["result"] = _serious(page)
    with live_app.app_context():
        from quiz.models import Quiz
        publishing.publish_ranking(quiz=db.session.scalar(db.select(Quiz).filter_by(code="TUAN1")))
        db.session.commit()
    page.goto(f"{live_server}/r/TUAN1")
    found["ranking (phone)"] = _serious(page)
    wide = desktop.new_page()
    wide.goto(f"{live_server}/r/TUAN1")
    found["ranking (desktop)"] = _serious(wide)
    wide.goto(f"{live_server}/board/TUAN1")
    found["board"] = _serious(wide)
    wide.goto(f"{live_server}/board/TUAN1?source=published")
    found["board (published)"] = _serious(wide)
    assert {k: v for k, v in found.items() if v} == {}
